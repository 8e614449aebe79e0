"""Charts of a selection, drawn on the server as SVG (no script, so the CSP stays strict,
and a chart downloads as a file that prints or converts to PNG as it is).

Each chart is its numbers (``table``: a header and rows, also the chart's CSV) and the
shapes that draw them (``marks`` and ``texts``, in SVG user units). The numbers follow
the comparison's default rule: one annotation, one passage; each equals a count of lines
of the annotations export of the same filter (tested).

- ``timeline``: passages per week (or month, over a longer span) by outlet, one row of
  bars per outlet on one scale, periods without any passage included.
- ``voices``: per outlet, the passages carrying a claim by the outlet's voice (its own,
  reporting someone, not given), as bars stacked to 100 %.
- ``positions``: per outlet, passages supporting (right) and disputing (left) their
  claim, with the neutral ones split around the middle: a diverging bar.
- ``heatmap``: the comparison's matrix (rows × columns), darker for more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min

from apps.analysis.compare import Comparison
from apps.analysis.counting import COUNTINGS
from apps.analysis.dimensions import axis, next_period
from apps.annotations.codebook_files import xml_text
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import Position, Voice
from apps.corpus.models import Source
from apps.projects.models import Project

WIDTH = 760
LABELS = 150  # the left margin, for outlet names
ROW = 34
WEEKS_AT_MOST = 26  # a longer span is drawn by month
MONTHS_AT_MOST = 240  # a longer span (a mistyped year?) is not drawn period by period
HEAT = [
    "#ffffff",
    "#eef4ff",
    "#dde9ff",
    "#cadcff",
    "#b4ceff",
    "#9dbdfa",
    "#84aaf3",
    "#3f6fd1",
    "#2f5bc0",
    "#234a9e",
]  # the matrix's shades (app.css)
VOICE_COLOURS = {Voice.OWN: "#c2561a", Voice.REPORTED: "#2f5bd3", "": "#b8bec9"}
POSITION_COLOURS = {
    Position.DISPUTES: "#2e7d32",
    Position.NEUTRAL: "#b8bec9",
    Position.SUPPORTS: "#c2561a",
}


@dataclass
class Mark:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str  # what a hover shows, and a screen reader reads

    def __post_init__(self) -> None:
        self.title = xml_text(self.title)  # names may hold what XML cannot


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor
    fill: str = "#1d2330"
    rotate: bool = False  # column labels of the heatmap, at -35°

    def __post_init__(self) -> None:
        self.text = xml_text(self.text)


@dataclass
class Chart:
    key: str
    title: str
    description: str
    height: float
    header: list[str]
    rows: list[list] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)
    width: float = WIDTH

    @property
    def empty(self) -> bool:
        return not self.rows

    def add_legend(self) -> None:
        """Draw ``legend`` above the chart (in the SVG, so a downloaded file has it)."""
        if not self.legend or self.empty:
            return
        for mark in self.marks:
            mark.y += 26
        for text in self.texts:
            text.y += 26
        self.height += 26
        x = float(LABELS)
        for colour, label in self.legend:
            self.marks.append(Mark(x, 6, 12, 12, colour, label))
            self.texts.append(Text(x + 17, 16, label))
            x += 30 + 7 * len(label)


def _outlets(ids) -> dict[int, str]:
    return dict(Source.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _period_starts(first: date, last: date, grouping: str) -> list[date]:
    starts: list[date] = []
    day: date | None = first
    while day is not None and day <= last:
        starts.append(day)
        day = next_period(day, grouping)
    return starts


def timeline(filters: AnnotationFilter, project: Project, user) -> Chart:
    annotations = filters.annotations(project, user).exclude(article__published=None)
    span = annotations.aggregate(first=Min("article__published"), last=Max("article__published"))
    first, last = span["first"], span["last"]
    grouping = "week" if first and last and (last - first).days <= 7 * WEEKS_AT_MOST else "month"
    counts = {
        (source, start): n
        for source, start, n in annotations.annotate(period=axis(grouping))
        .values("article__source_id", "period")
        .annotate(n=Count("pk"))
        .values_list("article__source_id", "period", "n")
    }
    unit = "week" if grouping == "week" else "month"
    chart = Chart(
        key="timeline",
        title=f"Passages per {unit}, by outlet",
        description=f"Each row an outlet, each bar a {unit}, all on one scale; passages in "
        "articles without a date are left out.",
        height=0,
        header=["outlet", f"{unit}_starting", "passages"],
        width=WIDTH + 40,  # room for the last period's label
    )
    if not counts:
        return chart
    periods = sorted({start for _, start in counts})
    months = (periods[-1].year - periods[0].year) * 12 + periods[-1].month - periods[0].month
    if months > MONTHS_AT_MOST:
        # One mistyped year (1016 for 2016) would make thousands of empty periods.
        chart.description = (
            f"The passages run from {periods[0]:%b %Y} to {periods[-1]:%b %Y}, more than "
            f"{MONTHS_AT_MOST // 12} years: is a date mistyped? Narrow the dates to draw them."
        )
        return chart
    starts = _period_starts(periods[0], periods[-1], grouping)
    names = _outlets(source for source, _ in counts)
    outlets = sorted(names, key=lambda pk: names[pk].casefold())
    top = max(counts.values())
    step = (WIDTH - LABELS - 10) / len(starts)
    for row, source in enumerate(outlets):
        y = 10 + row * ROW
        chart.texts.append(Text(LABELS - 8, y + ROW / 2 + 4, names[source], anchor="end"))
        for i, start in enumerate(starts):
            n = counts.get((source, start), 0)
            chart.rows.append([names[source], start.isoformat(), n])
            if n:
                height = (ROW - 8) * n / top
                chart.marks.append(
                    Mark(
                        LABELS + i * step,
                        y + ROW - 4 - height,
                        max(1.0, step * 0.8),
                        height,
                        HEAT[7],
                        f"{names[source]}, {unit} of {start:%-d %b %Y}: {n}",
                    )
                )
    bottom = 10 + len(outlets) * ROW
    every = max(1, round(len(starts) / 8))
    for i, start in enumerate(starts[::every]):
        label = f"{start:%-d %b %Y}" if grouping == "week" else f"{start:%b %Y}"
        chart.texts.append(Text(LABELS + i * every * step, bottom + 14, label, fill="#5d6677"))
    chart.height = bottom + 24
    return chart


def _stance_counts(filters: AnnotationFilter, project: Project, user) -> dict[tuple, int]:
    """(outlet, voice, position) -> passages carrying a claim, in one query."""
    return {
        (source, voice, position): n
        for source, voice, position, n in filters.annotations(project, user)
        .exclude(claim=None)
        .values("article__source_id", "voice", "position")
        .annotate(n=Count("pk"))
        .values_list("article__source_id", "voice", "position", "n")
    }


def stances(filters: AnnotationFilter, project: Project, user) -> tuple[Chart, Chart]:
    """The voices chart and the positions chart, from one query."""
    counts = _stance_counts(filters, project, user)
    names = _outlets(source for source, _, _ in counts)
    outlets = sorted(names, key=lambda pk: names[pk].casefold())
    return _voices(counts, names, outlets), _positions(counts, names, outlets)


def _voices(counts: dict, names: dict[int, str], outlets: list[int]) -> Chart:
    parts = [
        (Voice.OWN.value, "own voice"),
        (Voice.REPORTED.value, "reporting someone"),
        ("", "voice not given"),
    ]
    chart = Chart(
        key="voices",
        title="Whose voice carries the claims, by outlet",
        description="Of each outlet's passages carrying a claim: in its own voice, reporting "
        "someone, or with the voice not given; each bar is 100 %.",
        height=10 + len(outlets) * ROW + 10,
        header=["outlet", "own_voice", "reporting", "not_given", "passages"],
        legend=[(VOICE_COLOURS[value], label) for value, label in parts],
    )
    span = WIDTH - LABELS - 10
    for row, source in enumerate(outlets):
        y = 10 + row * ROW
        per = [
            sum(n for (s, v, _), n in counts.items() if s == source and v == value)
            for value, _ in parts
        ]
        total = sum(per)
        chart.rows.append([names[source], *per, total])
        chart.texts.append(Text(LABELS - 8, y + ROW / 2 + 4, names[source], anchor="end"))
        x = float(LABELS)
        for (value, label), n in zip(parts, per, strict=True):
            if n:
                width = span * n / total
                share = round(100 * n / total)
                chart.marks.append(
                    Mark(
                        x,
                        y + 4,
                        width,
                        ROW - 10,
                        VOICE_COLOURS[value],
                        f"{names[source]}: {label}, {n} of {total} ({share} %)",
                    )
                )
                x += width
    chart.add_legend()
    return chart


def _positions(counts: dict, names: dict[int, str], outlets: list[int]) -> Chart:
    chart = Chart(
        key="positions",
        title="Supporting and disputing the claims, by outlet",
        description="Passages carrying a claim: disputing it to the left of the middle, "
        "supporting it to the right, neutral or unclear split around the middle; passages "
        "without a position are left out.",
        height=10 + len(outlets) * ROW + 10,
        header=["outlet", "disputes", "neutral", "supports"],
        legend=[(POSITION_COLOURS[p], p.label) for p in Position],
    )
    per_outlet = {
        source: [
            sum(n for (s, _, p), n in counts.items() if s == source and p == position)
            for position in (Position.DISPUTES, Position.NEUTRAL, Position.SUPPORTS)
        ]
        for source in outlets
    }
    widest = max((max(d, s) + n / 2 for d, n, s in per_outlet.values()), default=0)
    middle = LABELS + (WIDTH - LABELS - 10) / 2
    scale = (WIDTH - LABELS - 10) / 2 / widest if widest else 0
    for row, source in enumerate(outlets):
        disputes, neutral, supports = per_outlet[source]
        chart.rows.append([names[source], disputes, neutral, supports])
        y = 10 + row * ROW
        chart.texts.append(Text(LABELS - 8, y + ROW / 2 + 4, names[source], anchor="end"))
        left = middle - neutral / 2 * scale
        for position, n, x in (
            (Position.DISPUTES, disputes, left - disputes * scale),
            (Position.NEUTRAL, neutral, left),
            (Position.SUPPORTS, supports, middle + neutral / 2 * scale),
        ):
            if n:
                chart.marks.append(
                    Mark(
                        x,
                        y + 4,
                        n * scale,
                        ROW - 10,
                        POSITION_COLOURS[position],
                        f"{names[source]}: {position.label.lower()}, {n}",
                    )
                )
    if outlets:
        chart.marks.append(Mark(middle - 0.5, 6, 1, chart.height - 12, "#5d6677", "the middle"))
    chart.add_legend()
    return chart


def heatmap(comparison: Comparison) -> Chart:
    columns = comparison.columns
    labels = LABELS + 40  # row labels are longer than outlet names
    cell_width = min(90.0, (WIDTH - labels - 10) / max(1, len(columns)))
    top = 90  # room for the column labels, turned
    chart = Chart(
        key="heatmap",
        title=f"{comparison.dimension_label} × {len(columns)} columns",
        description=f"The comparison's numbers ({COUNTINGS[comparison.counting].lower()}); "
        "darker is more.",
        height=top + len(comparison.rows) * 26 + 10,
        header=["row", "column", "count"],
        width=labels + len(columns) * cell_width + 40,
    )
    for i, column in enumerate(columns):
        x = labels + i * cell_width + cell_width / 2
        chart.texts.append(Text(x, top - 8, column.label[:28], rotate=True, fill="#5d6677"))
    for r, row in enumerate(comparison.rows):
        y = top + r * 26
        label = row.label if len(row.label) <= 32 else row.label[:31] + "…"
        chart.texts.append(Text(labels - 8, y + 17, label, anchor="end"))
        for i, cell in enumerate(row.cells):
            chart.rows.append([row.label, cell.column.label, cell.count])
            x = labels + i * cell_width
            chart.marks.append(
                Mark(
                    x,
                    y,
                    cell_width - 2,
                    24,
                    HEAT[cell.heat],
                    f"{row.label} in {cell.column.label}: {cell.count}",
                )
            )
            if cell.count:
                ink = "#ffffff" if cell.heat >= 7 else "#1d2330"
                chart.texts.append(
                    Text(x + cell_width / 2, y + 17, str(cell.count), anchor="middle", fill=ink)
                )
    return chart
