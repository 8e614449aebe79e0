"""Agreement between coders (``agreement.py``): the page and its CSV, through the filter
bar of the comparison screens; the unit of analysis is the page's own choice."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from apps.analysis import export, filter_bar
from apps.analysis.agreement import UNITS, Agreement, measure_agreement
from apps.analysis.agreement_tag import tag_disagreements
from apps.analysis.forms import Selection
from apps.analysis.views import refuse_invalid_filter
from apps.annotations.models import Tag
from apps.projects.access import project_view
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

# The agreement compares the coders' own passages: the bar offers no other layer.
CODERS_ONLY = ("layer",)


def _unit(request: SignedInRequest) -> str:
    unit = request.GET.get("unit", "sentence")
    return unit if unit in UNITS else "sentence"


@require_safe
@project_view
def agreement_page(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """Per tag, on the whole and per outlet, and on the passages both coders marked."""
    project, filters, unit = membership.project, Selection(request.GET), _unit(request)
    found = None
    if filters.is_valid():  # a broken filter shows its mistake, not figures of nothing
        found = measure_agreement(project=project, filters=filters, user=request.user, unit=unit)
    context = {
        "membership": membership,
        "project": project,
        **filter_bar.context(filters, project, fixed=CODERS_ONLY, seen_by=membership),
        "a": found,
        "unit": unit,
        "units": UNITS,
        "unit_query": "" if unit == "sentence" else f"unit={unit}",  # kept by "Clear"
    }
    template = page_or_partial(request, "analysis/agreement.html", "agreement-results")
    return render(request, template, context)


@require_safe
@project_view
def agreement_tag_page(
    request: SignedInRequest, membership: Membership, tag_id: int
) -> HttpResponse:
    """The codebook training aid: the units where the coders disagree on one tag, beside
    its coding rule, in the Agreement page's selection and unit."""
    project, filters, unit = membership.project, Selection(request.GET), _unit(request)
    tag = get_object_or_404(Tag, project=project, pk=tag_id)
    found = None
    if filters.is_valid():
        found = tag_disagreements(
            project=project, filters=filters, user=request.user, tag=tag, unit=unit
        )
    context = {
        "membership": membership,
        "project": project,
        **filter_bar.context(filters, project, fixed=CODERS_ONLY, seen_by=membership),
        "tag": tag,
        "d": found,
        "unit": unit,
        "units": UNITS,
        "unit_query": "" if unit == "sentence" else f"unit={unit}",
    }
    template = page_or_partial(request, "analysis/agreement_tag.html", "agreement-tag-results")
    return render(request, template, context)


# One line per coefficient: alpha of a tag (or of all tags, a claim, a speaker, a stance
# part) in a scope, or kappa and percent agreement of one pair of coders on it.
AGREEMENT_COLUMNS = [
    "outlet",
    "measure",
    "label",
    "parent",
    "coefficient",
    "coder_a",
    "coder_b",
    "value",
    "units",
    "coders",
    "not_defined",
    "unit",
]


def figure_rows(agreement: Agreement) -> Iterator[list]:
    for scope in agreement.scopes:
        for f in scope.figures:
            line = [scope.label, "tag" if f.key.startswith("tag-") else f.key, f.label, f.parent]
            yield [*line, "alpha", "", "", f.alpha.value, f.units, f.coders, f.alpha.reason]
            for p in f.pairs:
                for name, value in (("kappa", p.kappa), ("percent", p.percent)):
                    yield [*line, name, p.first, p.second, value.value, p.units, 2, value.reason]


@require_safe
@project_view
def agreement_csv(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    """The page's figures, every one of them, full precision (percent: 0 to 100)."""
    filters, unit = Selection(request.GET), _unit(request)
    if refused := refuse_invalid_filter(filters):
        return refused
    found = measure_agreement(
        project=membership.project, filters=filters, user=request.user, unit=unit
    )
    rows = ([*row, unit] for row in figure_rows(found))
    response = StreamingHttpResponse(
        export.csv_lines(AGREEMENT_COLUMNS, rows, bom=request.GET.get("bom", "1") != "0"),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{membership.project.slug}-agreement-{unit}-{timezone.now():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
