"""Imports as background jobs: progress, a truthful state when a job stops half-way, and a
real worker."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from apps.corpus import importing
from apps.corpus.importing import prepare
from apps.corpus.jobs import add_items, can_start, progress_of, run_batch, start_import
from apps.corpus.models import Article, ImportBatch, ImportOutcome, ImportState
from apps.corpus.reading import read_files
from tests import factories

ROWS = "title,source,text\n" + "".join(
    f"Article {n},Example Wire,Kerry spoke to Lavrov about Aleppo for the {n}th time.\n"
    for n in range(1, 8)
)


def _batch(project, extra=b"") -> ImportBatch:
    files = [("wire.csv", ROWS.encode())] + ([("bad.bin", extra)] if extra else [])
    items = prepare(project=project, items=read_files(files))
    batch = ImportBatch.objects.create(project=project)
    add_items(batch, items)
    return batch


class WorkerGone(Exception):
    pass


def _stop_at(number):
    def progress(n, total):
        if n == number:
            raise WorkerGone(f"stopped at item {n} of {total}")

    return progress


def test_a_job_stopped_half_way_says_what_was_saved_and_finishes_without_duplicates(
    cast, monkeypatch
):
    # Saved three items to a transaction: stopped in the middle of the third group of
    # three, the first two groups stay and the third is undone with its outcome rows.
    monkeypatch.setattr(importing, "ITEMS_PER_TRANSACTION", 3)
    batch = _batch(cast.project, extra=b"\x00\x01")
    with pytest.raises(WorkerGone):
        run_batch(batch, progress=_stop_at(8))
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED and "stopped at item 8" in batch.error
    assert Article.objects.count() == 6 == batch.outcomes.count()  # saved with its outcome
    assert progress_of(batch) == {
        "total": 8,
        "done": 6,
        "rejected": 0,
        "remaining": 2,
        "percent": 75,
    }
    assert can_start(batch)

    report = run_batch(batch)
    batch.refresh_from_db()
    assert batch.state == ImportState.DONE and batch.imported_at is not None
    assert Article.objects.count() == 7 == len(report.created)
    assert [name for name, _ in report.rejected] == ["bad.bin"]
    assert batch.report["created"] == report.created
    assert not can_start(batch)


def test_a_finished_batch_confirmed_again_changes_nothing(staff, cast):
    batch = _batch(cast.project)
    url = reverse("admin:corpus_article_import_batch", args=[batch.pk])
    staff.post(url)
    staff.post(url)
    assert Article.objects.count() == 7 and ImportOutcome.objects.count() == 7


def test_the_batch_page_shows_progress_while_a_worker_imports(staff, cast):
    batch = _batch(cast.project)
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        response = staff.post(
            reverse("admin:corpus_article_import_batch", args=[batch.pk]), follow=True
        )
    page = response.text
    assert "Import started" in page
    assert '<progress max="7" value="0">' in page and "7 remaining" in page
    assert 'http-equiv="refresh"' in page  # follows the job without JavaScript
    assert not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_queued_import(cast):
    batch = _batch(cast.project)
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        start_import(batch)
        batch.refresh_from_db()
        assert batch.state == ImportState.QUEUED and not Article.objects.exists()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert batch.state == ImportState.DONE
    assert Article.objects.count() == 7 == len(batch.report["created"])


@pytest.fixture
def staff(client, db):
    client.force_login(factories.make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db(transaction=True)
def test_an_upload_returns_at_once_and_a_worker_reads_it_into_the_preview(client, cast):
    client.force_login(factories.make_user("root2", is_staff=True, is_superuser=True))
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            reverse("admin:corpus_article_import"),
            {"project": cast.project.pk, "files": [SimpleUploadedFile("w.csv", ROWS.encode())]},
            follow=True,
        )
        assert "Reading and cleaning 1 file" in response.text
        assert ImportBatch.objects.get().state == ImportState.READING
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.PREPARED and batch.items.count() == 7
    assert not batch.uploads.exists()  # read, then let go
    page = client.get(reverse("admin:corpus_article_import_batch", args=[batch.pk])).text
    assert "Import 7 articles" in page


def test_start_again_keeps_the_project_and_the_story(staff, cast):
    batch = _batch(cast.project)
    batch.story_name = "Aleppo talks"
    batch.save()
    page = staff.get(reverse("admin:corpus_article_import_batch", args=[batch.pk])).text
    again = f"?project={cast.project.pk}&amp;story=Aleppo%20talks"
    assert again in page
    form = staff.get(reverse("admin:corpus_article_import") + again.replace("&amp;", "&")).text
    assert f'<option value="{cast.project.pk}" selected>' in form
    assert 'value="Aleppo talks"' in form
