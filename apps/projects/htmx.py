"""htmx helpers shared by every app's views: the typed request and the page-or-partial rule."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from apps.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type checking views)."""

    htmx: HtmxDetails


class SignedInRequest(HtmxHttpRequest):
    """A request that ``login_required`` or ``project_view`` let through."""

    user: User  # narrowed from User | AnonymousUser


def page_or_partial(request: HttpRequest, name: str, partial: str) -> str:
    """The template to render: a fragment for an htmx request that swaps part of the
    page; the whole page for anything else. A boosted request navigates and a history
    restore rebuilds the page, so both get the whole page (NetBox's rule)."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return f"{name}#{partial}"
    return name
