from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from apps.analysis import export, export_jsonld, export_qdpx
from apps.analysis.forms import SearchForm, Selection
from apps.annotations import codebook_files
from apps.annotations.filters import AnnotationFilter
from apps.projects.access import project_view
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership


def _filename(membership: Membership, what: str, extension: str) -> str:
    return f"{slugify(membership.project.slug)}-{what}-{timezone.now():%Y%m%d}.{extension}"


def _attachment(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    """``response`` as a file to save under ``filename``."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(lines, filename: str) -> HttpResponseBase:
    return _attachment(
        StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8"), filename
    )


def _bom(request: SignedInRequest) -> bool:
    # Excel needs the byte-order mark to read UTF-8; ?bom=0 leaves it out (pandas, R).
    return request.GET.get("bom", "1") != "0"


def refuse_invalid_filter(filters: AnnotationFilter) -> HttpResponseBadRequest | None:
    """A download with a broken filter is refused, not widened or emptied silently."""
    if filters.is_valid():
        return None
    problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in filters.errors.items())
    return HttpResponseBadRequest(
        f"The filter has a mistake, so nothing was exported ({problems}).",
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@project_view
def annotations_csv(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    # The filter of every screen, and the search page's words, stance and coded or not.
    filters = SearchForm(request.GET)
    if refused := refuse_invalid_filter(filters):
        return refused
    annotations = filters.passages(membership.project, request.user)
    long = request.GET.get("format") == "long"
    lines = export.annotation_csv(annotations, long=long, bom=_bom(request))
    what = "annotation-tags" if long else "annotations"
    return _csv(lines, _filename(membership, what, "csv"))


@require_safe
@project_view
def annotations_jsonld(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    filters = SearchForm(request.GET)
    if refused := refuse_invalid_filter(filters):
        return refused
    annotations = filters.passages(membership.project, request.user)
    lines = export_jsonld.jsonld_lines(
        annotations,
        label=membership.project.name,
        base_url=request.build_absolute_uri(membership.project.get_absolute_url()),
    )
    response = StreamingHttpResponse(lines, content_type="application/ld+json; charset=utf-8")
    return _attachment(response, _filename(membership, "annotations", "jsonld"))


@require_safe
@project_view
def codebook_csv(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    lines = export.csv_lines(
        export.CODEBOOK_COLUMNS,
        export.codebook_rows(membership.project, seen_by=membership),
        bom=_bom(request),
    )
    return _csv(lines, _filename(membership, "codebook", "csv"))


@require_safe
@project_view
def codebook_qdc(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    """The codebook as a REFI-QDA codebook file for QDA tools."""
    try:
        document = codebook_files.codebook_qdc(membership.project)
    except codebook_files.EmptyCodebook:
        raise Http404("The codebook is empty: a REFI-QDA codebook needs one code.") from None
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    return _attachment(response, _filename(membership, "codebook", "qdc"))


@require_safe
@project_view
def project_qdpx(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    """The selection (the whole project without a filter) as a REFI-QDA project."""
    filters = Selection(request.GET)
    if refused := refuse_invalid_filter(filters):
        return refused
    articles, annotations = filters.articles_and_passages(membership.project, request.user)
    stream = export_qdpx.qdpx_stream(membership.project, articles=articles, annotations=annotations)
    response = StreamingHttpResponse(stream, content_type="application/zip")
    return _attachment(response, _filename(membership, "project", "qdpx"))


@require_safe
@project_view
def articles_csv(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    lines = export.csv_lines(
        export.ARTICLE_COLUMNS,
        export.article_rows(membership.project, seen_by=membership),
        bom=_bom(request),
    )
    return _csv(lines, _filename(membership, "articles", "csv"))
