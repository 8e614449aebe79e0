"""Any signed-in user starts a project and owns it, optionally from another project's
codebook, actors and claims."""

import pytest
from django.urls import reverse

from apps.annotations.models import Actor, Claim, Tag
from apps.projects.models import Project, Role
from tests import factories

NEW = reverse("setup:project-new")


@pytest.fixture
def source_project(cast):
    """The cast's project with a codebook of two levels, actors and a narrative."""
    project = cast.project
    parent = factories.make_tag(project, name="Blame", color="#ff0000", shortcut="1")
    factories.make_tag(project, name="Blame the US", parent=parent, description="Rule.")
    narrative = factories.make_claim(project, text="The West is to blame")
    factories.make_claim(project, text="The US broke the ceasefire", parent=narrative)
    factories.make_actor(project, name="Sergey Lavrov", aliases="Lavrov\nRussian FM")
    return project


def test_the_project_list_offers_a_new_project(client, cast):
    client.force_login(cast.viewer)
    assert NEW in client.get(reverse("projects:list")).text


def test_anyone_signed_in_creates_a_project_and_becomes_its_owner(client, cast):
    client.force_login(cast.outsider)
    response = client.post(NEW, {"name": "  Gaza   ceasefire 2024 ", "description": "Talks."})
    project = Project.objects.get(name="Gaza ceasefire 2024")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.slug == "gaza-ceasefire-2024"
    assert project.memberships.get().user == cast.outsider
    assert project.memberships.get().role == Role.OWNER
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200 and "you are its owner" in page.text


def test_a_taken_name_gets_its_own_address(client, cast):
    client.force_login(cast.owner)
    client.post(NEW, {"name": "Aleppo coverage"})  # the cast's project is called so too
    slugs = sorted(Project.objects.filter(name="Aleppo coverage").values_list("slug", flat=True))
    assert len(slugs) == 2 and len(set(slugs)) == 2


def test_the_set_up_is_copied_with_its_hierarchy(client, cast, source_project):
    client.force_login(cast.analyst)
    response = client.post(
        NEW,
        {"name": "Copy", "copy_from": source_project.pk, "parts": ["codebook", "actors", "claims"]},
        follow=True,
    )
    assert "2 tags, 1 actors, 2 claims" in response.text
    copy = Project.objects.get(name="Copy")
    child = Tag.objects.get(project=copy, name="Blame the US")
    assert child.parent.name == "Blame" and child.parent.project == copy
    assert (child.parent.color, child.parent.shortcut, child.description) == (
        "#ff0000",
        "1",
        "Rule.",
    )
    claim = Claim.objects.get(project=copy, text="The US broke the ceasefire")
    assert claim.parent.text == "The West is to blame" and claim.parent.project == copy
    assert Actor.objects.get(project=copy).alias_list == ["Lavrov", "Russian FM"]
    assert Tag.objects.filter(project=source_project).count() == 2  # the original untouched
    # The same codebook in both projects: the same codes for REFI-QDA exchange.
    original = Tag.objects.get(project=source_project, name="Blame the US")
    assert child.guid == original.guid and child.pk != original.pk


def test_only_the_ticked_parts_are_copied(client, cast, source_project):
    client.force_login(cast.owner)
    client.post(NEW, {"name": "Tags only", "copy_from": source_project.pk, "parts": ["codebook"]})
    copy = Project.objects.get(name="Tags only")
    assert (copy.tags.count(), copy.actors.count(), copy.claims.count()) == (2, 0, 0)


def test_a_project_one_does_not_belong_to_cannot_be_copied(client, cast, source_project):
    client.force_login(cast.outsider)
    response = client.post(
        NEW, {"name": "Stolen", "copy_from": source_project.pk, "parts": ["codebook"]}
    )
    assert response.status_code == 422 and "Select a valid choice" in response.text
    assert not Project.objects.filter(name="Stolen").exists()


def test_a_project_needs_a_name_and_something_to_copy(client, cast, source_project):
    client.force_login(cast.owner)
    assert client.post(NEW, {"name": "   "}).status_code == 422
    response = client.post(NEW, {"name": "X", "copy_from": source_project.pk})
    assert response.status_code == 422 and "Tick what to copy" in response.text
    assert not Project.objects.filter(name="X").exists()


def test_the_page_needs_a_login_and_takes_get_and_post_only(client, cast):
    response = client.get(NEW)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(cast.owner)
    assert client.get(NEW).status_code == 200
    assert client.put(NEW).status_code == 405
