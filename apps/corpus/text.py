"""Canonical article text (DESIGN §5).

Every annotation points into canonical text by code-point offsets, so the text must be
settled before the first annotation exists. ``canonicalize`` is idempotent: running it on
its own output returns the same string, which is what lets import, revisions and the demo
corpus all agree on one form.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Line separators other than LF that browsers or editors may hand us. The HTML parser
# turns CR and CRLF into LF, so offsets computed in the browser would drift if we kept them.
_LINE_BREAKS = {
    "\r\n": "\n",
    "\r": "\n",
    "\u2028": "\n",  # LINE SEPARATOR
    "\u2029": "\n",  # PARAGRAPH SEPARATOR
    "\x0b": "\n",  # vertical tab
    "\x0c": "\n",  # form feed
    "\x85": "\n",  # NEXT LINE
}

# Zero-width characters that carry meaning (emoji sequences, Arabic/Indic shaping) stay;
# other control characters are dropped because they are invisible and break quoting.
_KEEP_FORMAT = {"\u200c", "\u200d", "\u200e", "\u200f"}


def canonicalize(text: str) -> str:
    """Return the canonical form of an article text.

    NFC; every line break becomes LF; each line is trimmed and its runs of whitespace
    (including no-break spaces and tabs) collapse to one space; control characters are
    removed; every non-empty line is a paragraph, and paragraphs are separated by exactly
    one blank line. News text arrives one paragraph per line, so a single line break is
    treated as a paragraph break too.
    """
    text = text.removeprefix("\ufeff")
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    text = _DROPPED.sub("", unicodedata.normalize("NFC", text))
    paragraphs = (" ".join(line.split()) for line in text.split("\n"))
    return "\n\n".join(p for p in paragraphs if p)


# Dropped characters, as one class (a regular expression runs in C; a Python test per
# character was most of an import's time): Cc, the C0/C1 controls but the tab (LF never
# reaches here inside a line, CR and the other breaks became LF above); Cs, lone
# surrogates (from broken JSON escapes; they cannot even be stored as UTF-8); and the
# invisible format characters BOM, soft hyphen and zero-width space. Zero-width joiners
# and direction marks (``_KEEP_FORMAT``) stay.
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u00ad\u200b]")


def _is_dropped_control(ch: str) -> bool:
    """The rule ``_DROPPED`` implements, by Unicode category (kept to test it against)."""
    if ch in _KEEP_FORMAT or ch == "\t":
        return False
    category = unicodedata.category(ch)
    return category in ("Cc", "Cs") or (category == "Cf" and ch in {"\ufeff", "\u00ad", "\u200b"})


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Split canonical text into ``(start offset, paragraph)`` pairs, in code points."""
    result = []
    offset = 0
    for part in text.split("\n\n"):
        result.append((offset, part))
        offset += len(part) + 2
    return result


def content_hash(text: str) -> str:
    """SHA-256 of the canonical text: identifies duplicates and stale pages."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


def splits_a_character(text: str, offset: int) -> bool:
    """Whether ``offset`` falls inside a user-perceived character (an extended grapheme
    cluster: a flag's two regional indicators, an emoji with its skin tone or its ZWJ
    sequence, a letter and its combining accents). Offsets count code points, so a
    selection could otherwise start or end in the middle of one.

    Clusters never span a line break, so only the offset's line is segmented."""
    if offset <= 0 or offset >= len(text):
        return False
    before, after = text[offset - 1], text[offset]
    if before < "\u0300" and after < "\u0300" and before != "\r":
        # Nothing below the combining accents joins a cluster (no extending mark,
        # joiner, prepended sign, regional indicator or Hangul jamo), but CR LF: a
        # boundary, without segmenting the line (an import checks 100,000 of them).
        return False
    import regex  # on use (writes only): the standard library has no grapheme clusters

    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    for cluster in regex.finditer(r"\X", line):
        start, end = line_start + cluster.start(), line_start + cluster.end()
        if end > offset:
            return start != offset
    return False
