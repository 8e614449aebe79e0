import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def home_url(cast):
    return reverse("corpus:home", args=[cast.project.slug])


def test_the_home_page_lists_articles_with_source_date_and_annotation_count(client, cast, home_url):
    import datetime

    source = factories.make_source("BBC News")
    article = factories.make_article(
        cast.project,
        title="Russia to carry on bombing",
        source=source,
        published=datetime.date(2016, 9, 29),
    )
    factories.make_annotation(article, cast.analyst)
    factories.make_annotation(article, cast.owner, layer="gold")  # adjudicated: not counted
    factories.make_annotation(factories.make_article(factories.make_project()), cast.analyst)
    client.force_login(cast.viewer)
    response = client.get(home_url)
    row = response.text.split("Russia to carry on bombing")[0].rsplit("<tr>", 1)[1]
    assert "BBC News" in row and "29 Sep 2016" in row
    assert "<strong>1</strong> annotations" in response.text


def test_the_home_page_lists_stories_with_their_size(client, cast, home_url):
    a, b = (
        factories.make_article(cast.project, text="a"),
        factories.make_article(cast.project, text="b"),
    )
    factories.make_story(cast.project, a, b, name="Kerry threatens to suspend talks")
    client.force_login(cast.viewer)
    response = client.get(home_url)
    assert "Kerry threatens to suspend talks" in response.text
    assert "2 articles" in response.text


def test_an_empty_project_says_how_articles_arrive(client, cast, home_url):
    client.force_login(cast.owner)
    response = client.get(home_url)
    assert "No articles yet" in response.text
    assert "No stories yet" in response.text


def test_the_home_page_query_count_does_not_grow_with_articles(
    client, cast, home_url, django_assert_max_num_queries
):
    for n in range(15):
        article = factories.make_article(cast.project, text=f"Text number {n}.")
        factories.make_annotation(article, cast.analyst)
        factories.make_story(cast.project, article)
    client.force_login(cast.owner)
    with django_assert_max_num_queries(14):  # with the saved views and the owner's queue
        response = client.get(home_url)
    assert response.text.count("Text number") == 0  # bodies are not loaded on the list
    assert response.text.count("/articles/") >= 15


def test_the_home_page_links_every_export(client, cast, home_url):
    client.force_login(cast.viewer)
    page = client.get(home_url).text
    for name in ("annotations-csv", "annotations-jsonld", "codebook-csv", "articles-csv"):
        assert reverse(f"analysis:{name}", args=[cast.project.slug]) in page


def test_a_large_project_lists_its_articles_fifty_per_page(client, cast, home_url):
    source = factories.make_source()
    for n in range(55):
        factories.make_article(
            cast.project, text=f"Text {n}.", title=f"Title {n:02d}", source=source
        )
    client.force_login(cast.viewer)
    first = client.get(home_url).text
    assert first.count("/articles/") == 50 and "Articles 1–50 of 55" in first
    assert "<strong>55</strong> articles" in first
    second = client.get(home_url, {"page": 2}).text
    assert second.count("/articles/") == 5
