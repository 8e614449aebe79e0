"""Comparing outlets: who carries a tag, a claim or a speaker's voice, and who leaves it out.

A comparison is a table: columns are outlets (or outlet kinds, or countries), rows are
the codebook's tags, the claims, or the speakers. A cell holds the number of annotations
of the selection in that row and column, a few of its passages, and that number per
1,000 words of the column's articles in the selection.

Counting rule (the same as the export of the same filter): an annotation counts once in
the row of each of its tags, once in its claim's row and once in its speaker's row. A
parent tag or claim stands for its whole subtree (``annotations/trees.py``): its row
counts each annotation coded with it or with anything under it once, so a row equals the
export filtered by that tag or claim. Two overlapping annotations are two passages.
Columns come from the selection's *articles*, so an outlet whose articles carry no
annotation still has a column, of empty cells (a blind spot, within the selection); an
outlet with no article in the selection (its story, its period) has no column and is
listed as having "no coverage" instead: it had nothing to leave out.

Every count is aggregated by the database: the number of queries is the same for ten
annotations or two hundred thousand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, DateField, Expression, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek

from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import (
    Actor,
    Annotation,
    AnnotationQuerySet,
    AnnotationTag,
    Claim,
    Stance,
    Tag,
)
from apps.corpus.models import Article, Source, SourceKind
from apps.projects.models import Project


@dataclass(frozen=True)
class RowKind:
    """What a comparison's rows can be, and where each kind's values live."""

    label: str
    model: type[Tag] | type[Claim] | type[Actor] | None  # None: the values are ``choices``
    name_field: str  # the row's label
    link_model: type[AnnotationTag] | type[Annotation]  # one row of it per (annotation, value)
    link_field: str  # the value's id on ``link_model``
    annotation_id: str  # the annotation's id on ``link_model``
    hierarchical: bool  # a parent row stands for its subtree
    choices: type[Stance] | None = None

    def prefix(self) -> str:
        """How ``link_model`` reaches the annotation, for ``AnnotationFilter.condition``."""
        return "annotation__" if self.link_model is AnnotationTag else ""

    def annotations_with(self, ids: list) -> Q:
        """A condition on annotations: coded with any of ``ids`` in this kind."""
        links = self.link_model.objects.filter(**{f"{self.link_field}__in": ids})
        return Q(pk__in=links.values(self.annotation_id))

    @property
    def no_value(self) -> object:
        """What ``link_field`` holds when a passage has no value of this kind."""
        return "" if self.choices else None


ROW_KINDS = {
    "tags": RowKind("Tags", Tag, "name", AnnotationTag, "tag_id", "annotation_id", True),
    "claims": RowKind("Claims", Claim, "text", Annotation, "claim_id", "pk", True),
    "actors": RowKind("Speakers", Actor, "name", Annotation, "speaker_id", "pk", False),
    "targets": RowKind("Targets", Actor, "name", Annotation, "target_id", "pk", False),
    "stances": RowKind("Stances", None, "", Annotation, "stance", "pk", False, Stance),
}
DIMENSIONS = {key: kind.label for key, kind in ROW_KINDS.items()}
GROUPINGS = {
    "source": "Outlet",
    "kind": "Kind of outlet",
    "country": "Country",
    "month": "Month",
    "week": "Week",
}
# Time columns: one per period in which the selection has articles (periods without any
# are left out, not shown empty); articles without a date make a column of their own.
PERIODS = {"month": TruncMonth, "week": TruncWeek}
SORTS = {"codebook": "Codebook order", "total": "Most passages", "spread": "Most outlets"}
PASSAGES_PER_CELL = 3


@dataclass
class Column:
    """A column: one or more values of the grouping's axis (outlet ids, or a period's
    first day), and the selection's articles and words there."""

    key: str
    label: str
    parts: list = field(default_factory=list)
    articles: int = 0
    words: int = 0


@dataclass
class Passage:
    annotation_id: int
    article_id: int
    quote: str
    stance: str
    speaker: str | None
    target: str | None
    source: str
    published: object


@dataclass
class Cell:
    column: Column
    count: int = 0
    per_1000_words: float | None = None
    passages: list[Passage] = field(default_factory=list)
    heat: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.passages)


@dataclass
class Row:
    key: int
    label: str
    depth: int
    order: int
    cells: list[Cell]
    total: int = 0
    spread: int = 0
    missing: list[str] = field(default_factory=list)
    parent_label: str = ""


@dataclass
class Comparison:
    dimension: str
    grouping: str
    sort: str
    columns: list[Column]
    rows: list[Row]
    silent_rows: list[Row]  # no outlet carries them in this selection
    annotations: int | None
    max_count: int
    no_coverage: list[Source]  # the selection's outlets without an article in it

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]


def _axis(grouping: str, to_article: str = "article__") -> Expression | F:
    """What a column is made of: the outlet (grouped into kinds or countries in Python:
    outlets are few), or the period of publication."""
    if grouping in PERIODS:
        return PERIODS[grouping](f"{to_article}published", output_field=DateField())
    return F(f"{to_article}source_id")


