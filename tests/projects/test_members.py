"""The members page: everyone in the project sees who is in it; owners add members (by
username or email), change roles and remove them; a project always keeps an owner."""

import pytest
from django.urls import reverse

from apps.projects.models import Membership, Role
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(cast, name="members", *args):
    return reverse(f"projects:{name}", args=[cast.project.slug, *args])


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("analyst", 200), ("viewer", 200), ("outsider", 404), (None, 302)],
)
def test_members_see_who_else_is_in_the_project(client, cast, who, status):
    if who:
        client.force_login(getattr(cast, who))
    response = client.get(_url(cast))
    assert response.status_code == status
    if status == 200:
        assert all(name in response.text for name in ("olga", "anton", "vera"))
        assert ("Add a member" in response.text) == (who == "owner")


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_only_owners_add_members(client, cast, who, status):
    newcomer = factories.make_user("nina")
    if who:
        client.force_login(getattr(cast, who))
    response = client.post(_url(cast, "member-add"), {"who": "nina", "role": "viewer"})
    assert response.status_code == status
    added = Membership.objects.filter(project=cast.project, user=newcomer)
    assert added.exists() == (who == "owner")


def test_a_member_is_added_by_email_with_htmx_and_the_list_is_swapped(client, cast):
    factories.make_user("nina", email="Nina@Example.org", first_name="Nina", last_name="K")
    client.force_login(cast.owner)
    response = client.post(
        _url(cast, "member-add"), {"who": "nina@example.org", "role": "analyst"}, **HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="member-list"')
    assert "Nina K added as analyst." in response.text


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No account has the username or email address"),
        ("anton", "is already a member (analyst)"),
        ("", "Give a username or an email address."),
    ],
)
def test_adding_says_why_not(client, cast, who, message):
    client.force_login(cast.owner)
    response = client.post(_url(cast, "member-add"), {"who": who, "role": "viewer"}, **HTMX)
    assert response.status_code == 422 and message in response.text
    plain = client.post(_url(cast, "member-add"), {"who": who, "role": "viewer"}, follow=True)
    assert message in plain.text  # the page again, the reason on it


def test_an_owner_changes_a_role_and_removes_a_member(client, cast):
    client.force_login(cast.owner)
    analyst = cast.project.memberships.get(user=cast.analyst)
    response = client.post(_url(cast, "member-change", analyst.pk), {"role": "owner"}, **HTMX)
    assert "is now owner" in response.text
    assert Membership.objects.get(pk=analyst.pk).role == Role.OWNER
    viewer = cast.project.memberships.get(user=cast.viewer)
    client.post(_url(cast, "member-remove", viewer.pk))
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert client.get(cast.project.get_absolute_url()).status_code == 200


def test_the_last_owner_can_neither_be_demoted_nor_removed(client, cast):
    client.force_login(cast.owner)
    mine = cast.project.memberships.get(user=cast.owner)
    demoted = client.post(_url(cast, "member-change", mine.pk), {"role": "viewer"}, **HTMX)
    assert demoted.status_code == 422 and "The last owner cannot be demoted" in demoted.text
    removed = client.post(_url(cast, "member-remove", mine.pk), **HTMX)
    assert removed.status_code == 422 and "The last owner cannot be removed" in removed.text
    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER


def test_an_owner_who_leaves_is_sent_to_their_projects(client, cast):
    cast.project.memberships.filter(user=cast.analyst).update(role=Role.OWNER)
    client.force_login(cast.owner)
    mine = cast.project.memberships.get(user=cast.owner)
    response = client.post(_url(cast, "member-remove", mine.pk), **HTMX)
    assert response["HX-Redirect"] == reverse("projects:list")
    assert client.get(cast.project.get_absolute_url()).status_code == 404


def test_an_owner_who_steps_down_sees_the_list_without_the_controls(client, cast):
    cast.project.memberships.filter(user=cast.analyst).update(role=Role.OWNER)
    client.force_login(cast.owner)
    mine = cast.project.memberships.get(user=cast.owner)
    response = client.post(_url(cast, "member-change", mine.pk), {"role": "analyst"}, **HTMX)
    assert "is now analyst" in response.text and "Add a member" not in response.text


def test_members_of_another_project_cannot_be_touched(client, cast):
    elsewhere = Membership.objects.exclude(project=cast.project).get()
    client.force_login(cast.owner)
    assert client.post(_url(cast, "member-remove", elsewhere.pk)).status_code == 404
    assert (
        client.post(_url(cast, "member-change", elsewhere.pk), {"role": "viewer"}).status_code
        == 404
    )
    assert Membership.objects.filter(pk=elsewhere.pk).exists()


def test_an_unknown_role_is_refused(client, cast):
    client.force_login(cast.owner)
    analyst = cast.project.memberships.get(user=cast.analyst)
    response = client.post(_url(cast, "member-change", analyst.pk), {"role": "admin"}, **HTMX)
    assert response.status_code == 422 and "is not a role" in response.text


def test_the_pages_take_only_their_methods(client, cast):
    client.force_login(cast.owner)
    assert client.post(_url(cast)).status_code == 405
    assert client.get(_url(cast, "member-add")).status_code == 405


def test_the_list_costs_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    for n in range(10):
        Membership.objects.create(
            project=cast.project, user=factories.make_user(f"extra{n}"), role=Role.VIEWER
        )
    client.force_login(cast.owner)
    with django_assert_max_num_queries(6):
        assert client.get(_url(cast)).status_code == 200
