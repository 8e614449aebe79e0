"""An article's details corrected by an owner in the app: title, outlet, date, byline and
web address; never its text; recorded in its history; for owners only."""

import pytest
from django.urls import reverse

from apps.corpus.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(cast):
    return factories.make_article(cast.project, title="Convoy strike", text="Near Aleppo.")


def _url(article):
    return reverse("corpus:article-details", args=[article.project.slug, article.pk])


def _details(article, **changes):
    source = changes.pop("source", article.source)
    data = {"title": article.title, "source": source.pk, "published": "", "byline": "",
            "url": article.url}  # fmt: skip
    return {**data, **changes}


def test_an_owner_corrects_the_details_and_the_history_says_who(client, cast, article):
    outlet = factories.make_source("Reuters")
    client.force_login(cast.owner)
    page = client.get(_url(article)).content.decode()
    assert "The article's details" in page and 'name="published"' in page
    response = client.post(_url(article), _details(
        article, title="Convoy struck near Aleppo", source=outlet, published="2016-09-19",
        byline="A. Reporter", url="https://example.org/convoy"))  # fmt: skip
    assert response.status_code == 302 and response.url == article.get_absolute_url()
    article.refresh_from_db()
    assert (article.title, article.source, str(article.published), article.byline) == (
        "Convoy struck near Aleppo", outlet, "2016-09-19", "A. Reporter")  # fmt: skip
    assert article.text == "Near Aleppo."  # the text is never touched here
    latest = article.history.latest()
    assert latest.history_user == cast.owner and latest.title == "Convoy struck near Aleppo"
    reader = client.get(article.get_absolute_url()).content.decode()
    assert "details are saved." in reader and "19 September 2016" in reader


def test_wrong_details_are_said_and_nothing_is_saved(client, cast, article):
    client.force_login(cast.owner)
    for wrong in ({"title": ""}, {"url": "not a web address"}, {"published": "31/02/2016"},
                  {"source": ""}):  # fmt: skip
        response = client.post(_url(article), {**_details(article), **wrong})
        assert response.status_code == 422, wrong
        assert 'class="error"' in response.content.decode()
    assert Article.objects.get(pk=article.pk).title == "Convoy strike"
    # The text cannot be sent along.
    client.post(_url(article), {**_details(article), "text": "Something else."})
    assert Article.objects.get(pk=article.pk).text == "Near Aleppo."


def test_only_owners_edit_details(client, cast, article):
    for role, status in (("owner", 200), ("analyst", 403), ("viewer", 403), ("outsider", 404)):
        client.force_login(getattr(cast, role))
        assert client.get(_url(article)).status_code == status, role
        assert client.post(_url(article), _details(article, title="X")).status_code in (
            status if status != 200 else 302,)  # fmt: skip
    assert Article.objects.get(pk=article.pk).title == "X"  # the owner's
    client.logout()
    assert client.get(_url(article)).status_code == 302  # to the login page
    client.force_login(cast.owner)
    assert client.put(_url(article)).status_code == 405
    other = factories.make_article(factories.make_project(), text="Elsewhere.")
    assert client.get(_url(other).replace(other.project.slug, cast.project.slug)).status_code == 404


def test_the_reader_links_owners_to_the_details(client, cast, article):
    client.force_login(cast.owner)
    assert _url(article) in client.get(article.get_absolute_url()).content.decode()
    client.force_login(cast.analyst)
    assert _url(article) not in client.get(article.get_absolute_url()).content.decode()
