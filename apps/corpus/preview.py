"""Corrections an importer makes in the preview, before anything is saved: the source,
title, date, URL and story of one item, or of all the selected items at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from django.http import QueryDict

from apps.corpus.dates import parse_metadata_date
from apps.corpus.importing import is_web_address, reclassify
from apps.corpus.jobs import batch_items
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
    *, project: Project, items: list[Item], changes: Mapping[int, Mapping[str, str]]
) -> list[str]:
    """Apply ``changes`` (item index → field → value) to the items and check them against
    the project again (a new URL may make an item a newer version of an article). Returns
    the corrections refused, each with its reason; those fields keep their value."""
    sources = {source.name.casefold(): source for source in Source.objects.all()}
    problems: list[str] = []
    for index, fields in changes.items():
        if not 0 <= index < len(items) or items[index].status == "rejected":
            continue
        item = items[index]
        for field, raw in fields.items():
            if field not in EDITABLE:
                continue
            value = " ".join(raw.split())
            if value == getattr(item, field):
                continue
            problem = _set(item, field, value, sources)
            if problem:
                problems.append(f"{item.name}: {problem}")
    reclassify(project=project, items=items)
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
    """The preview form's corrections, saved to the batch: ``<field>-<index>`` per item,
    ``bulk-<field>`` for every index in ``selected``. Returns the refused ones."""
    items = batch_items(batch)
    changes: dict[int, dict[str, str]] = {}
    for index in range(len(items)):
        fields = {f: str(form.get(f"{f}-{index}")) for f in EDITABLE if f"{f}-{index}" in form}
        if fields:
            changes[index] = fields
    bulk = {f: form.get(f"bulk-{f}", "").strip() for f in EDITABLE}
    for raw in form.getlist("selected"):
        if raw.isdigit():
            changes.setdefault(int(raw), {}).update({f: v for f, v in bulk.items() if v})
    problems = correct_items(project=batch.project, items=items, changes=changes)
    batch.items = [asdict(item) for item in items]
    batch.save(update_fields=["items", "updated_at"])
    return problems
