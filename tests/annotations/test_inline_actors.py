"""An analyst who meets a speaker not in the list adds the actor from the annotation form;
a name typed half or misspelt is answered with what it may mean."""

import pytest
from django.urls import reverse

from apps.annotations.models import Actor, Annotation
from apps.annotations.naming import similar
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "Ulrich Speck said the talks had failed. Peskov denied it."


@pytest.fixture
def setup(cast):
    article = factories.make_article(cast.project, text=TEXT)
    factories.make_actor(cast.project, name="Dmitry Peskov", aliases="Peskov\nKremlin spokesman")
    factories.make_actor(cast.project, name="Sergey Lavrov")
    return article


def _create(client, cast, article, **fields):
    url = reverse("annotations:create", args=[cast.project.slug, article.pk])
    data = {
        "start": 0,
        "end": 12,
        "quote": "Ulrich Speck",
        "text_hash": article.content_hash,
        "client_token": "9a1f1f3e-5b7e-4a55-9c62-1a9d2f1e0c01",
        **fields,
    }
    return client.post(url, data, **HTMX)


def test_an_unknown_speaker_is_explained_and_nothing_is_saved(client, cast, setup):
    client.force_login(cast.analyst)
    response = _create(client, cast, setup, speaker="Ulrich Speck")
    assert response.status_code == 422
    assert "No actor called “Ulrich Speck”" in response.text
    assert "Add “Ulrich Speck” as a new actor" in response.text
    assert not Annotation.objects.exists() and not Actor.objects.filter(name="Ulrich Speck")


def test_ticking_add_creates_the_actor_with_the_annotation(client, cast, setup):
    client.force_login(cast.analyst)
    response = _create(
        client, cast, setup, speaker="Ulrich  Speck", create_speaker="on", target="Pesk"
    )
    assert response.status_code == 422  # the target is still unknown: nothing saved
    assert not Actor.objects.filter(name="Ulrich Speck").exists()
    response = _create(
        client, cast, setup, speaker="Ulrich Speck", create_speaker="on", target="Peskov"
    )
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert annotation.speaker.name == "Ulrich Speck" and annotation.speaker.project == cast.project
    assert annotation.target.name == "Dmitry Peskov"


def test_a_name_typed_half_or_misspelt_suggests_the_actor(client, cast, setup):
    client.force_login(cast.analyst)
    half = _create(client, cast, setup, speaker="Pesk")
    assert "Did you mean Dmitry Peskov?" in half.text
    assert 'data-fill="speaker" data-value="Dmitry Peskov"' in half.text
    misspelt = _create(client, cast, setup, target="Sergei Lavrov")
    assert "Did you mean Sergey Lavrov?" in misspelt.text


def test_adding_an_actor_that_exists_in_other_case_reuses_it(client, cast, setup):
    client.force_login(cast.analyst)
    Actor.objects.create(project=cast.project, name="Ulrich Speck")
    # Typed differently and not found by the form's exact match? It is: nothing new.
    _create(client, cast, setup, speaker="ulrich speck", create_speaker="on")
    assert Actor.objects.filter(name__iexact="ulrich speck").count() == 1


def test_editing_adds_an_actor_too(client, cast, setup):
    annotation = factories.make_annotation(setup, cast.analyst, "Ulrich Speck")
    client.force_login(cast.analyst)
    url = reverse("annotations:edit", args=[cast.project.slug, annotation.pk])
    response = client.post(
        url,
        {"version": annotation.version, "target": "Angela Stent", "create_target": "on"},
        **HTMX,
    )
    assert response.status_code == 200
    annotation.refresh_from_db()
    assert annotation.target.name == "Angela Stent"


def test_viewers_cannot_add_actors(client, cast, setup):
    client.force_login(cast.viewer)
    response = _create(client, cast, setup, speaker="Ulrich Speck", create_speaker="on")
    assert response.status_code == 403
    assert not Actor.objects.filter(name="Ulrich Speck").exists()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Pesk", ["Dmitry Peskov"]),
        ("kremlin", ["Dmitry Peskov"]),
        ("Sergei Lavrov", ["Sergey Lavrov"]),
        ("US", []),  # two letters match only the start of a word
        ("Angela Merkel", []),
        ("", []),
    ],
)
def test_similar_names(typed, expected):
    known = {
        "Dmitry Peskov": "Dmitry Peskov",
        "Kremlin spokesman": "Dmitry Peskov",
        "Sergey Lavrov": "Sergey Lavrov",
        "United States government": "United States government",
    }
    assert similar(typed, known) == expected


def test_a_claim_typed_almost_like_one_in_the_project_is_suggested(client, cast, setup):
    factories.make_claim(cast.project, "The US broke the ceasefire")
    client.force_login(cast.analyst)
    response = _create(client, cast, setup, claim="US broke the ceasefire")
    assert response.status_code == 422
    assert "Did you mean “The US broke the ceasefire”?" in response.text
    assert 'data-fill="claim" data-value="The US broke the ceasefire"' in response.text
