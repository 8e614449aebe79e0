"""Imports as background jobs: the request that confirms a batch returns at once, and a
worker (``manage.py db_worker``, django-tasks with its database backend) saves the
articles while the batch page shows the progress.

A job may stop half-way: the database goes away, the worker is killed. Each item's
outcome is written in the same transaction as its article (``ImportOutcome``), so the
batch always says exactly which items were saved; starting it again does the rest, and
the report is made from those rows, so its counts are what the database holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from itertools import islice

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from apps.corpus.classifying import Classifier
from apps.corpus.cleaner import clean_in_processes
from apps.corpus.importing import Report, import_articles, prepare, reclassify
from apps.corpus.models import (
    Article,
    ImportBatch,
    ImportItem,
    ImportOutcome,
    ImportState,
    ImportUpload,
    Story,
)
from apps.corpus.reading import Item, read_items

# A batch "running" with no sign of life for this long lost its worker: it may be resumed.
STALE_AFTER = datetime.timedelta(minutes=10)
# How often a running job says it is alive (every so many items).
HEARTBEAT_ITEMS = 25


def start_reading(batch: ImportBatch, files: list[tuple[str, bytes]]) -> None:
    """Keep the uploaded files with the batch and queue their reading: cleaning thousands
    of saved pages takes minutes, so the upload request returns at once."""
    ImportUpload.objects.bulk_create(
        ImportUpload(batch=batch, name=name, data=data) for name, data in files
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.READING)
    read_batch.enqueue(batch.pk)


@task()
def read_batch(batch_id: int) -> int:
    """Read and clean a batch's uploads into its preview (``importing.prepare``), a page
    at a time: memory stays the same whatever the size of the batch."""
    batch = ImportBatch.objects.select_related("project", "source").get(pk=batch_id)
    batch.items.all().delete()  # what an earlier, interrupted reading left
    classifier = Classifier(batch.project)
    items = read_items(_uploads(batch))
    number = 0
    try:
        while page := list(islice(items, PAGE)):
            prepared = prepare(
                project=batch.project,
                items=page,
                source=batch.source,
                clean=clean_in_processes,
                classifier=classifier,
            )
            add_items(batch, prepared, first=number)
            number += len(prepared)
    except Exception as error:
        _touch(batch, state=ImportState.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    with transaction.atomic():
        batch.state = ImportState.PREPARED
        batch.save(update_fields=["state", "updated_at"])
        batch.uploads.all().delete()  # read: the preview holds what they said
    return number


# Items (and uploaded files) read, written and imported at a time.
PAGE = 200
UPLOADS_AT_ONCE = 20


def _uploads(batch: ImportBatch) -> Iterator[tuple[str, bytes]]:
    """The batch's uploaded files, a few at a time (each may be megabytes)."""
    keys = list(batch.uploads.order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(keys), UPLOADS_AT_ONCE):
        chunk = ImportUpload.objects.filter(pk__in=keys[first : first + UPLOADS_AT_ONCE])
        for upload in chunk.order_by("pk"):
            yield upload.name, bytes(upload.data)


def add_items(batch: ImportBatch, items: Iterable[Item], *, first: int = 0) -> None:
    """Keep prepared items with the batch, numbered from ``first``."""
    ImportItem.objects.bulk_create(
        ImportItem(batch=batch, number=n, status=item.status, data=asdict(item))
        for n, item in enumerate(items, start=first)
    )


def item_pages(batch: ImportBatch, size: int = PAGE) -> Iterator[list[tuple[ImportItem, Item]]]:
    """The batch's items in order, a page of (row, item) at a time. Read by number, not
    with a cursor held open: the caller may write between pages."""
    last = -1
    while rows := list(batch.items.filter(number__gt=last).order_by("number")[:size]):
        yield [(row, as_item(row)) for row in rows]
        last = rows[-1].number


