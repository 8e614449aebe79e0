"""Texts that arrive as one long line (rows of research datasets): their sentences.

Such a text has no paragraphs to read or to annotate by, and its dateline, headline and
boilerplate ("Tags …", "Share this on Facebook…") are run into the prose. Split into
sentences, each can be judged on its own, and the article regrouped into paragraphs of a
few sentences. Only whitespace between sentences changes: every word stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A run-on text: one line longer than this is split into sentences.
RUN_ON_CHARS = 600
PARAGRAPH_CHARS = 450  # group sentences into paragraphs of about this length
PARAGRAPH_SENTENCES = 4

# A sentence ends at . ! ? (and a closing quote or bracket after it) followed by a space
# and something that starts a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_PARAGRAPH_GAP = re.compile(r"\n\s*\n")  # a blank line (canonical texts have exactly one)
# Words after which a full stop does not end a sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Capt|Sen|Rep|Gov|Pres|St|Jr|Sr|Inc|Co|Ltd|"
    r"Corp|No|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|etc)"
    r"|\b[A-Z]|(?:\b[A-Za-z]\.){1,4}[A-Za-z])\.$"
)
_LEADING_TIME = re.compile(
    r"(?:at\s+)?\d{1,2}[:.]?\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+(?:GMT|UTC|BST|CET|EST|EDT|ET))?\s+",
    re.I,
)


def _bounds(text: str, offset: int = 0) -> Iterator[tuple[int, int]]:
    """Where each sentence of ``text`` starts and ends (``offset`` added), untrimmed."""
    start = 0
    for match in _BOUNDARY.finditer(text):
        # Only the last few characters can hold an abbreviation ("approx.", "U.S.A."):
        # searching the whole sentence so far grew with its length (in place, not a
        # slice, so a word boundary still sees the character before).
        if _ABBREVIATION.search(text, max(start, match.start() - 16), match.start()):
            continue
        yield offset + start, offset + match.start() + len(match.group().rstrip())
        start = match.end()
    yield offset + start, offset + len(text)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, joined again they give the text back (up to
    the whitespace between them)."""
    found = (text[start:end].strip() for start, end in _bounds(text))
    return [s for s in found if s]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of a canonical text as half-open code-point spans, trimmed of
    whitespace: paragraphs (split on blank lines), then sentences inside each by the
    rule of ``sentences``. The unit of inter-coder agreement (``analysis/agreement.py``)
    and of claim candidates (``analysis/candidate_scores.py``)."""
    spans = []
    paragraph_start = 0
    for gap in [*_PARAGRAPH_GAP.finditer(text), None]:
        paragraph_end = gap.start() if gap else len(text)
        paragraph = text[paragraph_start:paragraph_end]
        for start, end in _bounds(paragraph, paragraph_start):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        paragraph_start = gap.end() if gap else len(text)
    return spans


def strip_leading_time(text: str) -> str:
    """ "at 0914 Homs governor says…" after a dateline: the time goes with the date."""
    match = _LEADING_TIME.match(text)
    return text[match.end() :] if match else text


def paragraphs(parts: list[str]) -> list[str]:
    """Sentences regrouped into paragraphs of a few sentences each."""
    grouped: list[str] = []
    current: list[str] = []
    for sentence in parts:
        current.append(sentence)
        if sum(map(len, current)) >= PARAGRAPH_CHARS or len(current) >= PARAGRAPH_SENTENCES:
            grouped.append(" ".join(current))
            current = []
    if current:
        grouped.append(" ".join(current))
    return grouped


def looks_like_title(sentence: str) -> bool:
    """A dataset row that starts with its headline: short, no inner full stop."""
    words = sentence.split()
    body = sentence.rstrip(".")
    return (
        3 <= len(words) <= 25
        and len(sentence) <= 200
        and "." not in body[:-1].replace("U.S", "US").replace("U.N", "UN")
    )
