"""The permission matrix, walked through every project page.

Members (owner, analyst, viewer) read; outsiders get 404 so they cannot even learn that a
project exists; anonymous visitors are sent to the login page.
"""

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def pages(cast):
    article = factories.make_article(cast.project, title="Peskov says bombing goes on")
    story = factories.make_story(cast.project, article, name="Aleppo, September 2016")
    claim = factories.make_claim(cast.project, "Russia is isolated")
    actor = factories.make_actor(cast.project, "Dmitry Peskov")
    return {
        "analysis:claim": (
            {"project_slug": cast.project.slug, "claim_id": claim.pk},
            "Russia is isolated",
        ),
        "analysis:actor": (
            {"project_slug": cast.project.slug, "actor_id": actor.pk},
            "Dmitry Peskov",
        ),
        "corpus:home": ({"project_slug": cast.project.slug}, cast.project.name),
        "annotations:reader": (
            {"project_slug": cast.project.slug, "article_id": article.pk},
            "Peskov says bombing goes on",
        ),
        "corpus:story": (
            {"project_slug": cast.project.slug, "story_id": story.pk},
            "Aleppo, September 2016",
        ),
        "annotations:codebook": ({"project_slug": cast.project.slug}, "Codebook"),
        "annotations:actors": ({"project_slug": cast.project.slug}, "Actors"),
        "annotations:claims": ({"project_slug": cast.project.slug}, "Claims"),
    }


PAGE_NAMES = [
    "analysis:claim",
    "analysis:actor",
    "corpus:home",
    "annotations:reader",
    "corpus:story",
    "annotations:codebook",
    "annotations:actors",
    "annotations:claims",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
@pytest.mark.parametrize("role", ["owner", "analyst", "viewer"])
def test_members_of_every_role_can_read_every_project_page(client, cast, pages, name, role):
    client.force_login(getattr(cast, role))
    kwargs, expected = pages[name]
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert expected in response.text


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_outsiders_get_404_on_every_project_page(client, cast, pages, name):
    client.force_login(cast.outsider)
    kwargs, expected = pages[name]
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404
    assert expected not in response.text


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_anonymous_visitors_are_sent_to_log_in(client, pages, name):
    kwargs, _ = pages[name]
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


# The codebook, actor and claim pages take changes by POST (their own tests).
EDITABLE = {"annotations:codebook", "annotations:actors", "annotations:claims"}


@pytest.mark.parametrize("name", [n for n in PAGE_NAMES if n not in EDITABLE])
def test_project_pages_refuse_writes(client, cast, pages, name):
    client.force_login(cast.owner)
    kwargs, _ = pages[name]
    assert client.post(reverse(name, kwargs=kwargs)).status_code == 405


def test_an_unknown_project_is_404_for_everyone(client, cast):
    client.force_login(cast.owner)
    assert client.get(reverse("corpus:home", args=["no-such-project"])).status_code == 404


def test_an_article_of_another_project_is_404_even_for_a_member(client, cast):
    foreign = factories.make_article(factories.make_project(), title="Elsewhere")
    client.force_login(cast.owner)
    url = reverse(
        "annotations:reader", kwargs={"project_slug": cast.project.slug, "article_id": foreign.pk}
    )
    assert client.get(url).status_code == 404


def test_a_story_of_another_project_is_404_even_for_a_member(client, cast):
    foreign = factories.make_story(factories.make_project(), name="Elsewhere")
    client.force_login(cast.owner)
    url = reverse(
        "corpus:story", kwargs={"project_slug": cast.project.slug, "story_id": foreign.pk}
    )
    assert client.get(url).status_code == 404


def test_an_htmx_request_after_the_session_expired_navigates_to_log_in(client, pages):
    kwargs, _ = pages["corpus:home"]
    url = reverse("corpus:home", kwargs=kwargs)
    response = client.get(
        url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{url}?tag=3"
    )
    assert response.status_code == 200
    assert (
        response["HX-Redirect"]
        == "/accounts/login/?next=%2Fp%2Fproject-"
        + url.split("/p/project-")[1].replace("/", "%2F")
        + "%3Ftag%3D3"
    )


def test_the_login_redirect_never_leaves_the_site(client, pages):
    kwargs, _ = pages["corpus:home"]
    url = reverse("corpus:home", kwargs=kwargs)
    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x")
    assert "evil" not in response["HX-Redirect"]
