"""Comparing outlets: who carries a tag, a claim or a speaker's voice, and who leaves it out.

A comparison is a table: columns are outlets (or outlet kinds, or countries), rows are
the codebook's tags, the claims, or the speakers. A cell holds the number of annotations
of the selection in that row and column, a few of its passages, and that number per
1,000 words of the column's articles in the selection.

Counting rule (the same as the long-form CSV export): an annotation counts once in the
row of each of its tags, once in its claim's row and once in its speaker's row. Two
overlapping annotations are two passages. Columns come from the selection's *articles*,
so an outlet whose articles carry no annotation still has a column, of empty cells.

Every count is aggregated by the database: the number of queries is the same for ten
annotations or two hundred thousand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from apps.analysis.filters import AnnotationFilter
from apps.annotations.models import Actor, Annotation, AnnotationTag, Claim, Tag
from apps.corpus.models import Article, Source, SourceKind
from apps.projects.models import Project

DIMENSIONS = {"tags": "Tags", "claims": "Claims", "actors": "Speakers"}
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
    context: bool = False  # shown only as the parent of rows that have passages


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

    @property
    def total_in_cells(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]


def _row_field(dimension: str) -> str:
    return {"tags": "tag_id", "claims": "claim_id", "actors": "speaker_id"}[dimension]


def _counts(
    filters: AnnotationFilter, project: Project, user, dimension: str
) -> dict[tuple[int, int], int]:
    """(row id, source id) -> number of annotations, aggregated by the database."""
    if dimension == "tags":
        rows = (
            AnnotationTag.objects.filter(filters.condition(project, user, "annotation__"))
            .values("tag_id", "article__source_id")
            .annotate(n=Count("annotation_id"))
            .values_list("tag_id", "article__source_id", "n")
        )
    else:
        key = _row_field(dimension)
        rows = (
            Annotation.objects.filter(filters.condition(project, user))
            .exclude(**{key: None})
            .values(key, "article__source_id")
            .annotate(n=Count("pk"))
            .values_list(key, "article__source_id", "n")
        )
    return {(row, source): n for row, source, n in rows}


def _passages(
    filters: AnnotationFilter, project: Project, user, dimension: str, per_cell: int
) -> dict[tuple[int, int], list[Passage]]:
    """The first passages (by publication date) of each (row, source) cell.

    Two queries: the ranking reads narrow rows only (ids, dates), then the few passages
    kept are read in full; ranking whole rows with their quotes was most of the time."""
    if per_cell <= 0:
        return {}
    if dimension == "tags":
        base = AnnotationTag.objects.filter(filters.condition(project, user, "annotation__"))
        row_key, pk = "tag_id", "annotation_id"
    else:
        row_key = _row_field(dimension)
        base = Annotation.objects.filter(filters.condition(project, user)).exclude(
            **{row_key: None}
        )
        pk = "pk"
    source = "article__source_id"
    ranked = (
        base.annotate(
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


def _row_meta(project: Project, dimension: str) -> list[tuple[int, str, int, str, int | None]]:
    """(id, label, depth, parent label, parent id) for every possible row, codebook order."""
    if dimension == "actors":
        actors = Actor.objects.filter(project=project).order_by("name")
        return [(a.pk, a.name, 0, "", None) for a in actors]
    model = Tag if dimension == "tags" else Claim
    items = list(model.objects.filter(project=project).select_related("parent"))
    label = (lambda x: x.name) if dimension == "tags" else (lambda x: x.text)
    children: dict[int | None, list] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    ordered: list[tuple[int, str, int, str, int | None]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in children.get(parent_id, []):
            parent = label(item.parent) if item.parent else ""
            ordered.append((item.pk, label(item), depth, parent, item.parent_id))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return ordered


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
    articles = filters.articles(project)
    columns = _columns(articles, grouping)
    counts = _counts(filters, project, user, dimension)
    passages = _passages(filters, project, user, dimension, per_cell)
    rows: list[Row] = []
    silent: list[Row] = []
    parents: dict[int, int | None] = {}
    for order, (pk, label, depth, parent, parent_id) in enumerate(_row_meta(project, dimension)):
        parents[pk] = parent_id
        cells = [Cell(column=column) for column in columns]
        for column_index, column in enumerate(columns):
            cell = cells[column_index]
            for source_id in column.source_ids:
                cell.count += counts.get((pk, source_id), 0)
                cell.passages += passages.get((pk, source_id), [])
            cell.passages = sorted(
                cell.passages, key=lambda p: (p.published is None, p.published, p.annotation_id)
            )[:per_cell]
            if column.words:
                cell.per_1000_words = round(cell.count * 1000 / column.words, 2)
        row = Row(key=pk, label=label, depth=depth, order=order, cells=cells, parent_label=parent)
        row.total = sum(c.count for c in cells)
        row.spread = sum(1 for c in cells if c.count)
        if row.total:
            row.missing = [col.label for col, c in zip(columns, cells, strict=True) if not c.count]
            rows.append(row)
        else:
            silent.append(row)
    if sort == "codebook":
        # A child row needs its parent above it to be read as a hierarchy, even when no
        # outlet carries the parent itself.
        needed = set()
        for row in rows:
            ancestor = parents.get(row.key)
            while ancestor is not None:
                needed.add(ancestor)
                ancestor = parents.get(ancestor)
        context = [r for r in silent if r.key in needed]
        for row in context:
            row.context = True
        silent = [r for r in silent if r.key not in needed]
        rows = sorted(rows + context, key=lambda r: r.order)
    else:
        for row in rows:
            row.depth = 0  # ranked, not a tree
        if sort == "total":
            rows.sort(key=lambda r: (-r.total, -r.spread, r.order))
        else:
            rows.sort(key=lambda r: (-r.spread, -r.total, r.order))
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
    )


def heat(count: int, maximum: int) -> int:
    """A 0–9 shade for a matrix cell (CSS classes, since inline styles are not allowed)."""
    if not count or not maximum:
        return 0
    return max(1, min(9, round(9 * count / maximum)))
