"""Personal API tokens: made, checked and revoked here (the user's page, the API's
authentication and the tests all go through these functions).

A token reads ``nw_<secret>``: the prefix says what it is (to a person, or to a secret
scanner), the secret is 32 random bytes from ``secrets``. The database keeps the secret's
SHA-256 and its first characters only.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, User

SCHEME = "nw_"
VISIBLE = 8  # characters of the token shown on the user's page to tell tokens apart
MAX_TOKENS = 20  # active tokens per user
# ``last_used_at`` is written at most this often: a write on every request would make
# every page of a read-only API wait for a write lock (SQLite has one for the database).
TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AlreadySent(Exception):
    """The form that makes a token was sent again: its token is made already."""


@transaction.atomic
def create_token(
    *, user: User, name: str, form_id: uuid.UUID | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and cannot be shown again;
    ``AlreadySent`` if the form ``form_id`` made one already."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name.", code="required")
    if ApiToken.objects.active().filter(user=user).count() >= MAX_TOKENS:
        raise ValidationError(
            f"You have {MAX_TOKENS} tokens: revoke one you no longer use first.", code="limit"
        )
    secret = SCHEME + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name[:100],
                prefix=secret[:VISIBLE],
                digest=digest(secret),
                form_id=form_id,
            )
    except IntegrityError:
        if form_id and ApiToken.objects.filter(form_id=form_id).exists():
            raise AlreadySent from None
        raise
    return token, secret


def revoke_token(*, token: ApiToken) -> None:
    """Stops the token at once: every request checks ``revoked_at`` in the database."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate(secret: str) -> ApiToken | None:
    """The active token of this secret (with its active user), or None."""
    if not secret.startswith(SCHEME) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=digest(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
