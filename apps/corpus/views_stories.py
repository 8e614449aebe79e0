"""Keeping stories in the app: analysts and owners create them, rename and describe
them, and add or remove articles (ticked in an article list); owners delete them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.corpus import stories
from apps.projects.access import project_view, require_annotate, require_manage
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership


def _ticked(request: SignedInRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("article") if value.isdigit()]


def _back(request: SignedInRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (the home's page of articles, a story)."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(default)


@require_POST
@project_view
def story_create(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_annotate(membership)
    project = membership.project
    try:
        story = stories.create_story(
            project, request.POST.get("name", ""), request.POST.get("description", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, project.get_absolute_url())
    added = stories.add_articles(story, _ticked(request))
    note = f" with {added} article{'s' if added != 1 else ''}" if added else ""
    messages.success(request, f"Story “{story}” created{note}.")
    return redirect(story)


@require_POST
@project_view
def story_edit(request: SignedInRequest, membership: Membership, story_id: int) -> HttpResponse:
    require_annotate(membership)
    story = get_object_or_404(membership.project.stories, pk=story_id)
    try:
        stories.update_story(
            story, request.POST.get("name", ""), request.POST.get("description", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Story saved.")
    return redirect(story)


@require_POST
@project_view
def story_articles(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """Add the ticked articles to the chosen story, or remove them from it."""
    require_annotate(membership)
    project = membership.project
    story_id = request.POST.get("story", "")
    story = get_object_or_404(project.stories, pk=int(story_id) if story_id.isdigit() else 0)
    ticked = _ticked(request)
    if not ticked:
        messages.error(request, "Tick the articles first.")
    elif request.POST.get("action") == "remove":
        n = stories.remove_articles(story, ticked)
        messages.success(request, f"{n} article{'s' if n != 1 else ''} removed from “{story}”.")
    else:
        n = stories.add_articles(story, ticked)
        already = len(ticked) - n
        more = f" ({already} already in it)" if already else ""
        messages.success(request, f"{n} article{'s' if n != 1 else ''} added to “{story}”{more}.")
    return _back(request, story.get_absolute_url())


@require_POST
@project_view
def story_delete(request: SignedInRequest, membership: Membership, story_id: int) -> HttpResponse:
    require_manage(membership)
    story = get_object_or_404(membership.project.stories, pk=story_id)
    name = story.name
    story.delete()
    messages.success(request, f"Story “{name}” deleted; its articles stay in the project.")
    if request.htmx:  # asked to confirm first: the browser goes to the project's home
        return HttpResponseClientRedirect(membership.project.get_absolute_url())
    return redirect(membership.project)
