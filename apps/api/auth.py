"""Who calls the API: a personal token in ``Authorization: Bearer``, nothing else (not a
session, so a page cannot be made to read the API with the visitor's cookies; not a query
parameter, which would land in access logs and browser histories). And how often."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from apps.accounts import tokens
from apps.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # ninja's own parser logs a header with another scheme, whole, under DEBUG: this
        # one never writes the header anywhere.
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.authenticate(token)
        if found is not None:
            # The API's user is the token's, whatever session cookie came along; the
            # access rules of the screens (``get_membership``) read it from here.
            request.user = found.user
        return found


class TokenThrottle(SimpleRateThrottle):
    """``API_RATE_LIMIT`` requests per user (all their tokens together), counted in the
    default cache. The rate is read on each request, so a change of settings applies."""

    scope = "api"

    def __init__(self) -> None:
        super().__init__(rate=settings.API_RATE_LIMIT)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # refused before this anyway
        return f"api-rate-{token.user_id}"
