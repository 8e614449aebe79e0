"""Comparing outlets: who carries a tag, a claim or a voice, and who leaves it out.

A comparison is a table: rows are values of one kind and columns groups of the
selection's articles (``dimensions.py``). A cell holds the number of passages of the
selection in that row and column, by one of two rules (``counting.py``), a few of its
passages, and that number per 1,000 words of the column's articles in the selection.

By the default rule a cell equals the export of the same filter: an annotation counts
once in the row of each of its values, and a parent tag or claim stands for its whole
subtree (``annotations/trees.py``), counting each annotation coded with it or with
anything under it once, so a row equals the export filtered by that tag or claim.
Columns come from the selection's *articles*, so an outlet whose articles carry no
annotation still has a column, of empty cells (a blind spot, within the selection); an
outlet with no article in the selection (its story, its period) has no column and is
listed as having "no coverage" instead: it had nothing to leave out.

The number of queries is the same for ten annotations or two hundred thousand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from apps.analysis import counting, dimensions
from apps.analysis.dimensions import (
    DIMENSIONS,
    GROUPINGS,
    PERIODS,
    ROW_KINDS,
    Column,
    RowKind,
    period_bounds,
)
from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import Annotation, AnnotationQuerySet
from apps.projects.models import Project

__all__ = ["DIMENSIONS", "GROUPINGS", "SORTS", "build_comparison", "cell_annotations"]

SORTS = {"codebook": "Codebook order", "total": "Most passages", "spread": "Most outlets"}
PASSAGES_PER_CELL = 3


@dataclass
class Passage:
    annotation_id: int
    article_id: int
    quote: str
    voice: str
    position: str
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
    missing_outlets: list[int] = field(default_factory=list)  # none for time columns
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
    counting: str = "annotations"  # the rule of the numbers (``counting.COUNTINGS``)

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]

    @property
    def distinct(self) -> bool:
        return self.counting == "distinct"


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
        counting.links(filters, project, user, kind)
        .annotate(axis=dimensions.axis(grouping))
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
            "voice",
            "position",
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
    rule: str = "annotations",
) -> Comparison:
    kind = ROW_KINDS[dimension]
    columns = dimensions.columns(filters.articles(project), grouping)
    meta = dimensions.row_meta(project, kind)
    subtrees = trees.subtrees({pk: parent_id for pk, _, _, _, parent_id in meta})
    counts = counting.counts(filters, project, user, kind, subtrees, grouping, rule)
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
            if grouping not in PERIODS:  # the outlets in those columns
                row.missing_outlets = [pk for c in cells if not c.count for pk in c.column.parts]
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
        counting=rule,
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
