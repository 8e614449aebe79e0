"""Every change is on the record: who, when, what changed; the record outlives deletion;
owners bring a deleted annotation back; the activity page shows the project's changes."""

import datetime

import pytest
from django.urls import reverse

from apps.annotations.anchoring import revise_article
from apps.annotations.models import AnchorStatus, Annotation
from apps.projects.models import Role
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "Peskov said the Kremlin spokesman had nothing to add. Kerry disagreed."


@pytest.fixture
def article(cast):
    return factories.make_article(cast.project, text=TEXT)


@pytest.fixture
def blame(cast):
    return factories.make_tag(cast.project, "blame")


def _create(client, cast, article, tags=()):
    url = reverse("annotations:create", args=[cast.project.slug, article.pk])
    data = {
        "start": 0,
        "end": 6,
        "quote": "Peskov",
        "text_hash": article.content_hash,
        "client_token": "4f1f1f3e-5b7e-4a55-9c62-1a9d2f1e0c01",
        "tags": [tag.pk for tag in tags],
        "note": "first",
    }
    assert client.post(url, data, **HTMX).status_code == 200
    return Annotation.objects.get()


def _history(client, cast, annotation_id):
    return client.get(reverse("annotations:history", args=[cast.project.slug, annotation_id]))


def test_each_reader_change_is_one_record_with_its_tags_and_its_author(
    client, cast, article, blame
):
    client.force_login(cast.analyst)
    annotation = _create(client, cast, article, tags=[blame])
    edit = reverse("annotations:edit", args=[cast.project.slug, annotation.pk])
    client.post(edit, {"version": annotation.version, "note": "second", "tags": []}, **HTMX)
    records = list(Annotation.history.filter(id=annotation.pk).order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[0].tag_list == [[blame.pk, "blame"]] and records[1].tag_list == []
    assert {r.history_user for r in records} == {cast.analyst}
    page = _history(client, cast, annotation.pk).text
    assert "Anton" in page or "anton" in page
    assert "<del>blame</del>" in page and "<del>first</del> → <ins>second</ins>" in page


def test_the_reader_opens_an_annotations_history_under_it(client, cast, article, blame):
    client.force_login(cast.analyst)
    annotation = _create(client, cast, article, tags=[blame])
    url = reverse("annotations:history", args=[cast.project.slug, annotation.pk])
    reader = client.get(reverse("annotations:reader", args=[cast.project.slug, article.pk])).text
    assert f'hx-get="{url}" hx-target="#hist{annotation.pk}"' in reader
    assert f'<div id="hist{annotation.pk}" class="item-history"></div>' in reader
    client.force_login(cast.viewer)  # anyone in the project reads it
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'class="history-inline"' in fragment.text and "history-close" in fragment.text
    assert "created" in fragment.text and "blame" in fragment.text
    assert "<html" in client.get(url).text  # without JavaScript: the page


def test_the_history_outlives_the_annotation_and_an_owner_restores_it(client, cast, article, blame):
    client.force_login(cast.analyst)
    annotation = _create(client, cast, article, tags=[blame])
    pk = annotation.pk
    client.post(reverse("annotations:delete", args=[cast.project.slug, pk]), **HTMX)
    assert not Annotation.objects.filter(pk=pk).exists()
    page = _history(client, cast, pk)
    assert page.status_code == 200 and "This annotation was deleted" in page.text
    assert "Restore it" not in page.text  # analysts do not restore
    assert client.post(_history(client, cast, pk).wsgi_request.path).status_code == 403
    client.force_login(cast.owner)
    response = client.post(reverse("annotations:history", args=[cast.project.slug, pk]))
    assert response.status_code == 302
    restored = Annotation.objects.get(pk=pk)
    assert (restored.quote, restored.note, restored.anchor_status) == (
        "Peskov",
        "first",
        "anchored",
    )
    assert list(restored.tags.all()) == [blame] and restored.annotator == cast.analyst
    assert Annotation.history.filter(id=pk).latest().history_user == cast.owner


def test_a_restored_annotation_whose_passage_is_gone_comes_back_orphaned(client, cast, article):
    annotation = factories.make_annotation(article, cast.analyst, "Kerry disagreed")
    pk = annotation.pk
    annotation.delete()
    revise_article(
        article=article, new_text=TEXT.replace("Kerry disagreed.", "No reply."), author=None
    )
    client.force_login(cast.owner)
    client.post(reverse("annotations:history", args=[cast.project.slug, pk]))
    assert Annotation.objects.get(pk=pk).anchor_status == AnchorStatus.ORPHANED


def test_restoring_an_annotation_that_exists_says_so(client, cast, article):
    annotation = factories.make_annotation(article, cast.analyst, "Peskov")
    client.force_login(cast.owner)
    url = reverse("annotations:history", args=[cast.project.slug, annotation.pk])
    page = client.post(url, follow=True).text
    assert "This annotation was not deleted." in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("analyst", 200), ("viewer", 200), ("outsider", 404), (None, 302)],
)
def test_the_history_and_activity_pages_are_for_members(client, cast, article, who, status):
    annotation = factories.make_annotation(article, cast.analyst, "Peskov")
    if who:
        client.force_login(getattr(cast, who))
    assert _history(client, cast, annotation.pk).status_code == status
    assert (
        client.get(reverse("annotations:activity", args=[cast.project.slug])).status_code == status
    )


