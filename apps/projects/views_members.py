"""The project's members: everyone in the project sees who else is; owners add members,
change their roles and remove them. htmx swaps the list; without it, the page reloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from apps.projects import members
from apps.projects.access import project_view, require_manage
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership, Role

PAGE = "projects/members.html"


@require_safe
@project_view
def member_list(request: SignedInRequest, membership: Membership) -> HttpResponse:
    return _render(request, membership)


@require_POST
@project_view
def member_add(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_manage(membership)
    role = request.POST.get("role", Role.ANALYST)
    return _act(
        request,
        membership,
        lambda: members.add_member(membership.project, request.POST.get("who", ""), role),
        lambda m: f"{m.user.display_name} added as {m.get_role_display().lower()}.",
    )


@require_POST
@project_view
def member_change(request: SignedInRequest, membership: Membership, member_id: int) -> HttpResponse:
    require_manage(membership)
    other = get_object_or_404(membership.project.memberships, pk=member_id)
    role = request.POST.get("role", "")
    return _act(
        request,
        membership,
        lambda: members.change_role(other, role),
        lambda m: f"{m.user.display_name} is now {m.get_role_display().lower()}.",
    )


@require_POST
@project_view
def member_adjudicator(
    request: SignedInRequest, membership: Membership, member_id: int
) -> HttpResponse:
    """Owners make an analyst an adjudicator, or no longer (``adjudicator=1`` or 0)."""
    require_manage(membership)
    other = get_object_or_404(membership.project.memberships.select_related("user"), pk=member_id)
    wanted = request.POST.get("adjudicator") == "1"
    return _act(
        request,
        membership,
        lambda: members.set_adjudicator(other, wanted),
        lambda m: (
            f"{m.user.display_name} "
            + (
                "now settles disagreements between coders."
                if m.adjudicator
                else "no longer adjudicates."
            )
        ),
    )


@require_POST
@project_view
def member_remove(request: SignedInRequest, membership: Membership, member_id: int) -> HttpResponse:
    require_manage(membership)
    other = get_object_or_404(membership.project.memberships.select_related("user"), pk=member_id)
    name = other.user.display_name
    return _act(
        request,
        membership,
        lambda: members.remove_member(other),
        lambda _: f"{name} removed from the project.",
    )


def _act(
    request: SignedInRequest,
    membership: Membership,
    change: Callable[[], Any],
    describe: Callable[[Any], str],
) -> HttpResponse:
    """Run one change; answer with the list (htmx) or a redirect to it, saying what
    happened or why not."""
    try:
        note = describe(change())
    except ValidationError as error:
        problem = " ".join(error.messages)
        if request.htmx:
            return _render(request, membership, problem=problem, status=422)
        messages.error(request, problem)
    else:
        mine = Membership.objects.select_related("project", "user").filter(pk=membership.pk).first()
        if mine is None:  # one left the project: it is no longer theirs to see
            messages.success(request, note)
            if request.htmx:
                return HttpResponseClientRedirect(reverse("projects:list"))
            return redirect("projects:list")
        if request.htmx:  # one's own role may have changed with it
            return _render(request, mine, note=note)
        messages.success(request, note)
    return redirect("projects:members", membership.project.slug)


def _render(
    request: SignedInRequest,
    membership: Membership,
    *,
    problem: str = "",
    note: str = "",
    status: int = 200,
) -> HttpResponse:
    project = membership.project
    context = {
        "membership": membership,
        "project": project,
        "members": project.memberships.select_related("user").order_by("role", "user__username"),
        "roles": Role.choices,
        "problem": problem,
        "note": note,
    }
    return render(request, page_or_partial(request, PAGE, "member-list"), context, status=status)
