"""The re-anchoring benchmark: realistic edits applied to annotated articles through the
revision path (``revise_article``), each annotation's outcome checked against the truth.

Every edit is a list of replacements of the old text, so the truth is known exactly: an
annotation whose words no replacement touches is *intact* at its shifted offsets; one a
replacement cuts into is *changed*; one a replacement removes whole is *gone*. Outcomes:

- ``anchored``: reported anchored at exactly the truth's offsets (its words intact);
- ``flagged``: marked for review, its words having changed or gone;
- ``orphaned``: orphaned, its words having changed or gone;
- ``cautious``: marked for review or orphaned although its words are intact (not wrong:
  the analyst is asked to confirm);
- ``silently_wrong``: reported anchored anywhere else, or although its words changed.

The last must be 0 (a test holds it there). Each scenario runs in a transaction that is
rolled back, so the corpus is left as it was.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from apps.annotations.anchoring import DISTINCT_QUOTE, revise_article
from apps.annotations.annotating import create_annotation
from apps.annotations.models import AnchorStatus, Annotation
from apps.corpus import text as canonical_text
from apps.corpus.models import Article

OUTCOMES = ("anchored", "flagged", "orphaned", "cautious", "silently_wrong")
Span = tuple[int, int]


@dataclass(frozen=True)
class Edit:
    """Replace ``old[start:end]`` with ``text``."""

    start: int
    end: int
    text: str


@dataclass
class Row:
    scenario: str
    revisions: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    wrong: list[str] = field(default_factory=list)  # what went wrong, for the reader

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# ---------- the edits ----------

_WORD = re.compile(r"[A-Za-z]{5,}")
_SENTENCE = re.compile(r"[^\n]+?[.!?](?= [A-Z“\"])")  # a sentence followed by another


def _outside(spans: list[Span], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in spans)


def _typo(text: str, start: int, end: int, rng: random.Random) -> Edit | None:
    """Two inner letters of a word in ``text[start:end]`` swapped (a typo, or its fix)."""
    words = [m for m in _WORD.finditer(text, start, end) if m.group()[1] != m.group()[2]]
    if not words:
        return None
    word = rng.choice(words)
    return Edit(word.start() + 1, word.start() + 3, word.group()[2] + word.group()[1])


def typo_outside(text: str, spans: list[Span], rng: random.Random, _: Span | None) -> list[Edit]:
    words = [m for m in _WORD.finditer(text) if _outside(spans, m.start(), m.end())]
    edit = _typo(text, *rng.choice(words).span(), rng) if words else None
    return [edit] if edit else []


def typo_inside(text: str, spans: list[Span], rng: random.Random, one: Span | None) -> list[Edit]:
    assert one is not None
    edit = _typo(text, *one, rng)
    return [edit] if edit else []


def paragraph_inserted(text: str, spans, rng, _) -> list[Edit]:
    breaks = [m.end() for m in re.finditer("\n\n", text)]
    at = breaks[len(breaks) // 2] if breaks else 0
    return [Edit(at, at, "A paragraph the editor added later, with more detail.\n\n")]


def sentence_deleted(text: str, spans: list[Span], rng: random.Random, _) -> list[Edit]:
    sentences = [
        (m.start(), m.end() + 1)  # with the space after it
        for m in _SENTENCE.finditer(text)
        if _outside(spans, m.start(), m.end() + 1)
        and (m.start() == 0 or text[m.start() - 1] in " \n")
    ]
    if not sentences:
        return []
    start, end = rng.choice(sentences)
    return [Edit(start, end, "")]


def reflow(text: str, spans, rng, _) -> list[Edit]:
    """Every other paragraph joined to the next (a CMS that lost some breaks)."""
    breaks = list(re.finditer("\n\n", text))
    return [Edit(m.start(), m.end(), " ") for m in breaks[::2]]


def curly_quotes(text: str, spans, rng, _) -> list[Edit]:
    edits, opening = [], True
    for m in re.finditer("[\"']", text):
        if m.group() == "'":
            edits.append(Edit(m.start(), m.end(), "’"))
        else:
            edits.append(Edit(m.start(), m.end(), "“" if opening else "”"))
            opening = not opening
    return edits


def update_appended(text: str, spans, rng, _) -> list[Edit]:
    end = len(text)
    return [Edit(end, end, "\n\nUpdate: this article was updated after publication.")]


def passage_deleted(text: str, spans, rng, one: Span | None) -> list[Edit]:
    """The annotated words cut out, with a space or paragraph break so the text stays
    canonical."""
    assert one is not None
    start, end = one
    if text[end : end + 1] == " ":
        end += 1
    elif start and text[start - 1] == " ":
        start -= 1
    elif (start == 0 or text[start - 2 : start] == "\n\n") and text[end : end + 2] == "\n\n":
        end += 2
    elif start >= 2 and text[start - 2 : start] == "\n\n" and end == len(text):
        start -= 2
    return [Edit(start, end, "")]


def reworded_and_said_elsewhere(text: str, spans, rng, one: Span | None) -> list[Edit]:
    """A short quote (a name, a phrase) replaced where it was annotated, and mentioned in
    a new sentence at the other end of the article: another mention, not the passage.
    (A long quote found whole elsewhere is taken as moved: see anchoring.DISTINCT_QUOTE.)"""
    assert one is not None
    start, end = one
    quote = text[start:end]
    if len(quote) >= DISTINCT_QUOTE or "\n" in quote:
        return []
    if start < len(text) // 2:
        elsewhere = Edit(len(text), len(text), f"\n\nLater, {quote} came up again.")
    else:
        elsewhere = Edit(0, 0, f"Earlier, {quote} came up.\n\n")
    return [Edit(start, end, "other words"), elsewhere]


Scenario = Callable[[str, list[Span], random.Random, Span | None], list[Edit]]

# name → (edit, per annotation?, copy of the quote in the text first?)
SCENARIOS: dict[str, tuple[Scenario, bool, bool]] = {
    "typo fixed outside the quotes": (typo_outside, False, False),
    "typo fixed inside a quote": (typo_inside, True, False),
    "paragraph inserted": (paragraph_inserted, False, False),
    "sentence deleted elsewhere": (sentence_deleted, False, False),
    "reflow (paragraphs joined)": (reflow, False, False),
    "straight to curly quotes": (curly_quotes, False, False),
    "update appended": (update_appended, False, False),
    "quoted passage deleted": (passage_deleted, True, False),
    "repeated quote, annotated copy edited": (typo_inside, True, True),
    "repeated quote, annotated copy deleted": (passage_deleted, True, True),
    "repeated quote, edit elsewhere": (typo_outside, True, True),
    "short quote reworded, mentioned elsewhere": (reworded_and_said_elsewhere, True, False),
}


# ---------- the truth ----------


def apply(text: str, edits: Iterable[Edit]) -> str:
    parts, at = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts += [text[at : edit.start], edit.text]
        at = edit.end
    return "".join(parts) + text[at:]


def truth(span: Span, edits: list[Edit]) -> tuple[str, Span | None]:
    """("intact", new span) | ("changed", None) | ("gone", None) for an annotation."""
    start, end = span
    shift = 0
    for edit in edits:
        inserting = edit.start == edit.end
        if (inserting and start < edit.start < end) or (
            not inserting and edit.start < end and edit.end > start
        ):
            removed_whole = edit.start <= start and edit.end >= end and not edit.text.strip()
            return ("gone" if removed_whole else "changed"), None
        if edit.end <= start:
            shift += len(edit.text) - (edit.end - edit.start)
    return "intact", (start + shift, end + shift)


def judge(annotation: Annotation, expected: tuple[str, Span | None]) -> str:
    state, span = expected
    status = annotation.anchor_status
    if status == AnchorStatus.ANCHORED:
        return (
            "anchored"
            if state == "intact" and span == (annotation.start, annotation.end)
            else "silently_wrong"
        )
    if state == "intact":
        return "cautious"
    return "flagged" if status == AnchorStatus.NEEDS_REVIEW else "orphaned"


# ---------- running it ----------


class _Undo(Exception):
    """Raised to roll a scenario's revisions back."""


