"""The codebook's pages: tags, actors and claims of a project, with how often each is used."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.annotations import trees
from apps.annotations.models import Tag
from apps.annotations.trees import N
from apps.projects.access import project_view
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership


@require_safe
@project_view
def codebook(request: SignedInRequest, membership: Membership) -> HttpResponse:
    tags = list(
        membership.project.tags.annotate(usage=Count("annotations")).select_related("parent")
    )
    return render(
        request,
        "annotations/codebook.html",
        {
            "membership": membership,
            "project": membership.project,
            "tags": _as_tree(tags),
            "tag_styles": Tag.colour_rules(tags),
        },
    )


@require_safe
@project_view
def actor_list(request: SignedInRequest, membership: Membership) -> HttpResponse:
    query = request.GET.get("q", "")
    actors = (
        membership.project.actors.search(query)
        .annotate(
            spoken_count=Count("spoken", distinct=True),
            targeted_count=Count("targeted", distinct=True),
        )
        .order_by("name")
    )
    return render(
        request,
        "annotations/actors.html",
        {"membership": membership, "project": membership.project, "actors": actors, "q": query},
    )


@require_safe
@project_view
def claim_list(request: SignedInRequest, membership: Membership) -> HttpResponse:
    claims = membership.project.claims.annotate(usage=Count("annotations")).select_related("parent")
    return render(
        request,
        "annotations/claims.html",
        {"membership": membership, "project": membership.project, "claims": _as_tree(claims)},
    )


def _as_tree(items: Iterable[N]) -> list[tuple[N, int]]:
    """Codebook order, as ``(item, depth)``; parents are marked to be shown as such."""
    ordered = trees.depth_first(items)
    parents = {item.parent_id for item, _ in ordered}
    for item, _ in ordered:
        item.has_children = item.pk in parents  # type: ignore[attr-defined]
    return ordered
