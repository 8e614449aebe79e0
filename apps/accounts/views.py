"""The user's API tokens: make one (its secret shown once), see them, revoke one."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import tokens
from apps.accounts.models import ApiToken, User


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required let only a user through
    secret, problem = None, None
    if request.method == "POST":
        try:
            _, secret = tokens.create_token(user=user, name=request.POST.get("name", ""))
        except ValidationError as error:
            problem = " ".join(error.messages)
    context = {
        "tokens": ApiToken.objects.filter(user=user),
        "secret": secret,
        "problem": problem,
    }
    response = render(request, "accounts/tokens.html", context, status=422 if problem else 200)
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
