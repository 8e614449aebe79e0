import pytest
from django.urls import reverse

from apps.annotations.models import Annotation
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def annotation(cast):
    article = factories.make_article(cast.project)
    return factories.make_annotation(article, cast.analyst, "Kremlin spokesman", note="first")


def _url(annotation):
    return reverse("annotations:edit", args=[annotation.article.project.slug, annotation.pk])


def _data(annotation, **extra):
    return {"version": annotation.version, "note": "changed", **extra}


def test_the_annotator_gets_the_form_prefilled(client, cast, annotation):
    tag = factories.make_tag(cast.project, "diplomacy")
    annotation.tags.add(tag, through_defaults={"article_id": annotation.article_id})
    client.force_login(cast.analyst)
    page = client.get(_url(annotation)).text
    assert "<html" in page  # without htmx: a whole page
    assert ">first</textarea>" in page
    assert f'value="{tag.pk}" data-shortcut="1" tabindex="-1" checked' in page  # first tag: key 1


def test_with_htmx_the_form_replaces_the_sidebar_item(client, cast, annotation):
    client.force_login(cast.analyst)
    response = client.get(_url(annotation), **HTMX)
    assert response.text.lstrip().startswith(
        f'<li class="annotation-item editing" id="a{annotation.pk}"'
    )
    assert response["HX-Retarget"] == f"#a{annotation.pk}"


def test_saving_changes_the_coding_and_bumps_the_version(client, cast, annotation):
    client.force_login(cast.analyst)
    response = client.post(_url(annotation), _data(annotation))
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert (annotation.note, annotation.version) == ("changed", 2)


def test_with_htmx_saving_returns_the_updated_reader(client, cast, annotation):
    client.force_login(cast.analyst)
    response = client.post(_url(annotation), _data(annotation), **HTMX)
    assert response["HX-Retarget"] == "#reader-body"
    assert "changed" in response.text
    assert 'id="annotation-form"' not in response.text  # the create form stays as it is


def test_a_second_editor_on_an_old_version_is_refused_with_409(client, cast, annotation):
    client.force_login(cast.analyst)
    stale = _data(annotation, note="second editor")
    client.post(_url(annotation), _data(annotation, note="first editor"))
    response = client.post(_url(annotation), stale, **HTMX)
    assert response.status_code == 409
    assert "Someone else saved this annotation while you were editing it" in response.text
    assert "first editor" in response.text  # what it says now
    assert 'name="version" value="2"' in response.text  # saving again is a choice
    annotation.refresh_from_db()
    assert annotation.note == "first editor"


def test_editing_an_annotation_deleted_meanwhile_is_404(client, cast, annotation):
    client.force_login(cast.analyst)
    data = _data(annotation)
    Annotation.objects.filter(pk=annotation.pk).update(version=5)
    Annotation.objects.filter(pk=annotation.pk).delete()
    assert client.post(_url(annotation), data).status_code == 404


def test_invalid_input_gets_422_with_the_message(client, cast, annotation):
    client.force_login(cast.analyst)
    response = client.post(_url(annotation), _data(annotation, speaker="Nobody"), **HTMX)
    assert response.status_code == 422
    assert "No actor called “Nobody”" in response.text


def test_another_analyst_cannot_edit_and_is_told_who_can(client, cast, annotation):
    other = factories.make_user("second-analyst")
    cast.project.memberships.create(user=other, role="analyst")
    client.force_login(other)
    response = client.post(_url(annotation), _data(annotation))
    assert response.status_code == 403
    assert "Only anton, who made this annotation, can change or delete it." in response.text
    annotation.refresh_from_db()
    assert annotation.note == "first"


def test_an_owner_cannot_edit_an_analysts_annotation(client, cast, annotation):
    client.force_login(cast.owner)
    assert client.get(_url(annotation)).status_code == 403


def test_a_viewer_cannot_edit(client, cast, annotation):
    client.force_login(cast.viewer)
    response = client.get(_url(annotation))
    assert response.status_code == 403
    assert "Viewers can read and export" in response.text


def test_an_outsider_gets_404(client, cast, annotation):
    client.force_login(cast.outsider)
    assert client.get(_url(annotation)).status_code == 404


def test_editing_refuses_other_methods(client, cast, annotation):
    client.force_login(cast.analyst)
    assert client.put(_url(annotation)).status_code == 405
