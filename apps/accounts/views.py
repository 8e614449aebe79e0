"""The user's API tokens: make one (its secret shown once), see them, revoke one."""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import tokens
from apps.accounts.models import ApiToken, User

ALREADY_SENT = (
    "This form was sent already: its token is made (below), and its secret was shown "
    "once. If you did not copy it, revoke that token and make another."
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required let only a user through
    secret, problem, status = None, None, 200
    if request.method == "POST":
        # The secret cannot be shown again after a redirect, so the page answers the POST
        # itself; a reload that sends the form again must not make a second token.
        try:
            form_id = uuid.UUID(request.POST.get("form_id", ""))
        except ValueError:
            form_id = None
        try:
            name = request.POST.get("name", "")
            _, secret = tokens.create_token(user=user, name=name, form_id=form_id)
        except tokens.AlreadySent:
            problem, status = ALREADY_SENT, 409
        except ValidationError as error:
            problem, status = " ".join(error.messages), 422
    context = {
        "tokens": ApiToken.objects.filter(user=user),
        "secret": secret,
        "problem": problem,
        "form_id": uuid.uuid4(),
    }
    response = render(request, "accounts/tokens.html", context, status=status)
    # The new secret is on this page only: no cache (the browser's or a proxy's) keeps it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token is not found: its id says nothing about its owner.
    token = get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk)
    tokens.revoke_token(token=token)
    messages.success(request, f"“{token.name}” is revoked: it no longer opens the API.")
    return redirect("accounts:tokens")
