"""Revising an article's text and re-anchoring its annotations (DESIGN §5).

The text under annotations is never edited in place. A new text becomes a new revision
(the old one is kept in ``ArticleRevision``) and every annotation is placed again:

1. mapped through a character diff of the two texts: if the mapped span still holds the
   quote, the annotation is *exact* (same offsets) or *moved* (new offsets, same words);
2. else found again by its quote, only where that can only be the annotated passage (the
   only copy of the words before and after, or the only place with the same words
   around them) — *moved*;
3. else fuzzily matched (rapidfuzz) near where it was: the annotation points at the
   similar passage, keeps its own quote in ``original_quote`` and *needs review*;
4. else *orphaned*: it keeps its quote and offsets for its analyst to re-attach or delete.

Nothing is moved silently and nothing is dropped: each revision records how many
annotations ended in each state.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass

from django.db import connection, transaction

from apps.accounts.models import User
from apps.annotations.annotating import context_of
from apps.annotations.models import AnchorStatus, Annotation
from apps.corpus import text as canonical_text
from apps.corpus.models import Article, ArticleRevision

# A fuzzy match must be at least this similar (0–100) to be offered for review.
FUZZY_THRESHOLD = 80.0
# How far around the mapped position a fuzzy match is looked for, besides the quote's
# own length; beyond that a similar passage is more likely another one.
FUZZY_WINDOW = 2_000
# A quote at least this long, the only copy before and after, is the passage itself
# wherever it now is; a shorter one (a name, a phrase) must also keep words like its own
# on one side (at least this similar, 0–100).
DISTINCT_QUOTE = 40
CONTEXT_ALIKE = 80.0
# Diffs of very different long texts are cut off rather than run for seconds.
DIFF_TIME_LIMIT = 2.0


@dataclass
class RevisionSummary:
    exact: int = 0
    moved: int = 0
    needs_review: int = 0
    orphaned: int = 0

    @property
    def total(self) -> int:
        return self.exact + self.moved + self.needs_review + self.orphaned

    def __str__(self) -> str:
        return (
            f"{self.exact} exact, {self.moved} moved, {self.needs_review} need review, "
            f"{self.orphaned} orphaned"
        )


class OffsetMap:
    """Maps code-point offsets of an old text to a new one through a diff."""

    def __init__(self, old: str, new: str):
        self._old_starts: list[int] = []
        self._spans: list[tuple[str, int, int, int]] = []  # (op, old start, new start, length)
        from fast_diff_match_patch import diff  # on use, as rapidfuzz below: see _fuzz

        old_at = new_at = 0
        for op, length in diff(old, new, counts_only=True, timelimit=DIFF_TIME_LIMIT):
            if op == "+":
                new_at += length
                continue
            self._old_starts.append(old_at)
            self._spans.append((op, old_at, new_at, length))
            old_at += length
            if op == "=":
                new_at += length
        self._new_length = len(new)

    def map(self, offset: int) -> int:
        """Where ``offset`` lands in the new text (a deleted stretch maps to its edge)."""
        index = bisect_right(self._old_starts, offset) - 1
        if index < 0:
            return 0
        op, old_start, new_start, length = self._spans[index]
        if offset - old_start >= length:
            # Past the last span: the end of the text.
            return min(self._new_length, new_start + (length if op == "=" else 0))
        if op == "=":
            return new_start + (offset - old_start)
        return new_start


def _fuzz():
    """rapidfuzz, imported when a revision needs it: most requests of a worker never
    re-anchor, and the diff and fuzzy-matching libraries are megabytes of memory each."""
    from rapidfuzz import fuzz

    return fuzz


def _around(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[str, str]:
    """The text just before and after ``start:end``, as long as the stored context."""
    return text[max(0, start - len(prefix)) : start], text[end : end + len(suffix)]


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    before, after = _around(text, start, end, prefix, suffix)
    fuzz = _fuzz()
    return fuzz.ratio(prefix, before) + fuzz.ratio(suffix, after)


def _same_context(text: str, start: int, end: int, annotation: Annotation) -> bool:
    """Whether the text around ``start:end`` is the annotation's context, word for word."""
    prefix, suffix = annotation.prefix, annotation.suffix
    return _around(text, start, end, prefix, suffix) == (prefix, suffix)


def _same_passage(
    annotation: Annotation,
    quote: str,
    old: str,
    new: str,
    at: int,
    mapped: tuple[int, int] | None,
) -> bool:
    """Whether the quote found at ``at`` in the new text can only be the annotated passage.

    Yes when it was and is the only copy of the words, it lies away from where the diff
    put the passage, and it is long enough to be that passage or still stands among
    words like its own (a paragraph moved; a name such as "Kerry", now only in another
    sentence, is another mention, not the one annotated); or when the words with their
    context
    (prefix and suffix, word for word) occur exactly there and nowhere else, and did not
    occur twice before. A quote repeated in an article (a lead sentence, a quotation, a
    paragraph a CMS printed twice) whose annotated copy was edited or deleted must not be
    reported anchored at another copy; nor may a passage that was edited where it stands
    (text inserted into it that repeats its first words) be reported intact: both are
    left to the fuzzy match, which asks for review."""
    end = at + len(quote)
    overlaps = mapped is not None and at < mapped[1] and end > mapped[0]
    only_copy = _copies(old, quote) == _copies(new, quote) == 1 and not overlaps
    if only_copy and (len(quote) >= DISTINCT_QUOTE or _similar_context(new, at, end, annotation)):
        return True
    in_context = annotation.prefix + quote + annotation.suffix
    return (
        _same_context(new, at, end, annotation)
        and _copies(new, in_context) == 1
        and _copies(old, in_context) <= 1
    )