def _links(filters: AnnotationFilter, project: Project, user, kind: RowKind) -> QuerySet:
    """One row per (annotation, value) of the selection: tag links, or annotations."""
    links = kind.link_model.objects.filter(filters.condition(project, user, kind.prefix()))
    return links.exclude(**{kind.link_field: kind.no_value})


def _counts(
    filters: AnnotationFilter,
    project: Project,
    user,
    kind: RowKind,
    subtrees: dict,
    grouping: str,
) -> dict[tuple, int]:
    """(row value, axis value) -> number of annotations, aggregated by the database.

    A row with descendants counts the distinct annotations of its subtree (one with a
    parent tag and a child tag counts once), in one more query for all such rows: a
    conditional distinct count per such row, grouped by the axis. (Grouping by "the
    ancestor at each level" instead, with CASE, measured slower on both databases.)"""
    links = _links(filters, project, user, kind).annotate(axis=_axis(grouping))
    counts = {
        (row, axis): n
        for row, axis, n in links.values(kind.link_field, "axis")
        .annotate(n=Count(kind.annotation_id))
        .values_list(kind.link_field, "axis", "n")
    }
    parents = {pk: ids for pk, ids in subtrees.items() if len(ids) > 1}
    if parents:
        per_parent = {
            f"r{pk}": Count(
                kind.annotation_id,
                distinct=True,
                filter=Q(**{f"{kind.link_field}__in": sorted(ids)}),
            )
            for pk, ids in parents.items()
        }
        for found in links.values("axis").annotate(**per_parent).order_by():
            for pk in parents:
                counts[(pk, found["axis"])] = found[f"r{pk}"]
    return {key: n for key, n in counts.items() if n}


def _passages(
    filters: AnnotationFilter,
    project: Project,
    user,
    kind: RowKind,
    per_cell: int,
    grouping: str,
) -> dict[tuple, list[Passage]]:
    """The first passages (by publication date) of each (value, axis value) cell.

    Two queries: the ranking reads narrow rows only (ids, dates), then the few passages
    kept are read in full; ranking whole rows with their quotes was most of the time.
    A parent row takes the first of its subtree's cells (``build_comparison``)."""
    if per_cell <= 0:
        return {}
    row_key, pk = kind.link_field, kind.annotation_id
    ranked = (
        _links(filters, project, user, kind)
        .annotate(axis=_axis(grouping))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F(row_key), F("axis")],
                order_by=[F("article__published").asc(nulls_last=True), F(pk).asc()],
            )
        )
        .filter(rank__lte=per_cell)
        .values_list(row_key, "axis", pk)
    )
    cells = list(ranked)
    details = {
        values[0]: Passage(*values)
        for values in Annotation.objects.filter(pk__in={c[2] for c in cells})
        .order_by()
        .values_list(
            "pk",
            "article_id",
            "quote",
            "stance",
            "speaker__name",
            "target__name",
            "article__source__name",
            "article__published",
        )
    }
    found: dict[tuple, list[Passage]] = defaultdict(list)
    for row, axis, annotation_id in cells:
        found[(row, axis)].append(details[annotation_id])
    return found


def _columns(articles: QuerySet[Article], grouping: str) -> list[Column]:
    """Columns of the selection's articles: one per outlet, kind, country or period."""
    per_part = {
        part: (n, words or 0)
        for part, n, words in articles.annotate(axis=_axis(grouping, to_article=""))
        .values("axis")
        .annotate(n=Count("pk"), words=Sum("word_count"))
        .values_list("axis", "n", "words")
    }
    if grouping in PERIODS:
        columns = [_period_column(grouping, start, *per_part[start]) for start in per_part]
        return sorted(columns, key=lambda c: (c.parts[0] is None, c.parts[0] or date.min))
    sources = Source.objects.filter(pk__in=per_part).order_by("name")
    by_key: dict[str, Column] = {}
    for source in sources:
        if grouping == "kind":
            key, label = source.kind, SourceKind(source.kind).label
        elif grouping == "country":
            key, label = source.country or "none", source.country or "No country"
        else:
            key, label = str(source.pk), source.name
        column = by_key.setdefault(key, Column(key=key, label=label))
        n, words = per_part[source.pk]
        column.parts.append(source.pk)
        column.articles += n
        column.words += words
    return sorted(by_key.values(), key=lambda c: c.label.casefold())


def _period_column(grouping: str, start: date | None, articles: int, words: int) -> Column:
    if start is None:
        label = "No date"
    elif grouping == "week":
        label = f"Week of {start.day} {start:%b %Y}"
    else:
        label = f"{start:%b %Y}"
    key = start.isoformat() if start else "none"
    return Column(key=key, label=label, parts=[start], articles=articles, words=words)


def period_bounds(grouping: str, key: str) -> Q | None:
    """The articles of a time column, as a condition on annotations (None if ``key`` is
    not a period of ``grouping``)."""
    if key == "none":
        return Q(article__published__isnull=True)
    try:
        start = date.fromisoformat(key)
    except ValueError:
        return None
    if grouping == "week":
        end = start + timedelta(days=7)
    else:
        end = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    return Q(article__published__gte=start, article__published__lt=end)


