"""A coder's queue: who has one, what it lists (in the reader's queue order, with each
article's status and the coder's passages), the status tabs, htmx, and a query count
that does not grow with the queue."""

import datetime
import re

import pytest
from django.urls import reverse

from apps.coding.assigning import assign, mark_done
from tests import factories
from tests.coding.access import assert_for_roles

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(project, **params):
    return reverse("coding:queue", args=[project.slug])


@pytest.fixture
def queued(cast):
    """Three articles for the analyst: one done, one in progress, one to do (by date,
    the undated last)."""
    made = [
        factories.make_article(cast.project, text="First text.", title="Undated", published=None),
        factories.make_article(
            cast.project, text="Second text.", title="Late", published=datetime.date(2020, 5, 1)
        ),
        factories.make_article(
            cast.project, text="Third text.", title="Early", published=datetime.date(2019, 1, 1)
        ),
    ]
    assign(
        project=cast.project, articles=[a.pk for a in made], coders=[cast.analyst], by=cast.owner
    )
    factories.make_annotation(made[1], cast.analyst, "Second")
    factories.make_annotation(made[1], cast.analyst, "text")
    factories.make_annotation(made[0], cast.owner)  # someone else's: not the analyst's work
    mark_done(article=made[2], coder=cast.analyst)
    cast.queued = made
    return cast


def test_coders_have_a_queue_and_viewers_none(client, cast):
    assert_for_roles(client, cast, _url(cast.project), allowed=("owner", "analyst"))


def test_it_lists_the_articles_in_order_with_status_and_own_passages(client, queued):
    client.force_login(queued.analyst)
    page = client.get(_url(queued.project)).text
    rows = re.findall(
        r'<tr class="queue-item status-(\w+)">.*?>([^<]+)</a></td>\s*<td class="num"[^>]*>(\d+)',
        page,
        re.S,
    )
    assert rows == [("done", "Early", "0"), ("started", "Late", "2"), ("todo", "Undated", "0")]
    assert (
        "3 articles assigned to you: <strong>1</strong> done, <strong>1</strong> in progress"
        in page
    )
    reader = reverse("annotations:reader", args=[queued.project.slug, queued.queued[1].pk])
    assert f'href="{reader}">Continue: Late' in page  # the first not done


def test_the_tabs_show_one_status(client, queued):
    client.force_login(queued.analyst)
    page = client.get(_url(queued.project), {"status": "todo"}).text
    assert re.findall(r'<tr class="queue-item status-(\w+)"', page) == ["todo"]
    assert '?status=todo" aria-current="page"' in page
    part = client.get(_url(queued.project), {"status": "done"}, **HTMX).text
    assert "<html" not in part and re.findall(r'queue-item status-(\w+)"', part) == ["done"]


@pytest.mark.parametrize("status", ["bogus", "DONE", " todo"])
def test_an_unknown_status_is_no_status(client, queued, status):
    client.force_login(queued.analyst)
    page = client.get(_url(queued.project), {"status": status}).text
    assert re.findall(r'<tr class="queue-item status-(\w+)"', page) == ["done", "started", "todo"]
    assert "None of your articles is" not in page


def test_an_empty_queue_says_how_articles_arrive(client, cast):
    client.force_login(cast.owner)
    page = client.get(_url(cast.project)).text
    assert "Nothing is assigned to you in this project yet" in page


def test_all_done_says_so(client, queued):
    for article in queued.queued:
        mark_done(article=article, coder=queued.analyst)
    client.force_login(queued.analyst)
    assert "All done." in client.get(_url(queued.project)).text


def test_the_home_page_links_the_queue_of_a_coder_who_has_one(client, queued):
    home = queued.project.get_absolute_url()
    client.force_login(queued.analyst)
    assert "My queue: 2 of 3 to finish" in client.get(home).text
    client.force_login(queued.owner)
    page = client.get(home).text
    assert "My queue" not in page  # nothing assigned to this owner
    assert reverse("coding:assignments", args=[queued.project.slug]) in page
    client.force_login(queued.viewer)
    page = client.get(home).text
    assert "My queue" not in page and "Assignments" not in page


def test_the_query_count_does_not_grow_with_the_queue(
    client, queued, django_assert_max_num_queries
):
    client.force_login(queued.analyst)
    with django_assert_max_num_queries(6) as small:
        client.get(_url(queued.project))
    more = [factories.make_article(queued.project, text=f"Text {n}.") for n in range(25)]
    assign(
        project=queued.project,
        articles=[a.pk for a in more],
        coders=[queued.analyst],
        by=queued.owner,
    )
    for article in more[:10]:
        factories.make_annotation(article, queued.analyst)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(_url(queued.project)).text
    assert page.count('class="queue-item') == 28