def run(articles: Iterable[Article], *, seed: int = 1, per_article: int = 3) -> list[Row]:
    """Every scenario on every article with annotations (per-annotation scenarios on at
    most ``per_article`` annotations of each article, chosen at random)."""
    rng = random.Random(seed)
    rows = {name: Row(name) for name in SCENARIOS}
    for article in articles:
        annotations = list(Annotation.objects.filter(article=article).order_by("pk"))
        anchored = [a for a in annotations if a.anchor_status == AnchorStatus.ANCHORED]
        if not anchored:
            continue
        for name, (scenario, per_annotation, with_copy) in SCENARIOS.items():
            chosen: list[Annotation | None] = (
                list(rng.sample(anchored, min(per_article, len(anchored))))
                if per_annotation
                else [None]
            )
            for one in chosen:
                _run_one(rows[name], article, scenario, one, with_copy, rng)
    return list(rows.values())


def _run_one(
    row: Row,
    article: Article,
    scenario: Scenario,
    one: Annotation | None,
    with_copy: bool,
    rng: random.Random,
) -> None:
    try:
        with transaction.atomic():
            article = Article.objects.get(pk=article.pk)
            if with_copy and one is not None:  # its words also occur elsewhere in the article
                # (as a paragraph at the far end, not next to them: deleting either of
                # two neighbouring copies gives the same text)
                text = article.text
                far = one.start > len(text) // 2
                with_it = one.quote + "\n\n" + text if far else text + "\n\n" + one.quote
                revise_article(article=article, new_text=with_it, author=None)
                article.refresh_from_db()
                one.refresh_from_db()
            if scenario is reworded_and_said_elsewhere and one is not None:
                one = _name_annotation(article, one, rng)  # a short quote to reword
                if one is None:
                    raise _Undo
            before = list(Annotation.objects.filter(article=article).order_by("pk"))
            spans = [(a.start, a.end) for a in before]
            edits = scenario(article.text, spans, rng, (one.start, one.end) if one else None)
            new_text = apply(article.text, edits)
            if (
                not edits
                or new_text == article.text
                or canonical_text.canonicalize(new_text) != new_text
            ):
                raise _Undo
            revise_article(article=article, new_text=new_text, author=None, reason=row.scenario)
            row.revisions += 1
            after = {a.pk: a for a in Annotation.objects.filter(article=article)}
            for annotation in before:
                if annotation.anchor_status != AnchorStatus.ANCHORED:
                    continue  # it was already waiting for its analyst before this edit
                outcome = judge(
                    after[annotation.pk], truth((annotation.start, annotation.end), edits)
                )
                row.counts[outcome] += 1
                if outcome == "silently_wrong":
                    row.wrong.append(f"article {article.pk}, annotation {annotation.pk}")
            raise _Undo
    except _Undo:
        pass


