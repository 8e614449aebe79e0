"""Comparison screens: story comparison, matrix, a cell's passages, articles side by side.

Each screen is a GET form whose URL holds its whole state (bookmark it, send it to a
colleague with access); with htmx, changing a filter swaps only the results.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from apps.analysis import charts, export, filter_bar
from apps.analysis.compare import (
    DIMENSIONS,
    GROUPINGS,
    SORTS,
    build_comparison,
    cell_annotations,
)
from apps.analysis.counting import COUNTINGS
from apps.analysis.forms import Selection
from apps.analysis.views import refuse_invalid_filter
from apps.annotations import trees
from apps.annotations.models import Annotation, Layer, Tag
from apps.annotations.reader import ReaderRow, load_rows
from apps.annotations.segments import render_text
from apps.projects.access import project_view
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership


def _choice(params: QueryDict, key: str, choices: dict, default: str) -> str:
    value = params.get(key, default)
    return value if value in choices else default


def _options(request: SignedInRequest) -> dict[str, str]:
    options = {
        "dimension": _choice(request.GET, "rows", DIMENSIONS, "tags"),
        "grouping": _choice(request.GET, "group", GROUPINGS, "source"),
        "sort": _choice(request.GET, "sort", SORTS, "codebook"),
        "rule": _choice(request.GET, "count", COUNTINGS, "annotations"),
    }
    return {**options, "layout": _layout(options)}


def _layout(options: dict[str, str]) -> str:
    """The rows, columns and counting rule, for the links that keep them."""
    layout = f"rows={options['dimension']}&group={options['grouping']}"
    return layout + ("&count=distinct" if options["rule"] == "distinct" else "")


_ARTICLE = 987654321  # a placeholder article id, replaced per passage


def _urls(
    project, query: str, options: dict[str, str], comparison, layer: str = Layer.CODER
) -> dict[str, str]:
    """Links of every cell and passage, built once: a {% url %} per cell of a 30 × 25
    table was a fifth of the page's time. An adjudicated passage is shown on its
    article's adjudicated page, not in the reader (which shows the coders')."""
    cell = reverse("analysis:cell", args=[project.slug]) + f"?{query}&{_layout(options)}"
    page = "coding:adjudicated" if layer == Layer.GOLD else "annotations:reader"
    before, after = reverse(page, args=[project.slug, _ARTICLE]).rsplit(str(_ARTICLE), 1)
    for row in comparison.rows:
        for c in row.cells:
            c.url = f"{cell}&row={row.key}&column={c.column.key}"
            for passage in c.passages:
                passage.url = f"{before}{passage.article_id}{after}#h{passage.annotation_id}"
    # The whole state, for saving the view under a name.
    return {"cell_base": cell, "state": f"{query}&{_layout(options)}&sort={options['sort']}"}


def _filter_context(request: SignedInRequest, membership: Membership, filters: Selection):
    return {
        "membership": membership,
        "project": membership.project,
        **filter_bar.context(filters, membership.project, seen_by=membership),
        "dimensions": DIMENSIONS,
        "groupings": GROUPINGS,
        "sorts": SORTS,
        "countings": COUNTINGS,
    }


def _compare(request: SignedInRequest, membership: Membership, **kwargs):
    """The selection, the layout options and the comparison they ask for."""
    filters = Selection(request.GET)
    options = _options(request)
    comparison = build_comparison(
        project=membership.project,
        filters=filters,
        user=request.user,
        dimension=options["dimension"],
        grouping=options["grouping"],
        sort=options["sort"],
        rule=options["rule"],
        **kwargs,
    )
    return filters, options, comparison


@require_safe
@project_view
def story_comparison(request: SignedInRequest, membership: Membership) -> HttpResponse:
    filters, options, comparison = _compare(request, membership)
    context = {**_filter_context(request, membership, filters), "c": comparison, **options}
    context |= _urls(
        membership.project, context["query"], options, comparison, filters.selected_layer
    )
    return render(
        request, page_or_partial(request, "analysis/compare.html", "compare-results"), context
    )


@require_safe
@project_view
def matrix(request: SignedInRequest, membership: Membership) -> HttpResponse:
    filters, options, comparison = _compare(
        request, membership, per_cell=0, count_annotations=False
    )
    context = {**_filter_context(request, membership, filters), "c": comparison, **options}
    context |= _urls(
        membership.project, context["query"], options, comparison, filters.selected_layer
    )
    return render(
        request, page_or_partial(request, "analysis/matrix.html", "matrix-results"), context
    )


@require_safe
@project_view
def cell_passages(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """Every passage behind one number of a comparison (row × column)."""
    filters, options, comparison = _compare(
        request, membership, per_cell=0, count_annotations=False
    )
    row_id, column_key = request.GET.get("row", ""), request.GET.get("column", "")
    row = next((r for r in comparison.rows + comparison.silent_rows if str(r.key) == row_id), None)
    column = next((c for c in comparison.columns if c.key == column_key), None)
    annotations = Annotation.objects.none()
    if row is not None and column is not None:
        annotations = (
            cell_annotations(
                project=membership.project,
                filters=filters,
                user=request.user,
                dimension=options["dimension"],
                grouping=options["grouping"],
                row=row.key,
                column=column,
            )
            .with_related()
            .select_related("article__project")
            .order_by("article__published", "pk")
        )
    page = Paginator(annotations, 50).get_page(request.GET.get("page"))
    context = {  # the panel shows no filter bar: none of its lists are read
        "membership": membership,
        "project": membership.project,
        "query": filters.query_string(),
        **options,
        "row": row,
        "column": column,
        "cell": row.cells[comparison.columns.index(column)] if row and column else None,
        "page": page,
    }
    return render(
        request, page_or_partial(request, "analysis/passages.html", "cell-passages"), context
    )


@require_safe
@project_view
def comparison_csv(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    """The comparison table itself: one line per row and column."""
    if refused := refuse_invalid_filter(Selection(request.GET)):
        return refused
    _, options, c = _compare(request, membership, per_cell=0, count_annotations=False)
    # column_key: the outlet's id, the kind, the country, or a period's first day (ISO).
    header = ["row", "parent", "column", "count", "per_1000_words", "articles", "words"]
    header += ["column_key", "counted"]
    rows = (
        [
            row.label,
            row.parent_label,
            column.label,
            cell.count,
            cell.per_1000_words,
            column.articles,
            column.words,
            column.key,
            c.counting,
        ]
        for row in c.rows + c.silent_rows
        for column, cell in zip(c.columns, row.cells, strict=True)
    )
    response = StreamingHttpResponse(
        export.csv_lines(header, rows, bom=request.GET.get("bom", "1") != "0"),
        content_type="text/csv; charset=utf-8",
    )
    name = (
        f"{membership.project.slug}-comparison-{options['dimension']}-{timezone.now():%Y%m%d}.csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


MAX_SIDE_BY_SIDE = 4


@require_safe
@project_view
def side_by_side(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """Two to four articles in parallel columns, with what they share and what they do not."""
    project = membership.project
    wanted = [
        int(x) for x in request.GET.getlist("a") if x.isascii() and x.isdigit() and len(x) < 19
    ][:MAX_SIDE_BY_SIDE]
    found = {a.pk: a for a in project.articles.filter(pk__in=wanted).select_related("source")}
    chosen = [found[pk] for pk in dict.fromkeys(wanted) if pk in found]
    tags = list(project.tags.all())
    focus = request.GET.get("focus", "")
    matches = _focus(project, tags, focus)
    columns = [
        _side_column(article, load_rows(article, tags, seen_by=membership), matches)
        for article in chosen
    ]
    context = {
        "membership": membership,
        "project": project,
        "columns": columns,
        "chosen_ids": [str(a.pk) for a in chosen],
        # Four selects: the chosen articles, then empty ones to add more.
        "slots": ([str(a.pk) for a in chosen] + [""] * MAX_SIDE_BY_SIDE)[:MAX_SIDE_BY_SIDE],
        "all_articles": project.articles.select_related("source").order_by(
            "published", "source__name"
        ),
        "focus": focus,
        "focus_kind": focus.partition("-")[0],
        "overlap": _overlap(columns) if len(columns) >= 2 else None,
        "tag_styles": Tag.colour_rules(tags),
        "query": "&".join(f"a={a.pk}" for a in chosen),
    }
    return render(request, "analysis/side_by_side.html", context)


def _focus(project, tags: list[Tag], focus: str) -> Callable[[ReaderRow], bool] | None:
    """Which passages a focus (``tag-<id>`` or ``claim-<id>``) keeps lit: those coded with
    the tag or claim or anything under it."""
    kind, _, key = focus.partition("-")
    if not (key.isascii() and key.isdigit()) or kind not in ("tag", "claim"):
        return None
    if kind == "tag":
        lit = trees.subtrees({t.pk: t.parent_id for t in tags}).get(int(key), set())
        return lambda r: any(t.pk in lit for t in r.tags)
    lit = set(trees.subtree_ids(project.claims.all(), int(key)))
    return lambda r: r.claim_id in lit


def _side_column(article, rows, matches: Callable[[ReaderRow], bool] | None) -> dict:
    spans = [r for r in rows if r.has_span]
    dim = {r.pk for r in spans if matches and not matches(r)}
    date = f", {article.published:%-d %b %Y}" if article.published else ""
    return {
        "article": article,
        # Two articles of one outlet must stay apart in the lists of what they share.
        "label": f"{article.source.name}{date}",
        "rows": rows,
        "text_html": render_text(
            article.text,
            spans,
            describe={r.pk: r.describe() for r in spans},
            colour_class={r.pk: f"t{r.tags[0].pk}" for r in spans if r.tags},
            dim=dim,
        ),
        "tags": {t.pk: t.name for r in rows for t in r.tags},
        "claims": {r.claim_id: r.claim for r in rows if r.claim_id},
        "shown": len(spans) - len(dim),
    }


def _overlap(columns: list[dict]) -> dict:
    """Tags and claims found in every article, in several, or in one only."""
    result = {}
    for kind in ("tags", "claims"):
        names: dict[int, str] = {}
        holders: dict[int, list[str]] = {}
        for column in columns:
            for pk, name in column[kind].items():
                names[pk] = name
                holders.setdefault(pk, []).append(column["label"])
        every = [(pk, names[pk]) for pk, who in holders.items() if len(who) == len(columns)]
        only: dict[str, list[tuple[int, str]]] = {column["label"]: [] for column in columns}
        for pk, who in holders.items():
            if len(who) == 1:
                only[who[0]].append((pk, names[pk]))
        some = [(pk, names[pk], who) for pk, who in holders.items() if 1 < len(who) < len(columns)]
        result[kind] = {
            "every": sorted(every, key=lambda x: x[1].casefold()),
            "some": sorted(some, key=lambda x: x[1].casefold()),
            "only": {
                source: sorted(found, key=lambda x: x[1].casefold())
                for source, found in only.items()
            },
        }
    return result


CHARTS = ("timeline", "voices", "positions", "heatmap")


def _charts(
    request: SignedInRequest, membership: Membership, names: tuple[str, ...] = CHARTS
) -> tuple[Selection, dict, dict]:
    """The selection's charts named, by name (``charts.py``): only those are computed."""
    filters, options = Selection(request.GET), _options(request)
    project, user = membership.project, request.user
    drawn = {}
    if "timeline" in names:
        drawn["timeline"] = charts.timeline(filters, project, user)
    if "voices" in names or "positions" in names:
        drawn["voices"], drawn["positions"] = charts.stances(filters, project, user)
    if "heatmap" in names:
        _, _, comparison = _compare(request, membership, per_cell=0, count_annotations=False)
        drawn["heatmap"] = charts.heatmap(comparison)
    return filters, options, drawn


@require_safe
@project_view
def chart_page(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """The selection's charts, each with its numbers and its files."""
    filters, options, drawn = _charts(request, membership)
    context = {**_filter_context(request, membership, filters), **options}
    context["charts"] = [drawn[name] for name in CHARTS]
    template = page_or_partial(request, "analysis/charts.html", "chart-results")
    return render(request, template, context)


@require_safe
@project_view
def chart_file(request: SignedInRequest, membership: Membership, name: str, ext: str):
    """One chart as an SVG file, or its numbers as CSV."""
    if name not in CHARTS or ext not in ("svg", "csv"):
        raise Http404("No such chart.")
    if refused := refuse_invalid_filter(Selection(request.GET)):
        return refused
    chart = _charts(request, membership, names=(name,))[2][name]
    filename = f"{membership.project.slug}-{name}-{timezone.now():%Y%m%d}.{ext}"
    if ext == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            export.csv_lines(chart.header, chart.rows, bom=request.GET.get("bom", "1") != "0"),
            content_type="text/csv; charset=utf-8",
        )
    else:
        svg = render(request, "analysis/_chart.svg", {"chart": chart, "standalone": True})
        response = HttpResponse(svg.content, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
