"""Corrections an importer makes in the preview, before anything is saved: the source,
title, date, URL and story of one item, or of all the selected items at once."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import QueryDict

from apps.corpus.classifying import Classifier
from apps.corpus.dates import parse_metadata_date
from apps.corpus.importing import is_web_address, reclassify
from apps.corpus.jobs import as_item, item_pages, save_items
from apps.corpus.models import ImportBatch, Source
from apps.corpus.reading import Item
from apps.projects.models import Project

# The fields the preview lets one correct, with their labels.
EDITABLE = {
    "title": "title",
    "source_name": "source",
    "published": "date",
    "url": "URL",
    "story": "story",
}
CORRECTED = "corrected in the preview"


def correct_items(
    *, project: Project, items: Mapping[int, Item], changes: Mapping[int, Mapping[str, str]]
) -> list[str]:
    """Apply ``changes`` (item number → field → value) to the items (by number). Returns
    the corrections refused, each with its reason; those fields keep their value. The
    caller checks the batch against the project again: a new URL may make an item a newer
    version of an article, or the duplicate of another item."""
    sources = {source.name.casefold(): source for source in Source.objects.all()}
    problems: list[str] = []
    for number, fields in changes.items():
        item = items.get(number)
        if item is None or item.status == "rejected":
            continue
        for field, raw in fields.items():
            if field not in EDITABLE:
                continue
            value = " ".join(raw.split())
            if value == getattr(item, field):
                continue
            problem = _set(item, field, value, sources)
            if problem:
                problems.append(f"{item.name}: {problem}")
    return problems


def _set(item: Item, field: str, value: str, sources: dict[str, Source]) -> str:
    """Set one field, or say why not."""
    if field == "title" and not value:
        return "a title cannot be empty."
    if field == "published" and value:
        date = parse_metadata_date(value)
        if date is None:
            return f"“{value}” is not a date with a day, a month and a year."
        value = date.isoformat()
    if field == "url" and value and not is_web_address(value):
        return f"“{value}” is not a web address (http or https)."
    if field == "source_name":
        if not value:
            return "an article needs a source."
        found = sources.get(value.casefold())
        item.source_id, item.source_new = (found.pk, False) if found else (None, True)
        value = found.name if found else value[:120]
    setattr(item, field, value[:1000])
    item.origins[field] = CORRECTED
    return ""


def correct_batch(batch: ImportBatch, form: QueryDict) -> list[str]:
    """The preview form's corrections, saved to the batch: ``<field>-<number>`` per item,
    ``bulk-<field>`` for every number in ``selected``. Returns the refused ones."""
    changes: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        field, _, number = key.rpartition("-")
        if field in EDITABLE and number.isdigit():
            changes.setdefault(int(number), {})[field] = str(value)
    bulk = {f: form.get(f"bulk-{f}", "").strip() for f in EDITABLE}
    for raw in form.getlist("selected"):
        if raw.isdigit():
            changes.setdefault(int(raw), {}).update({f: v for f, v in bulk.items() if v})
    rows = {row.number: row for row in batch.items.filter(number__in=list(changes))}
    items = {number: as_item(row) for number, row in rows.items()}
    problems = correct_items(project=batch.project, items=items, changes=changes)
    save_items((rows[number], item) for number, item in items.items())
    # Then every item again, in order: a change to one may change another's status.
    classifier = Classifier(batch.project)
    for page in item_pages(batch):
        before = [_verdict(item) for _, item in page]
        reclassify(project=batch.project, items=[item for _, item in page], classifier=classifier)
        save_items(pair for pair, old in zip(page, before, strict=True) if _verdict(pair[1]) != old)
    return problems


def _verdict(item: Item) -> tuple[object, ...]:
    return item.status, item.status_detail, item.article_id, item.source_id, item.source_new
