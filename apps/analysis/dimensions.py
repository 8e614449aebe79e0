"""What a comparison's rows and columns can be.

Rows are values of one kind (``ROW_KINDS``: tags, claims, speakers, targets, and the
two parts of the stance, voices and positions);
columns are the selection's articles grouped along an axis (``GROUPINGS``: the outlet,
its kind, its country, or the month or week of publication).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, DateField, F, Func, Q, QuerySet, Sum

from apps.annotations import trees
from apps.annotations.models import (
    Actor,
    Annotation,
    AnnotationTag,
    Claim,
    Position,
    Tag,
    Voice,
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
    choices: type[Voice] | type[Position] | None = None

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
    "voices": RowKind("Voices", None, "", Annotation, "voice", "pk", False, Voice),
    "positions": RowKind("Positions", None, "", Annotation, "position", "pk", False, Position),
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
PERIODS = ("month", "week")


class PeriodStart(Func):
    """The first day of a date's month, or of its week (weeks begin on Monday), in each
    engine's own SQL. (Django's TruncMonth and TruncWeek call back into Python for every
    row on SQLite: 1.2 s of a matrix by month over 200,000 annotations.)"""

    output_field = DateField()
    template = "CAST(DATE_TRUNC('%(unit)s', %(expressions)s) AS date)"  # PostgreSQL

    def __init__(self, expression, unit: str):
        if unit not in PERIODS:
            raise ValueError(f"No period “{unit}”.")
        super().__init__(expression, unit=unit)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if self.extra["unit"] == "month":
            return f"date({sql}, 'start of month')", params
        # strftime('%w') counts from Sunday (0): go back to the Monday before.
        back = f"((CAST(strftime('%%w', {sql}) AS INTEGER) + 6) %% 7)"
        return f"date({sql}, '-' || {back} || ' days')", (*params, *params)


@dataclass
class Column:
    """A column: one or more values of the grouping's axis (outlet ids, or a period's
    first day), and the selection's articles and words there."""

    key: str
    label: str
    parts: list = field(default_factory=list)
    articles: int = 0
    words: int = 0


def axis(grouping: str, to_article: str = "article__") -> PeriodStart | F:
    """What a column is made of: the outlet (grouped into kinds or countries in Python:
    outlets are few), or the period of publication."""
    if grouping in PERIODS:
        return PeriodStart(F(f"{to_article}published"), grouping)
    return F(f"{to_article}source_id")


def columns(articles: QuerySet[Article], grouping: str) -> list[Column]:
    """Columns of the selection's articles: one per outlet, kind, country or period."""
    per_part = {
        part: (n, words or 0)
        for part, n, words in articles.annotate(axis=axis(grouping, to_article=""))
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
            country = source.country.upper()
            key, label = country or "none", country or "No country"
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


def next_period(start: date, unit: str) -> date | None:
    """The first day of the period after the one ``start`` begins (None past the
    calendar's end, a date in 9999)."""
    try:
        if unit == "week":
            return start + timedelta(days=7)
        return (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    except OverflowError:
        return None


def period_bounds(grouping: str, key: str) -> Q | None:
    """The articles of a time column, as a condition on annotations (None if ``key`` is
    not a period of ``grouping``)."""
    if key == "none":
        return Q(article__published__isnull=True)
    try:
        start = date.fromisoformat(key)
    except ValueError:
        return None
    end = next_period(start, grouping)
    if end is None:  # the calendar's last period
        return Q(article__published__gte=start)
    return Q(article__published__gte=start, article__published__lt=end)


def row_meta(project: Project, kind: RowKind) -> list[tuple]:
    """(value, label, depth, parent label, parent id) for every possible row, in codebook
    order (a stance's parts in their own order)."""
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
