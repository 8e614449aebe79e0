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

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import (
    Actor,
    Annotation,
    AnnotationQuerySet,
    AnnotationTag,
    Claim,
    Tag,
)
from apps.corpus.models import Article, Source, SourceKind
from apps.projects.models import Project


@dataclass(frozen=True)
class RowKind:
    """What a comparison's rows can be, and where each kind's values live."""

    label: str
    model: type[Tag] | type[Claim] | type[Actor]
    name_field: str  # the row's label
    link_model: type[AnnotationTag] | type[Annotation]  # one row of it per (annotation, value)
    link_field: str  # the value's id on ``link_model``
    annotation_id: str  # the annotation's id on ``link_model``
    hierarchical: bool  # a parent row stands for its subtree

    def prefix(self) -> str:
        """How ``link_model`` reaches the annotation, for ``AnnotationFilter.condition``."""
        return "annotation__" if self.link_model is AnnotationTag else ""

    def annotations_with(self, ids: list[int]) -> Q:
        """A condition on annotations: coded with any of ``ids`` in this kind."""
        links = self.link_model.objects.filter(**{f"{self.link_field}__in": ids})
        return Q(pk__in=links.values(self.annotation_id))


ROW_KINDS = {
    "tags": RowKind("Tags", Tag, "name", AnnotationTag, "tag_id", "annotation_id", True),
    "claims": RowKind("Claims", Claim, "text", Annotation, "claim_id", "pk", True),
    "actors": RowKind("Speakers", Actor, "name", Annotation, "speaker_id", "pk", False),
}
DIMENSIONS = {key: kind.label for key, kind in ROW_KINDS.items()}
GROUPINGS = {"source": "Outlet", "kind": "Kind of outlet", "country": "Country"}
SORTS = {"codebook": "Codebook order", "total": "Most passages", "spread": "Most outlets"}
PASSAGES_PER_CELL = 3


@dataclass
class Column:
    key: str
    label: str
    source_ids: list[int] = field(default_factory=list)
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


def _links(filters: AnnotationFilter, project: Project, user, kind: RowKind) -> QuerySet:
    """One row per (annotation, value) of the selection: tag links, or annotations."""
    links = kind.link_model.objects.filter(filters.condition(project, user, kind.prefix()))
    return links.exclude(**{kind.link_field: None})


def _counts(
    filters: AnnotationFilter,
    project: Project,
    user,
    kind: RowKind,
    subtrees: dict[int, set[int]],
) -> dict[tuple[int, int], int]:
    """(row id, source id) -> number of annotations, aggregated by the database.

    A row with descendants counts the distinct annotations of its subtree (one with a
    parent tag and a child tag counts once), in one more query for all such rows: a
    conditional distinct count per such row, grouped by outlet. (Grouping by "the
    ancestor at each level" instead, with CASE, measured slower on both databases.)"""
    links = _links(filters, project, user, kind)
    source = "article__source_id"
    counts = {
        (row, source_id): n
        for row, source_id, n in links.values(kind.link_field, source)
        .annotate(n=Count(kind.annotation_id))
        .values_list(kind.link_field, source, "n")
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
        for found in links.values(source).annotate(**per_parent).order_by():
            for pk in parents:
                counts[(pk, found[source])] = found[f"r{pk}"]
    return {key: n for key, n in counts.items() if n}


def _passages(
    filters: AnnotationFilter, project: Project, user, kind: RowKind, per_cell: int
) -> dict[tuple[int, int], list[Passage]]:
    """The first passages (by publication date) of each (value, source) cell.

    Two queries: the ranking reads narrow rows only (ids, dates), then the few passages
    kept are read in full; ranking whole rows with their quotes was most of the time.
    A parent row takes the first of its subtree's cells (``build_comparison``)."""
    if per_cell <= 0:
        return {}
    row_key, pk, source = kind.link_field, kind.annotation_id, "article__source_id"
    ranked = (
        _links(filters, project, user, kind)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F(row_key), F(source)],
                order_by=[F("article__published").asc(nulls_last=True), F(pk).asc()],
            )
        )
        .filter(rank__lte=per_cell)
        .values_list(row_key, source, pk)
    )
    cells = [(row, source_id, annotation_id) for row, source_id, annotation_id in ranked]
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
    found: dict[tuple[int, int], list[Passage]] = defaultdict(list)
    for row, source_id, annotation_id in cells:
        found[(row, source_id)].append(details[annotation_id])
    return found


def _columns(articles: QuerySet[Article], grouping: str) -> list[Column]:
    """Columns of the selection's articles: one per outlet, kind or country."""
    per_source = {
        source_id: (n, words or 0)
        for source_id, n, words in articles.values("source_id")
        .annotate(n=Count("pk"), words=Sum("word_count"))
        .values_list("source_id", "n", "words")
    }
    sources = Source.objects.filter(pk__in=per_source).order_by("name")
    columns: dict[str, Column] = {}
    for source in sources:
        if grouping == "kind":
            key, label = source.kind, SourceKind(source.kind).label
        elif grouping == "country":
            key, label = source.country or "none", source.country or "No country"
        else:
            key, label = str(source.pk), source.name
        column = columns.setdefault(key, Column(key=key, label=label))
        n, words = per_source[source.pk]
        column.source_ids.append(source.pk)
        column.articles += n
        column.words += words
    return sorted(columns.values(), key=lambda c: c.label.casefold())


def _row_meta(project: Project, kind: RowKind) -> list[tuple[int, str, int, str, int | None]]:
    """(id, label, depth, parent label, parent id) for every possible row, codebook order."""
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
    counts = _counts(filters, project, user, kind, subtrees)
    passages = _passages(filters, project, user, kind, per_cell)
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
    pk: int,
    subtree: set[int],
    counts: dict[tuple[int, int], int],
    passages: dict[tuple[int, int], list[Passage]],
    per_cell: int,
) -> Cell:
    cell = Cell(column=column)
    found: dict[int, Passage] = {}
    for source_id in column.source_ids:
        cell.count += counts.get((pk, source_id), 0)
        # Each value's first passages include the first of the whole subtree; an
        # annotation coded with a parent and a child appears once.
        for value in subtree:
            for passage in passages.get((value, source_id), []):
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
    row: int,
    sources: list[int],
) -> AnnotationQuerySet:
    """Every annotation behind one number of a comparison (a row and a column)."""
    kind = ROW_KINDS[dimension]
    values = (
        trees.subtree_ids(kind.model.objects.filter(project=project), row)
        if kind.hierarchical
        else [row]
    )
    return filters.annotations(project, user).filter(
        kind.annotations_with(values), article__source_id__in=sources
    )


def heat(count: int, maximum: int) -> int:
    """A 0–9 shade for a matrix cell (CSS classes, since inline styles are not allowed)."""
    if not count or not maximum:
        return 0
    return max(1, min(9, round(9 * count / maximum)))
