"""Staff manage everything in the Django admin; annotations are read-only there."""

import pytest
from django.urls import reverse

from apps.annotations.models import Tag
from apps.corpus.models import Article
from tests import factories

# The management form of the (read-only) revisions inline.
NO_REVISIONS = {"revisions-TOTAL_FORMS": 0, "revisions-INITIAL_FORMS": 0}


@pytest.fixture
def staff_client(client, db):
    client.force_login(factories.make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "accounts/user",
        "projects/project",
        "projects/membership",
        "corpus/source",
        "corpus/article",
        "corpus/story",
        "annotations/tag",
        "annotations/actor",
        "annotations/claim",
        "annotations/annotation",
    ],
)
def test_staff_can_list_and_search_every_model(staff_client, cast, model):
    article = factories.make_article(cast.project, title="Findable article")
    factories.make_annotation(article, cast.analyst, tags=[factories.make_tag(cast.project)])
    app, name = model.split("/")
    response = staff_client.get(reverse(f"admin:{app}_{name}_changelist"), {"q": "a"})
    assert response.status_code == 200
    assert "Select" in response.text  # the change list rendered, not an error page


def test_annotations_cannot_be_added_or_changed_in_the_admin(staff_client, cast):
    annotation = factories.make_annotation(factories.make_article(cast.project), cast.analyst)
    assert staff_client.get(reverse("admin:annotations_annotation_add")).status_code == 403
    change = reverse("admin:annotations_annotation_change", args=[annotation.pk])
    page = staff_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert staff_client.post(change, {"note": "overwritten"}).status_code == 403
    annotation.refresh_from_db()
    assert annotation.note == ""


def test_creating_an_article_in_the_admin_canonicalises_its_text(staff_client, cast):
    source = factories.make_source()
    response = staff_client.post(
        reverse("admin:corpus_article_add"),
        {
            "project": cast.project.pk,
            "source": source.pk,
            "title": "Typed in",
            "url": "example.org/typed",
            "language": "en",
            "text": "\ufeffFirst  line\r\nCafe\u0301\r\n",
            "raw": "",
            **NO_REVISIONS,
        },
    )
    assert response.status_code == 302, response.text
    article = Article.objects.get(title="Typed in")
    assert article.text == "First line\n\nCafé"
    assert article.url == "https://example.org/typed"
    assert article.word_count == 3


def test_the_admin_refuses_a_duplicate_text_with_a_clear_message(staff_client, cast):
    existing = factories.make_article(cast.project, text="Same text.", title="First copy")
    response = staff_client.post(
        reverse("admin:corpus_article_add"),
        {
            "project": cast.project.pk,
            "source": existing.source.pk,
            "title": "Second copy",
            "language": "en",
            "text": "Same   text.",
            **NO_REVISIONS,
        },
    )
    assert response.status_code == 200
    assert "The same text is already in this project: “First copy”" in response.text


def test_editing_an_annotated_articles_text_creates_a_revision_and_reports_it(staff_client, cast):
    article = factories.make_article(cast.project, text="Kerry spoke.\n\nLavrov answered.")
    annotation = factories.make_annotation(article, cast.analyst, "Lavrov answered")
    response = staff_client.post(
        reverse("admin:corpus_article_change", args=[article.pk]),
        {
            "source": article.source.pk,
            "title": article.title,
            "url": article.url,
            "language": "en",
            "text": "A new lead.\n\nKerry spoke.\n\nLavrov answered.",
            **NO_REVISIONS,
        },
        follow=True,
    )
    assert "New text saved as revision 2. Annotations: 0 exact, 1 moved" in response.text
    article.refresh_from_db()
    annotation.refresh_from_db()
    assert article.revisions.get().text == "Kerry spoke.\n\nLavrov answered."
    assert article.text[annotation.start : annotation.end] == "Lavrov answered"


def test_the_admin_warns_when_annotations_need_review(staff_client, cast):
    article = factories.make_article(cast.project, text="Kerry spoke.\n\nLavrov answered.")
    factories.make_annotation(article, cast.analyst, "Lavrov answered")
    response = staff_client.post(
        reverse("admin:corpus_article_change", args=[article.pk]),
        {
            "source": article.source.pk,
            "title": article.title,
            "language": "en",
            "text": "Kerry spoke.",
            **NO_REVISIONS,
        },
        follow=True,
    )
    assert "1 orphaned" in response.text
    assert 'class="warning"' in response.text


def test_a_story_cannot_gather_articles_of_another_project(staff_client, cast):
    foreign = factories.make_article(factories.make_project(), title="Elsewhere")
    response = staff_client.post(
        reverse("admin:corpus_story_add"),
        {"project": cast.project.pk, "name": "Mixed", "articles": [foreign.pk]},
    )
    assert response.status_code == 200
    assert "belong to another project" in response.text


def test_a_tag_parent_from_another_project_is_refused(staff_client, cast):
    foreign_parent = factories.make_tag(factories.make_project(), "elsewhere")
    response = staff_client.post(
        reverse("admin:annotations_tag_add"),
        {
            "project": cast.project.pk,
            "name": "child",
            "color": "#ffe08a",
            "parent": foreign_parent.pk,
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "The parent tag belongs to another project." in response.text
    assert not Tag.objects.filter(name="child").exists()


def test_a_tag_cannot_become_its_own_ancestor(staff_client, cast):
    parent = factories.make_tag(cast.project, "parent")
    child = factories.make_tag(cast.project, "child", parent=parent)
    response = staff_client.post(
        reverse("admin:annotations_tag_change", args=[parent.pk]),
        {
            "project": cast.project.pk,
            "name": "parent",
            "color": "#ffe08a",
            "parent": child.pk,
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "cannot be its own ancestor" in response.text


def test_a_claim_cannot_become_its_own_narrative(staff_client, cast):
    parent = factories.make_claim(cast.project, "The West is to blame")
    child = factories.make_claim(cast.project, "The US aided IS", parent=parent)
    response = staff_client.post(
        reverse("admin:annotations_claim_change", args=[parent.pk]),
        {"project": cast.project.pk, "text": parent.text, "parent": child.pk},
    )
    assert "A claim cannot be its own narrative." in response.text


def test_a_boilerplate_rule_that_could_hang_an_import_is_refused(staff_client):
    response = staff_client.post(
        reverse("admin:corpus_source_add"), {"name": "X", "kind": "other", "boilerplate": "(a+)+$"}
    )
    assert "repeats a group that itself repeats" in response.text
