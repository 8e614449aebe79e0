"""The one access check every project view uses.

Non-members get 404, never 403: a stranger must not learn that a project exists.
Members who may read but not write get 403 with a reason they can act on.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.compiled import CompiledQuery, columns, related_columns
from apps.projects import visibility
from apps.projects.models import Membership

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse
    from django.http.response import HttpResponseBase


def _to_login(request: HttpRequest) -> HttpResponse:
    # htmx would follow a redirect and swap the login page into a fragment of the
    # page; tell it to navigate instead, back to the page the user was on.
    htmx = getattr(request, "htmx", None)
    if htmx:
        current = urlsplit(htmx.current_url or "")
        back = current.path + (f"?{current.query}" if current.query else "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back or '/'})}"
        return HttpResponseClientRedirect(login)
    return redirect_to_login(request.get_full_path())


# Asked by every project page: compiled once (``compiled.py``), with the project and the
# user (as ``select_related`` reads them).
_MEMBERSHIP = CompiledQuery(
    lambda *, slug, user_id: (
        Membership.objects.filter(project__slug=slug, user_id=user_id)
        .order_by()
        .values_list(
            *columns(Membership),
            *related_columns(Membership, "project"),
            *related_columns(Membership, "user"),
        )
    )
)


def get_membership(request: HttpRequest, project_slug: str) -> Membership:
    """Return the user's membership (with its project) or raise 404."""
    found = _MEMBERSHIP.instances(Membership, slug=project_slug, user_id=request.user.pk or 0)
    if not found:
        raise Http404("No such project.")
    membership = found[0]
    # The filters of this request ask which annotations the user may see (blind
    # coding): they find the membership here instead of reading it again.
    visibility.remember(request.user, membership)
    return membership


def require_annotate(membership: Membership) -> None:
    if not membership.can_annotate:
        raise PermissionDenied("Viewers can read and export, but not annotate.")


def require_manage(membership: Membership) -> None:
    if not membership.can_manage:
        raise PermissionDenied("Only the project's owners can do this.")


def require_adjudicate(membership: Membership, *, reading: bool = False) -> None:
    """Adjudication is for owners and designated adjudicators; ``reading`` its pages,
    also for viewers (who read everything), not for the other analysts (coders)."""
    if reading and membership.sees_adjudication:
        return
    if not membership.can_adjudicate:
        raise PermissionDenied(
            "Only the project's owners and the analysts they make adjudicators settle "
            "disagreements between coders."
        )


def project_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorate a view taking ``project_slug``: log in, check membership, pass it on.

    The view receives ``membership`` instead of ``project_slug``; the project is
    ``membership.project``.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, project_slug: str, *args, **kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return _to_login(request)
        membership = get_membership(request, project_slug)
        return view(request, membership, *args, **kwargs)

    return wrapper
