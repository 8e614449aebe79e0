"""Saved views: a comparison's state under a name, listed on the project home for every
member, opening exactly what was saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.projects.models import Membership, SavedView
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def story(cast):
    tag = factories.make_tag(cast.project, "blame")
    article = factories.make_article(cast.project, text="Kerry blamed Russia.")
    factories.make_annotation(article, cast.analyst, "Kerry blamed", tags=[tag])
    return factories.make_story(cast.project, article, name="Aleppo")


def _save(client, project, name="Blame by month", **state):
    query = "&".join(f"{k}={v}" for k, v in state.items())
    return client.post(
        reverse("analysis:save-view", args=[project.slug]),
        {"name": name, "screen": "compare", "query": query},
    )


def test_members_who_code_save_viewers_and_others_cannot(client, cast, story):
    url = reverse("analysis:save-view", args=[cast.project.slug])
    for n, role in enumerate(("owner", "analyst")):
        client.force_login(getattr(cast, role))
        response = _save(client, cast.project, name=f"view {n}", story=story.pk)
        assert response.status_code == 302
        assert (
            response.url
            == f"{reverse('analysis:compare', args=[cast.project.slug])}?story={story.pk}"
        )
    client.force_login(cast.viewer)
    assert _save(client, cast.project, name="viewer's").status_code == 403
    client.force_login(cast.outsider)
    assert _save(client, cast.project, name="outsider's").status_code == 404
    client.logout()
    assert _save(client, cast.project, name="anonymous").status_code == 302
    client.force_login(cast.analyst)
    assert client.get(url).status_code == 405
    assert sorted(cast.project.saved_views.values_list("name", flat=True)) == ["view 0", "view 1"]


def test_the_saved_state_is_the_selection_and_layout_only(client, cast, story):
    client.force_login(cast.analyst)
    _save(client, cast.project, story=story.pk, rows="claims", group="month", count="distinct",
          sort="total", page=3, bogus="x", tag_mode="any")  # fmt: skip
    view = cast.project.saved_views.get()
    assert view.query == f"story={story.pk}&rows=claims&group=month&count=distinct&sort=total"
    assert view.created_by == cast.analyst


def test_with_htmx_the_form_answers_in_place_and_refuses_what_is_wrong(client, cast, story):
    client.force_login(cast.analyst)
    url = reverse("analysis:save-view", args=[cast.project.slug])
    data = {"name": "Aleppo blame", "screen": "compare", "query": f"story={story.pk}"}
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200 and "Saved as" in response.text
    assert "<html" not in response.text
    again = client.post(url, data, **HTMX)
    assert again.status_code == 422 and "A view named “Aleppo blame” exists" in again.text
    broken = client.post(url, {**data, "name": "broken", "query": "since=2016-02-30"}, **HTMX)
    assert broken.status_code == 422 and "has a mistake" in broken.text
    nameless = client.post(url, {**data, "name": "   "}, **HTMX)
    assert nameless.status_code == 422 and "Give the view a name" in nameless.text
    other = client.post(url, {**data, "name": "x", "screen": "reader"}, **HTMX)
    assert other.status_code == 422
    assert list(cast.project.saved_views.values_list("name", flat=True)) == ["Aleppo blame"]


def test_every_member_finds_it_on_the_home_and_it_opens_what_was_saved(client, cast, story):
    client.force_login(cast.analyst)
    _save(client, cast.project, name="Aleppo by claims", story=story.pk, rows="claims")
    view = cast.project.saved_views.get()
    client.force_login(cast.viewer)
    home = client.get(cast.project.get_absolute_url()).text
    assert "Aleppo by claims" in home and view.get_absolute_url().replace("&", "&amp;") in home
    assert "Delete</button>" not in home  # not theirs
    saved = client.get(view.get_absolute_url()).text
    direct = client.get(
        reverse("analysis:compare", args=[cast.project.slug]), {"story": story.pk, "rows": "claims"}
    ).text
    part = lambda page: page.split('id="compare-results"')[1].split("</table>")[0]  # noqa: E731
    assert part(saved) == part(direct)


def test_its_author_and_owners_delete_it_others_cannot(client, cast, story):
    other = factories.make_user("another")
    Membership.objects.create(project=cast.project, user=other, role="analyst")
    client.force_login(cast.analyst)
    for name in ("first", "second", "third"):
        _save(client, cast.project, name=name, story=story.pk)
    views = {v.name: v for v in cast.project.saved_views.all()}

    def delete(user, name, **headers):
        client.force_login(user)
        url = reverse("analysis:delete-view", args=[cast.project.slug, views[name].pk])
        return client.post(url, **headers)

    assert delete(other, "first").status_code == 403
    assert delete(cast.viewer, "first").status_code == 403
    assert delete(cast.outsider, "first").status_code == 404
    assert delete(cast.analyst, "first").status_code == 302
    response = delete(cast.owner, "second", **HTMX)
    assert response.status_code == 200 and response.text == ""
    client.force_login(cast.analyst)
    url = reverse("analysis:delete-view", args=[cast.project.slug, views["third"].pk])
    assert client.get(url).status_code == 405
    assert list(SavedView.objects.values_list("name", flat=True)) == ["third"]


def test_the_home_reads_saved_views_in_one_query(client, cast, story):
    client.force_login(cast.analyst)
    home = cast.project.get_absolute_url()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(home)
        return len(captured)

    _save(client, cast.project, name="one")
    before = queries()
    for n in range(5):
        _save(client, cast.project, name=f"more {n}")
    assert queries() == before


def test_me_is_saved_as_the_one_who_saves(client, cast, story):
    client.force_login(cast.analyst)
    _save(client, cast.project, name="mine", annotator="me")
    assert cast.project.saved_views.get().query == f"annotator={cast.analyst.username}"


def test_a_member_demoted_to_viewer_no_longer_deletes_their_view(client, cast, story):
    client.force_login(cast.analyst)
    _save(client, cast.project, name="mine")
    view = cast.project.saved_views.get()
    Membership.objects.filter(project=cast.project, user=cast.analyst).update(role="viewer")
    url = reverse("analysis:delete-view", args=[cast.project.slug, view.pk])
    assert client.post(url).status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_without_htmx_a_refused_save_goes_back_to_the_screen_as_it_was(client, cast, story):
    client.force_login(cast.analyst)
    _save(client, cast.project, name="taken")
    response = _save(client, cast.project, name="taken", story=story.pk, rows="claims")
    compare = reverse("analysis:compare", args=[cast.project.slug])
    assert response.status_code == 302
    assert response.url == f"{compare}?story={story.pk}&rows=claims"