def test_another_projects_annotation_has_no_history_here(client, cast):
    elsewhere = factories.make_project("Elsewhere", owner=cast.outsider)
    annotation = factories.make_annotation(factories.make_article(elsewhere), cast.outsider)
    client.force_login(cast.owner)
    assert _history(client, cast, annotation.pk).status_code == 404
    assert client.post(_history(client, cast, 0).wsgi_request.path).status_code in (302, 404)


def test_the_activity_shows_members_codebook_and_annotations_with_filters(client, cast, article):
    client.force_login(cast.owner)
    newcomer = factories.make_user("nina")
    client.post(
        reverse("projects:member-add", args=[cast.project.slug]), {"who": "nina", "role": "viewer"}
    )
    factories.make_annotation(article, cast.analyst, "Peskov")
    url = reverse("annotations:activity", args=[cast.project.slug])
    page = client.get(url).text
    assert "Member" in page and "nina" in page and "“Peskov”" in page
    only_members = client.get(url, {"what": "membership"}).text
    assert "nina" in only_members and "“Peskov”" not in only_members
    by_owner = client.get(url, {"who": cast.owner.pk}).text
    assert "nina" in by_owner and "“Peskov”" not in by_owner  # made without a request
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert "No changes match" in client.get(url, {"since": tomorrow}).text
    partial = client.get(url, {"what": "membership"}, **HTMX).text
    assert partial.lstrip().startswith('<section id="activity-results"')
    assert newcomer.memberships.get().role == Role.VIEWER


def test_a_wrong_filter_is_reported_not_guessed(client, cast):
    client.force_login(cast.viewer)
    url = reverse("annotations:activity", args=[cast.project.slug])
    response = client.get(url, {"since": "yesterday-ish"})
    assert response.status_code == 200 and "Enter a valid date" in response.text


def test_articles_imported_through_a_job_are_on_the_record_with_their_importer(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.owner)
    response = client.post(
        reverse("corpus:import", args=[cast.project.slug]),
        {"story": "", "files": SimpleUploadedFile("a.txt", b"Headline A\nKerry warned Russia.")},
    )
    client.post(response["Location"])
    record = cast.project.articles.get().history.get()
    assert (record.history_type, record.history_user) == ("+", cast.owner)


def test_the_activity_page_costs_a_bounded_number_of_queries(
    client, cast, article, django_assert_max_num_queries
):
    tags = [factories.make_tag(cast.project, f"tag {n}") for n in range(5)]
    for n in range(30):
        annotation = factories.make_annotation(article, cast.analyst, "Peskov", tags=tags[:2])
        annotation.note = f"note {n}"
        annotation.save()
    client.force_login(cast.owner)
    with django_assert_max_num_queries(40):
        assert (
            client.get(reverse("annotations:activity", args=[cast.project.slug])).status_code == 200
        )


def test_a_change_made_in_the_admin_is_on_the_record_with_its_author(client, cast):
    tag = factories.make_tag(cast.project, "blame")
    root = factories.make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:annotations_tag_change", args=[tag.pk]),
        {
            "project": cast.project.pk,
            "name": "blame attribution",
            "description": "",
            "color": "#ffe08a",
            "shortcut": "",
            "position": 0,
        },
    )
    assert response.status_code == 302, response.text[:500]
    record = tag.history.latest()
    assert (record.name, record.history_user, record.history_type) == (
        "blame attribution",
        root,
        "~",
    )
    client.force_login(cast.owner)
    page = client.get(
        reverse("annotations:activity", args=[cast.project.slug]), {"what": "tag"}
    ).text
    assert "<del>blame</del> → <ins>blame attribution</ins>" in page
