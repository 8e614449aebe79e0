"""Counting the cells of a comparison, by one of two rules (``COUNTINGS``).

- **annotations** (the default): each annotation counts once in the row of each of its
  values, so two analysts coding the same sentence count twice. The export has one line
  per annotation, so a cell is the number of export lines in it.
- **distinct**: in each article, a run of overlapping passages with the row's value (or,
  for a parent row, a value of its subtree) counts once, whoever coded them: two analysts
  coding the same sentence count once. Spans that only touch (one ends where the next
  begins) do not overlap. The number can be worked out from the export's article,
  start, end and value columns by the same rule.

A parent tag or claim stands for its subtree under both rules.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from apps.analysis.dimensions import RowKind, axis
from apps.annotations.filters import AnnotationFilter
from apps.projects.models import Project

COUNTINGS = {
    "annotations": "Annotations (each analyst's)",
    "distinct": "Distinct passages (overlaps merged)",
}


def links(filters: AnnotationFilter, project: Project, user, kind: RowKind) -> QuerySet:
    """One row per (annotation, value) of the selection: tag links, or annotations."""
    found = kind.link_model.objects.filter(filters.condition(project, user, kind.prefix()))
    return found.exclude(**{kind.link_field: kind.no_value})


def counts(
    filters: AnnotationFilter,
    project: Project,
    user,
    kind: RowKind,
    subtrees: dict,
    grouping: str,
    rule: str = "annotations",
) -> dict[tuple, int]:
    """(row value, axis value) -> the cell's number, by ``rule`` (``COUNTINGS``)."""
    if rule == "distinct":
        return _distinct(filters, project, user, kind, subtrees, grouping)
    return _annotations(filters, project, user, kind, subtrees, grouping)


def _annotations(
    filters: AnnotationFilter,
    project: Project,
    user,
    kind: RowKind,
    subtrees: dict,
    grouping: str,
) -> dict[tuple, int]:
    """Annotations per cell, aggregated by the database.

    A row with descendants counts the distinct annotations of its subtree (one with a
    parent tag and a child tag counts once), in one more query for all such rows: a
    conditional distinct count per such row, grouped by the axis. (Grouping by "the
    ancestor at each level" instead, with CASE, measured slower on both databases.)"""
    selected = links(filters, project, user, kind).annotate(column=axis(grouping))
    found = {
        (row, column): n
        for row, column, n in selected.values(kind.link_field, "column")
        .annotate(n=Count(kind.annotation_id))
        .values_list(kind.link_field, "column", "n")
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
        for row in selected.values("column").annotate(**per_parent).order_by():
            for pk in parents:
                found[(pk, row["column"])] = row[f"r{pk}"]
    return {key: n for key, n in found.items() if n}


def _distinct(
    filters: AnnotationFilter,
    project: Project,
    user,
    kind: RowKind,
    subtrees: dict,
    grouping: str,
) -> dict[tuple, int]:
    """Runs of overlapping spans per (row, article), summed per cell.

    The spans are read (one narrow row per annotation and value, in one query) and
    merged here: each value's spans also count towards every row whose subtree holds it.
    The time grows with the selection, the number of queries does not."""
    rows_of: dict = defaultdict(list)  # value -> the rows it counts in
    for row, subtree in subtrees.items():
        for value in subtree:
            rows_of[value].append(row)
    p = kind.prefix()
    spans: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    column_of: dict[int, object] = {}
    for value, column, article, start, end in (
        links(filters, project, user, kind)
        .annotate(column=axis(grouping))
        .values_list(kind.link_field, "column", "article_id", f"{p}start", f"{p}end")
        .order_by()
    ):
        column_of[article] = column
        for row in rows_of.get(value, (value,)):
            spans[(row, article)].append((start, end))
    found: dict[tuple, int] = defaultdict(int)
    for (row, article), runs in spans.items():
        found[(row, column_of[article])] += count_runs(runs)
    return dict(found)


def count_runs(spans: list[tuple[int, int]]) -> int:
    """How many runs of overlapping half-open spans there are (spans that only touch,
    one ending where the next begins, are two runs)."""
    runs, reach = 0, None
    for start, end in sorted(spans):
        if reach is None or start >= reach:
            runs += 1
            reach = end
        else:
            reach = max(reach, end)
    return runs
