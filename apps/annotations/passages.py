"""Passages grouped by outlet, bounded: the first few of each outlet and how many in all.

A claim at scale can have thousands of passages; a page shows the first ``per_source``
of each outlet (by publication date) and links to the rest. The ranking reads narrow
rows (ids and dates); only the passages kept are then read in full."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from apps.annotations.models import Annotation
from apps.corpus.models import Source

PER_SOURCE = 5


@dataclass
class SourceGroup:
    source: Source
    passages: list[Annotation]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.passages)


def by_source(
    annotations: QuerySet[Annotation],
    per_source: int = PER_SOURCE,
    totals: dict[int, int] | None = None,
) -> list[SourceGroup]:
    """``totals`` (passages per source id) may be passed when the caller has them."""
    if totals is None:
        totals = dict(
            annotations.values("article__source_id")
            .annotate(n=Count("pk"))
            .values_list("article__source_id", "n")
        )
    kept = annotations.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("article__source_id")],
            order_by=[
                F("article__published").asc(nulls_last=True),
                F("start").asc(),
                F("pk").asc(),
            ],
        )
    ).filter(rank__lte=per_source)
    first = (
        Annotation.objects.filter(pk__in=list(kept.values_list("pk", flat=True)))
        .order_by()  # sorted below; the default ordering would join and sort in SQL
        .with_related()
        .select_related("article__project")
    )
    groups: dict[int, SourceGroup] = {}
    for annotation in first:
        source = annotation.article.source
        group = groups.setdefault(source.pk, SourceGroup(source, [], totals.get(source.pk, 0)))
        group.passages.append(annotation)
    for group in groups.values():
        group.passages.sort(
            key=lambda a: (a.article.published is None, a.article.published, a.start, a.pk)
        )
    return sorted(groups.values(), key=lambda g: g.source.name.casefold())
