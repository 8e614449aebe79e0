"""The admin never leaks across projects: a staff user who is not a superuser sees and
changes only what belongs to the projects they own; a superuser sees everything."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.corpus.jobs import add_items
from apps.corpus.models import Article, ImportBatch, ImportState
from apps.corpus.reading import Item
from apps.projects.models import Membership, Project, Role
from tests import factories


@pytest.fixture
def two_projects(db):
    """Olga owns "Ours" and is staff with every model permission; "Theirs" is not hers."""
    olga = factories.make_user("olga", is_staff=True)
    olga.user_permissions.set(Permission.objects.all())
    ours = factories.make_project("Ours", owner=olga)
    theirs = factories.make_project("Theirs", owner=factories.make_user("tess"))
    found = {}
    for project in (ours, theirs):
        article = factories.make_article(
            project, title=f"Article of {project.name}", text=f"Text of {project.name}."
        )
        tag = factories.make_tag(project, name=f"Tag of {project.name}")
        found[project.name] = {
            "project": project,
            "article": article,
            "tag": tag,
            "actor": factories.make_actor(project, name=f"Actor of {project.name}"),
            "claim": factories.make_claim(project, text=f"Claim of {project.name}"),
            "story": factories.make_story(project, article, name=f"Story of {project.name}"),
            "annotation": factories.make_annotation(article, olga, tags=[tag]),
            "membership": project.memberships.first(),
        }
    return olga, found


ADMINS = {
    "project": "projects_project",
    "membership": "projects_membership",
    "article": "corpus_article",
    "story": "corpus_story",
    "tag": "annotations_tag",
    "actor": "annotations_actor",
    "claim": "annotations_claim",
    "annotation": "annotations_annotation",
}


@pytest.mark.parametrize("kind", ADMINS)
def test_a_staff_owner_lists_and_opens_only_their_projects_content(client, two_projects, kind):
    olga, found = two_projects
    client.force_login(olga)
    listing = client.get(reverse(f"admin:{ADMINS[kind]}_changelist")).text
    ours, theirs = found["Ours"][kind], found["Theirs"][kind]
    assert reverse(f"admin:{ADMINS[kind]}_change", args=[ours.pk]) in listing
    assert reverse(f"admin:{ADMINS[kind]}_change", args=[theirs.pk]) not in listing
    assert "Theirs" not in listing  # not in the rows, nor in the filters beside them
    foreign = client.get(reverse(f"admin:{ADMINS[kind]}_change", args=[theirs.pk]))
    assert foreign.status_code == 302  # "does not exist", back to the index
    assert client.get(reverse(f"admin:{ADMINS[kind]}_change", args=[ours.pk])).status_code == 200


def test_a_superuser_sees_every_project(client, two_projects):
    client.force_login(factories.make_user("root", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:corpus_article_changelist")).text
    assert "Article of Ours" in listing and "Article of Theirs" in listing


def test_choices_and_autocompletes_keep_to_the_users_projects(client, two_projects):
    olga, _ = two_projects
    client.force_login(olga)

    def autocomplete(app_label, model_name, field_name):
        found = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": field_name},
        ).json()
        return [choice["text"] for choice in found["results"]]

    assert autocomplete("corpus", "article", "project") == ["Ours"]
    assert autocomplete("corpus", "story", "articles") == ["Article of Ours"]
    assert autocomplete("annotations", "tag", "parent") == ["Tag of Ours"]
    assert autocomplete("projects", "membership", "project") == ["Ours"]


def test_a_story_cannot_be_given_another_projects_articles(client, two_projects):
    olga, found = two_projects
    client.force_login(olga)
    response = client.post(
        reverse("admin:corpus_story_add"),
        {
            "project": found["Ours"]["project"].pk,
            "name": "Smuggled",
            "description": "",
            "articles": [found["Theirs"]["article"].pk],
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text


def test_a_staff_owner_cannot_import_into_or_open_the_batches_of_another_project(
    client, two_projects
):
    olga, found = two_projects
    client.force_login(olga)
    theirs = found["Theirs"]["project"]
    upload = reverse("admin:corpus_article_import")
    assert ">Theirs<" not in client.get(upload).text
    response = client.post(
        upload,
        {
            "project": theirs.pk,
            "story": "",
            "files": SimpleUploadedFile("a.txt", b"Headline\nKerry warned Russia."),
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not ImportBatch.objects.exists()
    batch = ImportBatch.objects.create(project=theirs, state=ImportState.PREPARED)
    add_items(batch, [Item(name="x.txt", title="X", text="Smuggled text.", status="new")])
    url = reverse("admin:corpus_article_import_batch", args=[batch.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Article.objects.filter(title="X").exists()


def test_a_project_created_in_the_admin_makes_its_creator_an_owner(client, db):
    root = factories.make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:projects_project_add"),
        {
            "name": "New study",
            "slug": "new-study",
            "description": "",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.text
    project = Project.objects.get(slug="new-study")
    assert Membership.objects.get(project=project, user=root).role == Role.OWNER
    assert client.get(project.get_absolute_url()).status_code == 200
