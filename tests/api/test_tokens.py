import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.accounts import tokens
from apps.accounts.models import ApiToken

PROJECTS = "/api/v1/projects"


def _every_text_in_the_tokens_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_database_keeps_a_hash_and_a_short_prefix_never_the_secret(cast):
    token, secret = tokens.create_token(user=cast.viewer, name="notebook")
    assert secret.startswith("nw_") and len(secret) > 40
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) == tokens.VISIBLE
    stored = _every_text_in_the_tokens_table()
    assert secret not in stored and secret[len(token.prefix) :] not in stored


def test_two_tokens_never_share_a_secret(cast):
    secrets = {tokens.create_token(user=cast.viewer, name=f"t{i}")[1] for i in range(20)}
    assert len(secrets) == 20


def test_a_token_needs_a_name_and_a_user_has_a_bounded_number(cast):
    with pytest.raises(ValidationError):
        tokens.create_token(user=cast.viewer, name="  ")
    for i in range(tokens.MAX_TOKENS):
        tokens.create_token(user=cast.viewer, name=f"t{i}")
    with pytest.raises(ValidationError):
        tokens.create_token(user=cast.viewer, name="one too many")


def test_the_page_shows_a_new_token_once_and_lists_it_by_its_prefix(client, cast):
    client.force_login(cast.viewer)
    url = reverse("accounts:tokens")
    response = client.post(url, {"name": "My notebook"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=cast.viewer)
    assert token.name == "My notebook"
    again = client.get(url).content.decode()
    assert secret not in again
    assert f"{token.prefix}…" in again and "My notebook" in again


def test_sending_the_form_again_makes_no_second_token(client, cast):
    client.force_login(cast.viewer)
    url = reverse("accounts:tokens")
    form_id = client.get(url).context["form_id"]
    first = client.post(url, {"name": "My notebook", "form_id": form_id})
    assert first.status_code == 200 and first.context["secret"]
    again = client.post(url, {"name": "My notebook", "form_id": form_id})  # a reload
    assert again.status_code == 409 and not again.context["secret"]
    assert "This form was sent already" in again.content.decode()
    assert ApiToken.objects.filter(user=cast.viewer).count() == 1
    # The page's next form is a new one.
    assert again.context["form_id"] != form_id
    assert (
        client.post(url, {"name": "Another", "form_id": again.context["form_id"]}).status_code
        == 200
    )
    assert ApiToken.objects.filter(user=cast.viewer).count() == 2


def test_the_page_refuses_a_nameless_token_with_the_reason(client, cast):
    client.force_login(cast.viewer)
    response = client.post(reverse("accounts:tokens"), {"name": ""})
    assert response.status_code == 422 and "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_needs_a_login_and_its_forms_the_csrf_token(cast):
    anonymous = Client()
    assert anonymous.get(reverse("accounts:tokens")).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.viewer)
    assert strict.post(reverse("accounts:tokens"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_top_bar_links_to_the_tokens_page(client, cast):
    client.force_login(cast.viewer)
    page = client.get(reverse("projects:list")).content.decode()
    assert f'href="{reverse("accounts:tokens")}"' in page


def test_a_revoked_token_stops_working_at_once(client, cast):
    token, secret = tokens.create_token(user=cast.viewer, name="notebook")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get(PROJECTS).status_code == 200
    client.force_login(cast.viewer)
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get(PROJECTS).status_code == 401
    assert "revoked" in client.get(reverse("accounts:tokens")).content.decode()


def test_nobody_revokes_someone_elses_token(client, cast):
    token, _ = tokens.create_token(user=cast.viewer, name="notebook")
    client.force_login(cast.outsider)
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("accounts:token-revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.active


def test_a_token_of_a_deactivated_user_opens_nothing(cast):
    _, secret = tokens.create_token(user=cast.viewer, name="notebook")
    cast.viewer.is_active = False
    cast.viewer.save()
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get(PROJECTS).status_code == 401


def test_last_use_is_recorded_without_a_write_per_request(cast, django_assert_num_queries):
    token, secret = tokens.create_token(user=cast.viewer, name="notebook")
    assert tokens.authenticate(secret) == token
    token.refresh_from_db()
    assert token.last_used_at is not None
    with django_assert_num_queries(1):  # the lookup, no update within the minute
        tokens.authenticate(secret)
