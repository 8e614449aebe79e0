"""The codebook training aid (issue 15): for one tag, the units of the selection where
its coders' values differ, beside the tag's coding rule, so that an owner can see where
the rule leaves room and sharpen it.

A unit and a coder's value for it are those of the agreement figures
(``agreement.py``, one definition: ``units_of`` and ``tag_ranges``): a sentence, or a
character; "yes" where one of the coder's passages with the tag or a tag under it
touches the unit, "no" elsewhere in an article the coder annotated, missing in an
article the coder did not annotate. A unit is listed when its values are not all the
same; for the character unit, a stretch of characters with the same values is listed
once. The alpha and the pairs shown are the tag's figures on the Agreement page, from
the same patterns, so the units listed are exactly those its disagreement counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from apps.analysis import dimensions
from apps.analysis.agreement import (
    UNITS,
    Figures,
    Reach,
    figures_of,
    placed_passages,
    read_coders,
    same_tag,
    tag_ranges,
    units_of,
    why_empty,
    zero_pattern,
)
from apps.analysis.agreement_pairs import CodedPassage
from apps.analysis.reliability import Pattern, runs
from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import Tag
from apps.corpus.sentences import sentence_spans
from apps.projects.models import Project

SHOWN = 300  # units listed at most; the count says how many there are


@dataclass(frozen=True)
class CoderValue:
    """One coder's value for a unit, and the passages with the tag that touch it."""

    coder: str
    value: bool | None  # None: the coder made no annotation in the article
    quotes: list[str]


@dataclass(frozen=True)
class Unit:
    start: int  # characters of the article's text
    end: int
    text: str
    coders: list[CoderValue]


@dataclass
class ArticleUnits:
    pk: int
    title: str
    outlet: str
    content_hash: str
    units: list[Unit] = field(default_factory=list)


@dataclass(frozen=True)
class TagDisagreements:
    tag: Tag
    unit: str
    coders: list[str]
    figures: Figures
    double_coded: int  # articles of the selection two coders or more annotated
    disagreeing: int  # units whose values differ (characters for the character unit)
    listed: int  # the units to list: sentences, or stretches of characters
    articles: list[ArticleUnits]  # the units listed, by article (the first SHOWN)
    key = "all"  # the scope of the figures, as on the Agreement page

    @property
    def shown(self) -> int:
        return sum(len(a.units) for a in self.articles)

    @property
    def rows(self) -> list[Figures]:
        return [self.figures]

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit]


def differ(pattern: Pattern) -> bool:
    """Whether the coders who valued a unit gave it different values."""
    return len({v for v in pattern if v is not None}) > 1


def tag_disagreements(
    *, project: Project, filters: AnnotationFilter, user, tag: Tag, unit: str = "sentence"
) -> TagDisagreements:
    """The units of the selection where the coders disagree on ``tag``, with the tag's
    figures, in a fixed number of queries."""
    if unit not in UNITS:
        raise ValueError(f"Unknown unit of analysis: {unit}")
    meta = dimensions.row_meta(project, dimensions.ROW_KINDS["tags"])
    subtree = trees.subtrees({pk: parent for pk, _, _, _, parent in meta}).get(tag.pk, {tag.pk})
    rows_of: dict[int, list[object]] = {member: [tag.pk] for member in subtree}
    coders, coded, by_article = read_coders(filters, project, user)
    double = [article for article, found in coded.items() if len(found) >= 2]
    rows = (
        filters.articles(project)
        .filter(pk__in=double)
        .order_by("source__name", "published", "title", "pk")
        .values_list("pk", "title", "source__name", "content_hash", "text")
    )
    patterns: Counter[Pattern] = Counter()
    listed: list[ArticleUnits] = []
    disagreeing = double_coded = shown = listed_units = 0
    for pk, title, outlet, content_hash, text in rows:
        double_coded += 1
        placed = placed_passages(by_article, pk)
        size, reach = units_of(text if unit == "sentence" else len(text))
        zero = zero_pattern(coded[pk], len(coders))
        by_coder = tag_ranges(placed, reach, rows_of).get(tag.pk)
        if not by_coder:
            patterns[zero] += size
            continue
        spans = sentence_spans(text) if unit == "sentence" else None
        found = ArticleUnits(pk, title, outlet, content_hash)
        first = 0
        for pattern, length in runs(size, by_coder, zero):
            patterns[pattern] += length
            if differ(pattern):
                disagreeing += length
                for low, high in _units(first, length, spans):
                    listed_units += 1
                    if shown < SHOWN:
                        shown += 1
                        touching = _touching(placed, subtree, reach, low, high)
                        found.units.append(_unit(text, low, high, spans, pattern, coders, touching))
            first += length
        if found.units:
            listed.append(found)
    empty = why_empty(coders, double_coded)
    depth, parent = next(((r[2], r[3]) for r in meta if r[0] == tag.pk), (0, ""))
    figures = figures_of(
        f"tag-{tag.pk}", tag.name, patterns, coders, same_tag, empty, depth, parent
    )
    return TagDisagreements(
        tag, unit, coders, figures, double_coded, disagreeing, listed_units, listed
    )


def _units(first: int, length: int, spans: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    """A run of ``length`` units from ``first``, as units ``[low, high)`` to list: each
    sentence on its own, a stretch of characters as one."""
    if spans is None:
        return [(first, first + length)]
    return [(i, i + 1) for i in range(first, first + length)]


def _touching(
    placed: list[CodedPassage], subtree: set[int], reach: Reach, low: int, high: int
) -> list[CodedPassage]:
    """The passages with the tag (or one under it) that touch units ``[low, high)``."""
    found = []
    for passage in placed:
        if subtree.isdisjoint(passage.tags):
            continue
        first, last = reach(passage.start, passage.end)
        if first < high and last > low:
            found.append(passage)
    return found


def _unit(
    text: str,
    low: int,
    high: int,
    spans: list[tuple[int, int]] | None,
    pattern: Pattern,
    coders: list[str],
    touching: list[CodedPassage],
) -> Unit:
    start, end = (spans[low][0], spans[high - 1][1]) if spans is not None else (low, high)
    values = [
        CoderValue(
            name,
            None if value is None else bool(value),
            [text[p.start : p.end] for p in sorted(touching, key=_place) if p.coder == i],
        )
        for i, (name, value) in enumerate(zip(coders, pattern, strict=True))
    ]
    return Unit(start, end, text[start:end], values)


def _place(passage: CodedPassage) -> tuple[int, int, int]:
    return passage.start, passage.end, passage.pk
