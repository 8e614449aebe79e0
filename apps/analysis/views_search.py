"""Search across a project (``search.py``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.analysis import filter_bar
from apps.analysis.forms import SearchForm
from apps.analysis.search import search
from apps.projects.access import project_view
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

PER_PAGE = 20


@require_safe
@project_view
def search_page(request: SignedInRequest, membership: Membership) -> HttpResponse:
    project = membership.project
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        articles, annotations = form.selection(project, request.user)
        page = form.cleaned_data["page"] or 1
        results = search(
            form.cleaned_data["q"],
            project=project,
            articles=articles,
            annotations=annotations,
            page=page,
            per_page=PER_PAGE,
        )
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "results": results,
        "paging": form.paging_query(),
        **filter_bar.context(form, project, seen_by=membership),
    }
    template = page_or_partial(request, "analysis/search.html", "search-results")
    return render(request, template, context, status=422 if form.errors else 200)
