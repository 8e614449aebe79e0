"""Owners make an analyst an adjudicator (and no longer) on the members page: only
owners, only analysts; what it lets the analyst do is tested with adjudication."""

from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(cast, membership) -> str:
    return reverse("projects:member-adjudicator", args=[cast.project.slug, membership.pk])


def test_an_owner_makes_an_analyst_adjudicator_and_no_longer(client, cast):
    analyst = cast.project.memberships.get(user=cast.analyst)
    client.force_login(cast.owner)
    response = client.post(_url(cast, analyst), {"adjudicator": "1"}, **HTMX)
    assert response.status_code == 200
    assert "now settles disagreements between coders" in response.text
    analyst.refresh_from_db()
    assert analyst.adjudicator and analyst.can_adjudicate
    response = client.post(_url(cast, analyst), {"adjudicator": "0"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.adjudicator and not analyst.can_adjudicate


def test_the_members_page_offers_it_for_analysts_only(client, cast):
    client.force_login(cast.owner)
    page = client.get(reverse("projects:members", args=[cast.project.slug])).text
    assert page.count("Make adjudicator") == 1
    client.force_login(cast.viewer)
    page = client.get(reverse("projects:members", args=[cast.project.slug])).text
    assert "Make adjudicator" not in page


def test_a_viewer_or_owner_is_not_made_adjudicator(client, cast):
    client.force_login(cast.owner)
    for user in (cast.viewer, cast.owner):
        member = cast.project.memberships.get(user=user)
        response = client.post(_url(cast, member), {"adjudicator": "1"}, **HTMX)
        assert response.status_code == 422 and "Only an analyst" in response.text
        member.refresh_from_db()
        assert not member.adjudicator


def test_only_owners_change_it(client, cast):
    analyst = cast.project.memberships.get(user=cast.analyst)
    for user in (cast.analyst, cast.viewer):
        client.force_login(user)
        assert client.post(_url(cast, analyst), {"adjudicator": "1"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(_url(cast, analyst), {"adjudicator": "1"}).status_code == 404
    client.force_login(cast.owner)
    assert client.get(_url(cast, analyst)).status_code == 405
    analyst.refresh_from_db()
    assert not analyst.adjudicator


def test_a_demoted_adjudicator_no_longer_adjudicates(cast):
    analyst = cast.project.memberships.get(user=cast.analyst)
    analyst.adjudicator = True
    analyst.role = "viewer"
    assert not analyst.can_adjudicate and analyst.sees_adjudication
