"""Saving a comparison's state under a name, and deleting a saved view (``saved_views.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.analysis import saved_views
from apps.projects.access import project_view, require_annotate
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership, SavedScreen


@require_POST
@project_view
def save_view(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_annotate(membership)
    post = request.POST
    screen, query = post.get("screen", ""), post.get("query", "")
    saved, error = None, ""
    try:
        saved = saved_views.save_view(
            membership=membership, name=post.get("name", ""), screen=screen, query=query
        )
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.htmx:
        context = {"project": membership.project, "saved": saved, "error": error}
        context |= {"screen": screen, "state": query, "name": post.get("name", "")}
        return render(request, "analysis/_save_view.html", context, status=422 if error else 200)
    if saved is None:  # back to the screen as it was, with the reason
        messages.error(request, error)
        return redirect(_screen_url(membership, screen, query))
    messages.success(request, f"Saved as “{saved}”, for every member, on the project home.")
    return redirect(saved)


def _screen_url(membership: Membership, screen: str, query: str) -> str:
    if screen not in SavedScreen.values:
        return membership.project.get_absolute_url()
    return reverse(f"analysis:{screen}", args=[membership.project.slug]) + f"?{query}"


@require_POST
@project_view
def delete_view(request: SignedInRequest, membership: Membership, view_id: int) -> HttpResponse:
    view = get_object_or_404(membership.project.saved_views, pk=view_id)
    if not view.can_delete(membership):
        raise PermissionDenied("Only its author and the project's owners can delete a view.")
    view.delete()
    if request.htmx:
        return HttpResponse("")  # the list item is swapped out
    messages.success(request, f"The view “{view.name}” is deleted.")
    return redirect(membership.project)
