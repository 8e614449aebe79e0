"""Candidates: where a claim (or a tag) is carried but not coded yet, by outlet; an
analyst codes one in the reader or rejects it."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.analysis import candidates, filter_bar
from apps.analysis.forms import BlindSpotsForm, RejectCandidateForm, Selection
from apps.annotations.models import Claim, Tag
from apps.projects.access import project_view, require_annotate
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

# The page looks for passages nobody coded: the filters on passages mean nothing here.
PAGE_OWN = (*Selection.ON_PASSAGES, "tag_mode", "q")


@require_safe
@project_view
def claim_candidates(request: SignedInRequest, membership: Membership, claim_id: int):
    claim = get_object_or_404(Claim, pk=claim_id, project=membership.project)
    return _page(request, membership, claim)


@require_safe
@project_view
def tag_candidates(request: SignedInRequest, membership: Membership, tag_id: int):
    tag = get_object_or_404(Tag, pk=tag_id, project=membership.project)
    return _page(request, membership, tag)


def _page_url(project_slug: str, target: Claim | Tag) -> str:
    """The page that lists ``target``'s candidates."""
    name = "claim-candidates" if isinstance(target, Claim) else "tag-candidates"
    return reverse("analysis:" + name, args=[project_slug, target.pk])


def _without_page_own(params: QueryDict) -> QueryDict:
    params = params.copy()
    for key in PAGE_OWN:
        params.pop(key, None)
    return params


def _page(request: SignedInRequest, membership: Membership, target: Claim | Tag) -> HttpResponse:
    project = membership.project
    filters = Selection(_without_page_own(request.GET))
    found = candidates.find(target, filters.articles(project), user=request.user)
    context = {
        "membership": membership,
        "project": project,
        "target": target,
        "is_claim": isinstance(target, Claim),
        "found": found,
        "method": candidates,
        **filter_bar.context(filters, project, fixed=PAGE_OWN, seen_by=membership),
    }
    template = page_or_partial(request, "analysis/candidates.html", "candidate-results")
    return render(request, template, context, status=422 if filters.errors else 200)


@require_safe
@project_view
def claim_blind_spots(request: SignedInRequest, membership: Membership, claim_id: int):
    claim = get_object_or_404(Claim, pk=claim_id, project=membership.project)
    return _blind_spots(request, membership, claim)


@require_safe
@project_view
def tag_blind_spots(request: SignedInRequest, membership: Membership, tag_id: int):
    tag = get_object_or_404(Tag, pk=tag_id, project=membership.project)
    return _blind_spots(request, membership, tag)


def _blind_spots(
    request: SignedInRequest, membership: Membership, target: Claim | Tag
) -> HttpResponseBase:
    """What each outlet a comparison row says the target is "not in" has of it (coded
    outside the row's filters, candidates, or none), for that row's note; loaded by htmx
    once the row is on screen. Without htmx, the candidates page says it for every outlet."""
    asked = BlindSpotsForm(request.GET)
    params = request.GET.copy()
    params.pop("outlet", None)
    page = _page_url(membership.project.slug, target)
    if not request.htmx:
        return redirect(f"{page}?{params.urlencode()}")
    params = _without_page_own(params)
    filters = Selection(params)
    if filters.errors or not asked.is_valid():  # the note keeps its link to the page
        return HttpResponse(status=204)
    outlets = asked.cleaned_data["outlet"]
    articles = filters.articles(membership.project).filter(source_id__in=outlets)
    found = candidates.find(target, articles, user=request.user)
    if not found.outlets:  # none of those outlets is in the selection: nothing to say
        return HttpResponse(status=204)
    context = {"found": found, "page": page, "query": params.urlencode(), "method": candidates}
    return render(request, "analysis/candidates.html#blind-spots", context)


@require_POST
@project_view
def reject_candidate(request: SignedInRequest, membership: Membership) -> HttpResponseBase:
    """Never offer this passage again to this analyst for this claim or tag."""
    require_annotate(membership)
    form = RejectCandidateForm(request.POST, project=membership.project)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=422, content_type="text/plain")
    candidates.reject(user=request.user, **form.cleaned_data)
    if request.htmx:
        return HttpResponse("")  # the candidate's row is swapped for nothing
    target = form.cleaned_data["claim"] or form.cleaned_data["tag"]
    return redirect(_page_url(membership.project.slug, target))
