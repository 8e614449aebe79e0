"""Blind coding in the API: an analyst's token reads what the analyst's screens show,
no more (the other coder's passages on an article only once it is marked done, never
another article's); an owner's and a viewer's token read everything. Every endpoint of
the API is asked, or said to hold no annotation."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from apps.accounts.tokens import create_token
from apps.coding.assigning import mark_done
from tests.coding import blind_world
from tests.coding.blind_world import World, text_of


def _paths(w: World) -> dict[str, list[str]]:
    base = f"/api/v1/projects/{w.project.slug}"
    return {
        "api-v1:projects": ["/api/v1/projects"],
        "api-v1:project": [base],
        "api-v1:articles": [f"{base}/articles", f"{base}/articles?story={w.story.pk}"],
        "api-v1:article": [f"{base}/articles/{w.x.pk}", f"{base}/articles/{w.y.pk}"],
        "api-v1:revisions": [f"{base}/articles/{w.x.pk}/revisions"],
        "api-v1:codebook": [f"{base}/codebook"],
        "api-v1:actors": [f"{base}/actors"],
        "api-v1:claims": [f"{base}/claims"],
        "api-v1:annotation_list": [
            f"{base}/annotations",
            f"{base}/annotations?format=jsonld",
            f"{base}/annotations?layer=gold",
            f"{base}/annotations?annotator=bella&article={w.x.pk}",
            f"{base}/annotations?q=marmalade",
            f"{base}/annotations?tag={w.tag_b.pk}&limit=1",
        ],
    }


NO_ANNOTATIONS = {
    "api-v1:openapi-json": "the schema",
    "api-v1:openapi-view": "the schema's page",
    "api-v1:api-root": "the API's root",
}
# These show an article's text, where a quote's words are the text's.
SHOWS_TEXT = {"api-v1:article"}


def _api_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "api-v1" and pattern.name:
                names.add(f"api-v1:{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def world(cast) -> World:
    return blind_world.build(cast)


def _api(user) -> Client:
    _, secret = create_token(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_every_endpoint_is_asked(world):
    names = _api_names()
    assert sorted(names - set(_paths(world)) - set(NO_ANNOTATIONS)) == []


def _leaks(api: Client, w: World, notes, quotes) -> list[str]:
    found = []
    for name, paths in _paths(w).items():
        for path in paths:
            response = api.get(path)
            assert response.status_code == 200, path
            body = text_of(response)
            for word in notes + (() if name in SHOWS_TEXT else quotes):
                if word in body:
                    found.append(f"{path} shows {word}")
    return found


def _notes(api: Client, w: World, **params) -> list[str]:
    response = api.get(f"/api/v1/projects/{w.project.slug}/annotations", params)
    return sorted(row["note"] for row in json.loads(response.content)["results"])


def test_an_analysts_token_reads_only_what_blind_coding_lets_them_see(world):
    api = _api(world.a)
    notes, quotes = blind_world.HIDDEN_NOTES, blind_world.HIDDEN_QUOTES
    assert _leaks(api, world, notes, quotes) == []
    assert _notes(api, world) == [blind_world.A_NOTE]
    mark_done(article=world.x, coder=world.a)
    assert _notes(api, world) == sorted([blind_world.A_NOTE, blind_world.B_NOTE])
    assert _notes(api, world, layer="gold") == [blind_world.GOLD_NOTE]
    notes, quotes = blind_world.HIDDEN_NOTES_AFTER, blind_world.HIDDEN_QUOTES_AFTER
    assert _leaks(api, world, notes, quotes) == []


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_an_owners_or_viewers_token_reads_everything(world, role):
    api = _api(getattr(world, role))
    everything = sorted([blind_world.A_NOTE, blind_world.B_NOTE, blind_world.Y_NOTE])
    assert _notes(api, world) == everything
    assert _notes(api, world, layer="gold") == [blind_world.GOLD_NOTE]
