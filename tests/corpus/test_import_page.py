"""The project's own import page: owners import without the Django admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from apps.corpus.jobs import add_items
from apps.corpus.models import Article, ImportBatch, ImportState
from apps.corpus.reading import Item
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
ROWS = b"title,source,text\nKerry warns,Example Wire,Kerry warned Russia about Aleppo.\n"
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _upload(client, project, data=ROWS, **fields):
    return client.post(
        reverse("corpus:import", args=[project.slug]),
        {"files": [SimpleUploadedFile("wire.csv", data)], **fields},
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("analyst", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_only_owners_may_import(client, cast, who, status):
    if who:
        client.force_login(getattr(cast, who))
    response = client.get(reverse("corpus:import", args=[cast.project.slug]))
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("accounts:login"))
    batch = ImportBatch.objects.create(project=cast.project)
    page = client.get(reverse("corpus:import-batch", args=[cast.project.slug, batch.pk]))
    assert page.status_code == status


def test_the_project_home_offers_the_import_to_owners_only(client, cast):
    url = reverse("corpus:import", args=[cast.project.slug])
    client.force_login(cast.owner)
    assert url in client.get(cast.project.get_absolute_url()).text
    client.force_login(cast.analyst)
    assert url not in client.get(cast.project.get_absolute_url()).text


def test_an_owner_uploads_previews_corrects_and_imports(client, cast):
    client.force_login(cast.owner)
    response = _upload(client, cast.project, story="Aleppo talks")
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse(
        "corpus:import-batch", args=[cast.project.slug, batch.pk]
    )
    assert batch.created_by == cast.owner
    preview = client.get(response["Location"]).text
    assert "Kerry warns" in preview and "new source" in preview and "Import 1 article" in preview
    client.post(response["Location"], {"action": "correct", "published-0": "2016-09-28"})
    client.post(response["Location"])
    article = Article.objects.get()
    assert (article.title, article.published.isoformat()) == ("Kerry warns", "2016-09-28")
    assert list(article.stories.values_list("name", flat=True)) == ["Aleppo talks"]
    report = client.get(response["Location"]).text
    assert "Created: 1" in report


def test_a_batch_of_another_project_is_not_found(client, cast):
    client.force_login(cast.owner)
    elsewhere = factories.make_project(owner=cast.owner)
    batch = ImportBatch.objects.create(project=elsewhere)
    url = reverse("corpus:import-batch", args=[cast.project.slug, batch.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_an_upload_with_no_file_gets_the_form_back_with_the_error(client, cast):
    client.force_login(cast.owner)
    response = client.post(reverse("corpus:import", args=[cast.project.slug]), {})
    assert response.status_code == 422
    assert "This field is required" in response.text
    assert not ImportBatch.objects.exists()


def test_wrong_method_is_refused(client, cast):
    client.force_login(cast.owner)
    response = client.put(reverse("corpus:import", args=[cast.project.slug]))
    assert response.status_code == 405


def test_the_progress_is_polled_with_htmx_and_the_page_refreshes_at_the_end(client, cast):
    client.force_login(cast.owner)
    with override_settings(TASKS=DB_BACKEND):
        response = _upload(client, cast.project)
        url = response["Location"]
        page = client.get(url).text
        assert 'hx-trigger="every 1s"' in page and "Reading and cleaning" in page
        partial = client.get(url, **HTMX)
        assert partial.text.lstrip().startswith('<div id="import-progress"')
    batch = ImportBatch.objects.get()
    batch.state = ImportState.PREPARED
    batch.save()
    add_items(batch, [Item(name="x", status="new")])
    done = client.get(url, **HTMX)
    assert done["HX-Refresh"] == "true"  # the job is over: the whole page shows the preview
