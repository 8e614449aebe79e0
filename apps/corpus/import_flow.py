"""The steps of an import as both of its front ends take them: the project's import page
(owners) and the Django admin's. Each takes the request's data and answers with what to
show; the views only check access and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest

from apps.accounts.models import User
from apps.corpus.forms import UploadForm
from apps.corpus.jobs import (
    as_item,
    can_start,
    outcome_report,
    progress_of,
    start_import,
    start_reading,
)
from apps.corpus.models import ImportBatch, ImportState, Source
from apps.corpus.preview import correct_batch
from apps.projects.models import Project

PREVIEW_PAGE = 50
TITLES = {
    ImportState.READING: "Import: reading the files",
    ImportState.PREPARED: "Import: preview",
    ImportState.DONE: "Import report",
}


def create_batch(*, project: Project, user: User | None, form: UploadForm) -> ImportBatch:
    """A batch from a valid upload form; its files are read by a background job."""
    batch = ImportBatch.objects.create(
        project=project,
        created_by=user,
        story_name=form.cleaned_data["story"].strip(),
        source=form.cleaned_data["source"],
        state=ImportState.READING,
    )
    start_reading(batch, [(f.name, f.read()) for f in form.cleaned_data["files"]])
    return batch


def act_on(request: HttpRequest, batch: ImportBatch) -> None:
    """A POST to a batch: save the preview's corrections, or start (or resume) the import."""
    if request.POST.get("action") == "correct":
        if batch.state != ImportState.PREPARED:
            messages.error(
                request, "This batch is being imported or was imported: nothing changed."
            )
            return
        problems = correct_batch(batch, request.POST)
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            messages.success(request, "Corrections saved: check the preview, then import.")
        return
    if not can_start(batch):
        return
    start_import(batch)
    batch.refresh_from_db()
    if batch.state == ImportState.DONE:  # a worker was quick (or runs in-process)
        report = outcome_report(batch)
        level = messages.WARNING if report.rejected else messages.SUCCESS
        messages.add_message(request, level, f"Import finished: {report}.")
    else:
        messages.info(request, "Import started: this page follows its progress.")


def progress_context(batch: ImportBatch) -> dict[str, object]:
    """Where a batch's jobs stand: all that the progress box (polled every second) needs."""
    return {
        "batch": batch,
        "progress": progress_of(batch),
        "can_start": can_start(batch),
        "working": batch.state in (ImportState.QUEUED, ImportState.RUNNING),
        "reading": batch.state == ImportState.READING,
    }


def batch_context(batch: ImportBatch, page_number: str | None) -> dict[str, object]:
    """What a batch's page shows: a page of its items, counts, progress, what may be done."""
    counts = dict(batch.items.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    # A page of items at a time: a batch of thousands would be a page of megabytes, and
    # a form of more fields than Django accepts in one request.
    page = Paginator(batch.items.all(), PREVIEW_PAGE).get_page(page_number)
    return {
        **progress_context(batch),
        "title": TITLES.get(ImportState(batch.state), "Import: progress"),
        "page": page,
        "entries": [(row.number, as_item(row)) for row in page],
        "editable": batch.state == ImportState.PREPARED,
        "known_sources": Source.objects.order_by("name").values_list("name", flat=True),
        "counts": counts,
        "to_save": counts.get("new", 0) + counts.get("revision", 0),
    }
