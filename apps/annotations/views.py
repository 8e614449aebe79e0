from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.projects.access import project_view
from apps.projects.models import Membership


@require_safe
@project_view
def codebook(request: HttpRequest, membership: Membership) -> HttpResponse:
    tags = membership.project.tags.annotate(usage=Count("annotations")).select_related("parent")
    return render(
        request,
        "annotations/codebook.html",
        {"membership": membership, "project": membership.project, "tags": _as_tree(tags)},
    )


@require_safe
@project_view
def actor_list(request: HttpRequest, membership: Membership) -> HttpResponse:
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
def claim_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    claims = membership.project.claims.annotate(usage=Count("annotations")).select_related("parent")
    return render(
        request,
        "annotations/claims.html",
        {"membership": membership, "project": membership.project, "claims": _as_tree(claims)},
    )


def _as_tree(items) -> list[tuple[object, int]]:
    """Order a parent/child list depth-first, as ``(item, depth)`` pairs."""
    items = list(items)
    children: dict[int | None, list] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    result: list[tuple[object, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in children.get(parent_id, []):
            item.has_children = item.pk in children
            result.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return result