def _row_meta(project: Project, kind: RowKind) -> list[tuple]:
    """(value, label, depth, parent label, parent id) for every possible row, in codebook
    order (stances in their own order)."""
    if kind.choices is not None:
        return [(value, label, 0, "", None) for value, label in kind.choices.choices]
    assert kind.model is not None
    items = list(kind.model.objects.filter(project=project))  # in the model's own order
    labels = {item.pk: getattr(item, kind.name_field) for item in items}
    if not kind.hierarchical:
        return [(item.pk, labels[item.pk], 0, "", None) for item in items]
    return [
        (item.pk, labels[item.pk], depth, labels.get(item.parent_id, ""), item.parent_id)
        for item, depth in trees.depth_first(items)
    ]


def build_comparison(
    *,
    project: Project,
    filters: AnnotationFilter,
    user,
    dimension: str = "tags",
    grouping: str = "source",
    sort: str = "codebook",
    per_cell: int = PASSAGES_PER_CELL,
    count_annotations: bool = True,
) -> Comparison:
    kind = ROW_KINDS[dimension]
    columns = _columns(filters.articles(project), grouping)
    meta = _row_meta(project, kind)
    subtrees = trees.subtrees({pk: parent_id for pk, _, _, _, parent_id in meta})
    counts = _counts(filters, project, user, kind, subtrees, grouping)
    passages = _passages(filters, project, user, kind, per_cell, grouping)
    rows: list[Row] = []
    silent: list[Row] = []
    for order, (pk, label, depth, parent, _) in enumerate(meta):
        cells = [
            _cell(column, pk, subtrees.get(pk, {pk}), counts, passages, per_cell)
            for column in columns
        ]
        row = Row(key=pk, label=label, depth=depth, order=order, cells=cells, parent_label=parent)
        row.total = sum(c.count for c in cells)
        row.spread = sum(1 for c in cells if c.count)
        if row.total:
            row.missing = [col.label for col, c in zip(columns, cells, strict=True) if not c.count]
            rows.append(row)
        else:
            silent.append(row)
    _sort(rows, sort)
    max_count = max((c.count for r in rows for c in r.cells), default=0)
    for row in rows:
        for cell in row.cells:
            cell.heat = heat(cell.count, max_count)
    return Comparison(
        dimension=dimension,
        grouping=grouping,
        sort=sort,
        columns=columns,
        rows=rows,
        silent_rows=silent,
        # A full count at project scale costs a scan of the annotations: only on request.
        annotations=filters.annotations(project, user).count() if count_annotations else None,
        max_count=max_count,
        no_coverage=list(filters.outlets_without_articles(project)),
    )


def _cell(
    column: Column,
    pk: object,
    subtree: set,
    counts: dict[tuple, int],
    passages: dict[tuple, list[Passage]],
    per_cell: int,
) -> Cell:
    cell = Cell(column=column)
    found: dict[int, Passage] = {}
    for part in column.parts:
        cell.count += counts.get((pk, part), 0)
        # Each value's first passages include the first of the whole subtree; an
        # annotation coded with a parent and a child appears once.
        for value in subtree:
            for passage in passages.get((value, part), []):
                found.setdefault(passage.annotation_id, passage)
    cell.passages = sorted(
        found.values(), key=lambda p: (p.published is None, p.published, p.annotation_id)
    )[:per_cell]
    if column.words:
        cell.per_1000_words = round(cell.count * 1000 / column.words, 2)
    return cell


def _sort(rows: list[Row], sort: str) -> None:
    """Codebook order keeps the tree (a parent row counts its subtree, so it is never
    empty above a child that has passages); the rankings flatten it."""
    if sort == "codebook":
        rows.sort(key=lambda r: r.order)
        return
    for row in rows:
        row.depth = 0  # ranked, not a tree
    if sort == "total":
        rows.sort(key=lambda r: (-r.total, -r.spread, r.order))
    else:
        rows.sort(key=lambda r: (-r.spread, -r.total, r.order))


def cell_annotations(
    *,
    project: Project,
    filters: AnnotationFilter,
    user,
    dimension: str,
    grouping: str,
    row: object,
    column: Column,
) -> AnnotationQuerySet:
    """Every annotation behind one number of a comparison (a row and a column)."""
    kind = ROW_KINDS[dimension]
    values: list = [row]
    if kind.hierarchical and kind.model is not None and isinstance(row, int):
        values = trees.subtree_ids(kind.model._default_manager.filter(project=project), row)
    if grouping in PERIODS:
        in_column = period_bounds(grouping, column.key) or Q(pk__in=[])
    else:
        in_column = Q(article__source_id__in=column.parts)
    return filters.annotations(project, user).filter(kind.annotations_with(values), in_column)


def heat(count: int, maximum: int) -> int:
    """A 0–9 shade for a matrix cell (CSS classes, since inline styles are not allowed)."""
    if not count or not maximum:
        return 0
    return max(1, min(9, round(9 * count / maximum)))