def as_item(row: ImportItem) -> Item:
    known = Item.__dataclass_fields__
    return Item(**{k: v for k, v in row.data.items() if k in known})


def save_items(pairs: Iterable[tuple[ImportItem, Item]]) -> None:
    """Write back items changed in memory (corrected, classified again)."""
    rows = []
    for row, item in pairs:
        row.data, row.status = asdict(item), item.status
        rows.append(row)
    ImportItem.objects.bulk_update(rows, ["data", "status"])


def can_start(batch: ImportBatch) -> bool:
    """Whether the batch may be (re)started: never started, stopped, or abandoned."""
    if batch.state == ImportState.READING or not batch.items.exists():
        return False  # nothing read yet (or reading failed: upload again)
    if batch.state in (ImportState.PREPARED, ImportState.FAILED):
        return True
    stale = timezone.now() - batch.updated_at > STALE_AFTER
    return batch.state in (ImportState.QUEUED, ImportState.RUNNING) and stale


def start_import(batch: ImportBatch) -> None:
    """Queue the batch for a worker (with the immediate backend, run it now)."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportState.QUEUED, error="", updated_at=timezone.now()
    )
    import_batch.enqueue(batch.pk)


@task()
def import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("project", "created_by").get(pk=batch_id)
    return str(run_batch(batch))


def run_batch(batch: ImportBatch, *, progress: Callable[[int, int], None] | None = None) -> Report:
    """Import what is left of the batch, a page at a time; mark it done, or failed with
    the reason."""
    done = set(batch.outcomes.values_list("name", flat=True))
    _touch(batch, state=ImportState.RUNNING, error="")
    story = None
    if batch.story_name:
        story, _ = Story.objects.get_or_create(project=batch.project, name=batch.story_name)

    # Outcomes are written together at the end of each transaction of the import, which
    # saves their articles too: one insert for fifty items instead of one each.
    pending: list[ImportOutcome] = []

    def record(item: Item, outcome: str, article: Article | None) -> None:
        pending.append(
            ImportOutcome(
                batch=batch, name=item.name, outcome=outcome, detail=item.error, article=article
            )
        )

    def flush() -> None:
        ImportOutcome.objects.bulk_create(pending)
        pending.clear()

    def alive(number: int, total: int) -> None:
        if progress:
            progress(number, total)
        if number % HEARTBEAT_ITEMS == 0:
            _touch(batch)

    try:
        classifier = Classifier(batch.project)

        def todo() -> Iterator[Item]:
            for page in item_pages(batch):
                items = [item for _, item in page if item.name not in done]
                yield from reclassify(project=batch.project, items=items, classifier=classifier)

        import_articles(
            project=batch.project,
            items=todo(),
            total=batch.items.count() - len(done),
            user=batch.created_by,
            story=story,
            progress=alive,
            record=record,
            flush=flush,
        )
    except Exception as error:
        _touch(batch, state=ImportState.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    report = outcome_report(batch)
    batch.report, batch.imported_at = report.as_dict(), timezone.now()
    batch.state = ImportState.DONE
    batch.save(update_fields=["report", "imported_at", "state", "updated_at"])
    return report


def _touch(batch: ImportBatch, **fields: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now(), **fields)


def outcome_report(batch: ImportBatch) -> Report:
    """The report of what the batch's job saved, from its outcome rows."""
    report = Report()
    for name, outcome, detail in batch.outcomes.values_list("name", "outcome", "detail"):
        report.add(name, outcome, detail)
    return report


def progress_of(batch: ImportBatch) -> dict[str, int]:
    """Items done, rejected and remaining, for the progress bar."""
    counts = dict(
        batch.outcomes.values("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    total, done = batch.items.count(), sum(counts.values())
    return {
        "total": total,
        "done": done,
        "rejected": counts.get("rejected", 0),
        "remaining": max(0, total - done),
        "percent": round(100 * done / total) if total else 100,
    }