_NAME = re.compile(r"\b[A-Z][a-z]{3,}\b")


def _name_annotation(article: Article, beside: Annotation, rng: random.Random):
    """An annotation of one capitalised word (a name, mostly) of the article, by the same
    analyst as ``beside``: the short quote the scenario rewords."""
    words = [m for m in _NAME.finditer(article.text) if m.start() > 0]
    if not words:
        return None
    word = rng.choice(words)
    return create_annotation(
        article=article,
        annotator=beside.annotator,
        start=word.start(),
        end=word.end(),
        quote=word.group(),
    )


def table(rows: list[Row]) -> str:
    """The results as a Markdown table (with a total row)."""
    header = (
        "| scenario | revisions | outcomes | "
        + " | ".join(o.replace("_", " ") for o in OUTCOMES)
        + " |"
    )
    lines = [header, "|---|" + "---:|" * (len(OUTCOMES) + 2)]
    totals = dict.fromkeys(OUTCOMES, 0)
    for row in rows:
        for outcome in OUTCOMES:
            totals[outcome] += row.counts[outcome]
        cells = [str(row.counts[o]) for o in OUTCOMES]
        lines.append(
            f"| {row.scenario} | {row.revisions} | {row.total} | " + " | ".join(cells) + " |"
        )
    total = sum(totals.values())
    revisions = sum(row.revisions for row in rows)
    cells = [f"**{totals[o]}**" for o in OUTCOMES]
    lines.append(f"| **all** | **{revisions}** | **{total}** | " + " | ".join(cells) + " |")
    return "\n".join(lines)
