"""The rate limit, and a token that never reaches a log."""

import logging

import pytest
from django.test import Client
from django.test.client import RequestFactory
from django.views.debug import SafeExceptionReporterFilter

from apps.accounts import tokens


def test_the_rate_limit_counts_per_user_across_their_tokens(cast, bearer, settings):
    settings.API_RATE_LIMIT = "3/min"
    one, two = Client(headers=bearer(cast.viewer)), Client(headers=bearer(cast.viewer))
    assert [one.get("/api/v1/projects").status_code for _ in range(2)] == [200, 200]
    assert two.get("/api/v1/projects").status_code == 200
    refused = two.get("/api/v1/projects")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert one.get("/api/v1/projects").status_code == 429
    # Another user has their own allowance.
    assert Client(headers=bearer(cast.owner)).get("/api/v1/projects").status_code == 200


@pytest.mark.parametrize("debug", [False, True])
def test_no_log_line_holds_a_token(cast, caplog, settings, debug):
    settings.DEBUG = debug
    settings.API_RATE_LIMIT = "4/min"
    caplog.set_level(logging.DEBUG)
    _, secret = tokens.create_token(user=cast.viewer, name="x")
    revoked, revoked_secret = tokens.create_token(user=cast.viewer, name="y")
    tokens.revoke_token(token=revoked)
    slug = cast.project.slug
    for header, url in [
        (f"Bearer {secret}", "/api/v1/projects"),
        (f"Bearer {secret}", "/api/v1/projects/no-such-project"),
        (f"Bearer {secret}", f"/api/v1/projects/{slug}/annotations?since=never"),
        (f"Bearer {secret}", f"/api/v1/projects/{slug}/articles/0"),
        (f"Bearer {secret}", "/api/v1/projects"),  # over the limit
        (f"Token {secret}", "/api/v1/projects"),  # another scheme
        (f"Basic {secret}", "/api/v1/projects"),
        (f"Bearer {revoked_secret}", "/api/v1/projects"),
    ]:
        Client(headers={"Authorization": header}).get(url)
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert "Unauthorized" in logged and "Too Many Requests" in logged  # logging ran
    for value in (secret, revoked_secret):
        assert value not in logged and value[12:] not in logged


def test_an_error_report_hides_the_authorization_header():
    request = RequestFactory().get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer nw_secret")
    meta = SafeExceptionReporterFilter().get_safe_request_meta(request)
    assert "nw_secret" not in str(meta["HTTP_AUTHORIZATION"])
