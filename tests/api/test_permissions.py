"""Every endpoint against the fixed cast: members read (viewers too: the API only reads),
an outsider and an unknown project get 404 (as on the screens), and a request without a
valid token 401, whatever session it carries."""

import pytest
from django.test import Client

from apps.accounts import tokens
from apps.annotations.anchoring import revise_article
from tests import factories

ENDPOINTS = [
    "/api/v1/projects/{slug}",
    "/api/v1/projects/{slug}/articles",
    "/api/v1/projects/{slug}/articles/{article}",
    "/api/v1/projects/{slug}/articles/{article}/revisions",
    "/api/v1/projects/{slug}/codebook",
    "/api/v1/projects/{slug}/actors",
    "/api/v1/projects/{slug}/claims",
    "/api/v1/projects/{slug}/annotations",
    "/api/v1/projects/{slug}/annotations?format=jsonld",
]


@pytest.fixture
def article(cast):
    article = factories.make_article(cast.project)
    factories.make_annotation(article, cast.analyst, tags=[factories.make_tag(cast.project)])
    factories.make_actor(cast.project)
    factories.make_claim(cast.project)
    revise_article(
        article=article, new_text=article.text + "\n\nA line more.", author=None, reason="x"
    )
    return article


def _urls(cast, article, slug=None):
    return [e.format(slug=slug or cast.project.slug, article=article.pk) for e in ENDPOINTS]


@pytest.mark.parametrize("role", ["owner", "analyst", "viewer"])
def test_members_read_every_endpoint(cast, article, bearer, role):
    api = Client(headers=bearer(getattr(cast, role)))
    for url in _urls(cast, article):
        response = api.get(url)
        assert response.status_code == 200, url
    assert api.get("/api/v1/projects").json()[0]["role"] == role


def test_an_outsider_gets_404_from_every_endpoint_and_no_project_in_the_list(cast, article, bearer):
    api = Client(headers=bearer(cast.outsider))
    for url in _urls(cast, article):
        assert api.get(url).status_code == 404, url
    assert cast.project.slug not in {p["slug"] for p in api.get("/api/v1/projects").json()}


def test_an_unknown_project_and_another_projects_article_are_404(cast, article, bearer):
    api = Client(headers=bearer(cast.owner))
    for url in _urls(cast, article, slug="no-such-project"):
        assert api.get(url).status_code == 404, url
    elsewhere = factories.make_project(owner=cast.owner)
    for url in _urls(cast, article, slug=elsewhere.slug)[2:4]:
        assert api.get(url).status_code == 404, url


def _refused(api: Client, cast, article) -> None:
    for url in ["/api/v1/projects", *_urls(cast, article)]:
        response = api.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Unauthorized"}


def test_without_a_token_everything_is_401_even_with_a_session(client, cast, article):
    _refused(Client(), cast, article)
    client.force_login(cast.owner)  # a signed-in browser's cookies open nothing
    _refused(client, cast, article)


@pytest.mark.parametrize(
    "header",
    ["Bearer nw_not-a-token", "Bearer ", "Token {secret}", "Basic {secret}", "{secret}"],
)
def test_a_wrong_or_misspelt_authorization_is_401(cast, article, header):
    _, secret = tokens.create_token(user=cast.owner, name="x")
    _refused(Client(headers={"Authorization": header.format(secret=secret)}), cast, article)


def test_a_revoked_token_is_401(cast, article):
    token, secret = tokens.create_token(user=cast.owner, name="x")
    tokens.revoke_token(token=token)
    _refused(Client(headers={"Authorization": f"Bearer {secret}"}), cast, article)


def test_a_token_in_the_query_string_is_not_read(cast, article):
    _, secret = tokens.create_token(user=cast.owner, name="x")
    for name in ("token", "access_token", "api_key"):
        assert Client().get("/api/v1/projects", {name: secret}).status_code == 401


def test_the_api_only_reads(cast, article, bearer):
    api = Client(headers=bearer(cast.owner))
    for url in _urls(cast, article):
        for method in (api.post, api.put, api.patch, api.delete):
            assert method(url).status_code == 405, (method, url)
