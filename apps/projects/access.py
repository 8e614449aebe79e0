"""The one access check every project view uses.

Non-members get 404, never 403: a stranger must not learn that a project exists.
Members who may read but not write get 403 with a reason they can act on.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.projects.models import Membership

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


def get_membership(request: HttpRequest, project_slug: str) -> Membership:
    """Return the user's membership (with its project) or raise 404."""
    try:
        return Membership.objects.select_related("project", "user").get(
            project__slug=project_slug, user_id=request.user.pk
        )
    except Membership.DoesNotExist:
        raise Http404("No such project.") from None


def require_annotate(membership: Membership) -> None:
    if not membership.can_annotate:
        raise PermissionDenied("Viewers can read and export, but not annotate.")


def require_manage(membership: Membership) -> None:
    if not membership.can_manage:
        raise PermissionDenied("Only the project's owners can change this.")


def project_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view taking ``project_slug``: log in, check membership, pass it on.

    The view receives ``membership`` instead of ``project_slug``; the project is
    ``membership.project``.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, project_slug: str, *args, **kwargs) -> HttpResponse:
        membership = get_membership(request, project_slug)
        request.membership = membership
        return view(request, membership, *args, **kwargs)

    return wrapper
