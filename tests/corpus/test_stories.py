"""Stories kept in the app: analysts and owners start them from ticked articles, add and
remove articles, rename and describe them; owners delete them."""

import pytest
from django.urls import reverse

from apps.corpus.models import Story
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def articles(cast):
    return [
        factories.make_article(cast.project, title=f"Article {n}", text=f"Text number {n}.")
        for n in range(3)
    ]


def _url(cast, name, *args):
    return reverse(f"corpus:{name}", args=[cast.project.slug, *args])


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("analyst", 302), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_analysts_and_owners_start_a_story_from_ticked_articles(
    client, cast, articles, who, status
):
    if who:
        client.force_login(getattr(cast, who))
    response = client.post(
        _url(cast, "story-create"),
        {"name": " Ceasefire  talks ", "article": [articles[0].pk, articles[1].pk]},
    )
    assert response.status_code == status
    created = Story.objects.filter(project=cast.project, name="Ceasefire talks")
    assert created.exists() == (who in ("owner", "analyst"))
    if created.exists():
        assert response["Location"] == created.get().get_absolute_url()
        assert set(created.get().articles.all()) == set(articles[:2])


def test_the_home_page_offers_ticking_to_those_who_may(client, cast, articles):
    client.force_login(cast.analyst)
    page = client.get(cast.project.get_absolute_url()).text
    assert 'form="pick"' in page and "Start a story" in page
    client.force_login(cast.viewer)
    page = client.get(cast.project.get_absolute_url()).text
    assert 'form="pick"' not in page and "Start a story" not in page


def test_articles_are_added_and_removed_and_the_counts_say_so(client, cast, articles):
    story = factories.make_story(cast.project, articles[0], name="Talks")
    client.force_login(cast.analyst)
    page = client.post(
        _url(cast, "story-articles"),
        {"story": story.pk, "action": "add", "article": [a.pk for a in articles]},
        follow=True,
    ).text
    assert "2 articles added to “Talks” (1 already in it)." in page
    assert story.articles.count() == 3
    page = client.post(
        _url(cast, "story-articles"),
        {
            "story": story.pk,
            "action": "remove",
            "article": [articles[2].pk],
            "next": story.get_absolute_url(),
        },
        follow=True,
    ).text
    assert "1 article removed from “Talks”." in page and story.articles.count() == 2
    # Each change of its articles is one record of the story, by whom and what.
    records = list(story.history.order_by("-history_date")[:2])
    assert [(r.history_user, r.history_type) for r in records] == [(cast.analyst, "~")] * 2
    removed, added = (r.history_change_reason for r in records)
    assert removed == f"removed 1 article: {articles[2].title}"
    assert added.startswith("added 2 articles: ")
    activity = client.get(reverse("annotations:activity", args=[cast.project.slug])).text
    assert "removed 1 article" in activity and "added 2 articles" in activity


def test_another_projects_articles_and_stories_are_out_of_reach(client, cast, articles):
    elsewhere = factories.make_project("Elsewhere", owner=cast.outsider)
    foreign_article = factories.make_article(elsewhere, text="Foreign text.")
    foreign_story = factories.make_story(elsewhere, foreign_article, name="Foreign")
    story = factories.make_story(cast.project, name="Ours")
    client.force_login(cast.owner)
    client.post(_url(cast, "story-articles"), {"story": story.pk, "article": [foreign_article.pk]})
    assert not story.articles.exists()
    response = client.post(
        _url(cast, "story-articles"), {"story": foreign_story.pk, "article": [articles[0].pk]}
    )
    assert response.status_code == 404 and foreign_story.articles.count() == 1
    assert client.post(_url(cast, "story-delete", foreign_story.pk)).status_code == 404


def test_a_story_needs_a_free_name_and_says_why_not(client, cast, articles):
    factories.make_story(cast.project, name="Talks")
    client.force_login(cast.analyst)
    page = client.post(_url(cast, "story-create"), {"name": "Talks"}, follow=True).text
    assert "There is already a story called “Talks”." in page
    page = client.post(_url(cast, "story-create"), {"name": "   "}, follow=True).text
    assert "A story needs a name." in page
    assert Story.objects.filter(project=cast.project).count() == 1


def test_a_story_is_renamed_and_described_and_that_is_on_the_record(client, cast):
    story = factories.make_story(cast.project, name="Talks")
    client.force_login(cast.analyst)
    client.post(
        _url(cast, "story-edit", story.pk), {"name": "Geneva talks", "description": "2016."}
    )
    story.refresh_from_db()
    assert (story.name, story.description) == ("Geneva talks", "2016.")
    record = story.history.latest()
    assert (record.history_user, record.name) == (cast.analyst, "Geneva talks")


def test_only_owners_delete_a_story_and_its_articles_stay(client, cast, articles):
    story = factories.make_story(cast.project, *articles, name="Talks")
    client.force_login(cast.analyst)
    assert client.post(_url(cast, "story-delete", story.pk)).status_code == 403
    client.force_login(cast.owner)
    response = client.post(_url(cast, "story-delete", story.pk), **HTMX)
    assert response["HX-Redirect"] == cast.project.get_absolute_url()
    assert not Story.objects.filter(pk=story.pk).exists()
    assert cast.project.articles.count() == 3


def test_the_story_pages_take_only_post(client, cast):
    story = factories.make_story(cast.project, name="Talks")
    client.force_login(cast.owner)
    for name, args in [("story-create", ()), ("story-edit", (story.pk,)), ("story-articles", ())]:
        assert client.get(_url(cast, name, *args)).status_code == 405


def test_an_unsafe_next_address_is_not_followed(client, cast, articles):
    story = factories.make_story(cast.project, name="Talks")
    client.force_login(cast.owner)
    response = client.post(
        _url(cast, "story-articles"),
        {"story": story.pk, "article": [articles[0].pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == story.get_absolute_url()