def _copies(text: str, words: str) -> int:
    """How many times ``words`` occur in ``text``, overlapping ones too ("ha ha" is twice
    in "ha ha ha"), counted up to 2: only none, one or several matter."""
    first = text.find(words)
    if first < 0:
        return 0
    return 1 if text.find(words, first + 1) < 0 else 2


def _similar_context(text: str, start: int, end: int, annotation: Annotation) -> bool:
    """Whether the words on either side of ``start:end`` are much like the annotation's
    own prefix or suffix (as inside a paragraph that moved whole)."""
    fuzz = _fuzz()
    prefix, suffix = annotation.prefix, annotation.suffix
    before, after = _around(text, start, end, prefix, suffix)
    return (bool(prefix) and fuzz.ratio(prefix, before) >= CONTEXT_ALIKE) or (
        bool(suffix) and fuzz.ratio(suffix, after) >= CONTEXT_ALIKE
    )


def _find_exact(text: str, quote: str, prefix: str, suffix: str, near: int) -> int | None:
    best: tuple[float, int, int] | None = None
    at = text.find(quote)
    while at >= 0:
        score = _context_score(text, at, at + len(quote), prefix, suffix)
        key = (score, -abs(at - near), at)
        if best is None or key > best:
            best = key
        at = text.find(quote, at + 1)
    return best[2] if best else None


def _find_fuzzy(text: str, quote: str, near: int) -> tuple[int, int] | None:
    if not quote.strip():
        return None
    window_start = max(0, near - FUZZY_WINDOW - len(quote))
    window = text[window_start : near + FUZZY_WINDOW + 2 * len(quote)]
    if not window:
        return None
    found = _fuzz().partial_ratio_alignment(quote, window, score_cutoff=FUZZY_THRESHOLD)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start, end = window_start + found.dest_start, window_start + found.dest_end
    # Trim whitespace the alignment may have taken at the edges.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def place(annotation: Annotation, old_text: str, new_text: str, offsets: OffsetMap) -> str:
    """Set the annotation's span in ``new_text``; return the outcome's name."""
    quote = annotation.original_quote or annotation.quote
    mapped: tuple[int, int] | None = None
    if annotation.anchor_status == AnchorStatus.ORPHANED:
        near = min(annotation.start, len(new_text))
    else:
        start, end = offsets.map(annotation.start), offsets.map(annotation.end)
        if new_text[start:end] == quote:
            moved = (start, end) != (annotation.start, annotation.end)
            _anchor(annotation, new_text, start, end, quote)
            return "moved" if moved else "exact"
        near, mapped = start, (start, end)
    at = _find_exact(new_text, quote, annotation.prefix, annotation.suffix, near)
    if at is not None and _same_passage(annotation, quote, old_text, new_text, at, mapped):
        _anchor(annotation, new_text, at, at + len(quote), quote)
        return "moved"
    fuzzy = _find_fuzzy(new_text, quote, near)
    if fuzzy is not None:
        start, end = fuzzy
        annotation.original_quote = quote
        annotation.quote = new_text[start:end]
        annotation.start, annotation.end = start, end
        annotation.prefix, annotation.suffix = context_of(new_text, start, end)
        annotation.anchor_status = AnchorStatus.NEEDS_REVIEW
        return "needs_review"
    annotation.quote = quote
    annotation.original_quote = ""
    annotation.anchor_status = AnchorStatus.ORPHANED
    return "orphaned"


def _anchor(annotation: Annotation, text: str, start: int, end: int, quote: str) -> None:
    annotation.start, annotation.end = start, end
    annotation.quote = quote
    annotation.original_quote = ""
    annotation.prefix, annotation.suffix = context_of(text, start, end)
    annotation.anchor_status = AnchorStatus.ANCHORED


_POSITION_FIELDS = [
    "start",
    "end",
    "quote",
    "original_quote",
    "prefix",
    "suffix",
    "anchor_status",
    "version",
]


def _save_positions(annotations: list[Annotation]) -> None:
    """One parameterised UPDATE per annotation, sent as a batch.

    ``bulk_update`` builds a CASE expression per field and object; for a thousand
    annotations that took over a second of Python, this takes a few milliseconds."""
    if not annotations:
        return
    table = connection.ops.quote_name(Annotation._meta.db_table)
    column_of = {field.name: field.column for field in Annotation._meta.concrete_fields}
    columns = [column_of[name] for name in _POSITION_FIELDS]
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = %s",
            [[getattr(a, name) for name in _POSITION_FIELDS] + [a.pk] for a in annotations],
        )


@transaction.atomic
def revise_article(
    *, article: Article, new_text: str, author: User | None, reason: str = ""
) -> RevisionSummary | None:
    """Give ``article`` a new text, keep the old one, and re-anchor every annotation.

    Returns None when the canonical text is unchanged (nothing to revise).
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    new_text = canonical_text.canonicalize(new_text)
    if not new_text:
        raise ValueError("A revision needs some text.")
    if new_text == article.text:
        return None
    old_text = article.text
    offsets = OffsetMap(old_text, new_text)
    summary = RevisionSummary()
    annotations = list(Annotation.objects.filter(article=article).select_for_update())
    for annotation in annotations:
        outcome = place(annotation, old_text, new_text, offsets)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        annotation.version += 1
    _save_positions(annotations)
    ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        text=old_text,
        content_hash=article.content_hash,
        replaced_by=author,
        reason=reason[:200],
        summary=asdict(summary),
    )
    article.set_text(new_text)
    article.revision += 1
    article.save(update_fields=["text", "content_hash", "word_count", "revision"])
    return summary
