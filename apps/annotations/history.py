"""The record of changes (django-simple-history): an annotation's history, the project's
activity across annotations, codebook, actors, claims, stories, members and articles,
and bringing a deleted annotation back.

A history record is the object as it was after one change, with who made it and when;
what changed is the difference from the record before it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from heapq import merge
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet

from apps.accounts.models import User
from apps.annotations.annotating import one_record
from apps.annotations.models import (
    Actor,
    AnchorStatus,
    Annotation,
    AnnotationTag,
    Claim,
    Layer,
    Tag,
)
from apps.corpus.models import Article, Source, Story
from apps.projects import visibility
from apps.projects.models import Membership, Project, Role

KINDS = {"+": "created", "~": "changed", "-": "deleted"}
# Changes shown on one page of the activity.
PAGE = 50

# What the activity page covers: a name for the filter, the model, its label, how its
# records reach the project, and the fields worth showing (label, attribute).
SUBJECTS: dict[str, tuple[type[Model], str, str, list[tuple[str, str]]]] = {
    "annotation": (
        Annotation,
        "Annotation",
        "article__project",
        [
            ("Passage", "quote"),
            ("Tags", "tag_names"),
            ("Speaker", "speaker_id"),
            ("Target", "target_id"),
            ("Claim", "claim_id"),
            ("Voice", "voice"),
            ("Position", "position"),
            ("Note", "note"),
            ("Anchoring", "anchor_status"),
        ],
    ),
    "tag": (
        Tag,
        "Tag",
        "project",
        [
            ("Name", "name"),
            ("Rule", "description"),
            ("Colour", "color"),
            ("Parent", "parent_id"),
            ("Key", "shortcut"),
            ("Position", "position"),
        ],
    ),
    "actor": (
        Actor,
        "Actor",
        "project",
        [("Name", "name"), ("Kind", "kind"), ("Aliases", "aliases"), ("Role", "description")],
    ),
    "claim": (
        Claim,
        "Claim",
        "project",
        [("Text", "text"), ("Description", "description"), ("Narrative", "parent_id")],
    ),
    "story": (Story, "Story", "project", [("Name", "name"), ("Description", "description")]),
    "membership": (Membership, "Member", "project", [("User", "user_id"), ("Role", "role")]),
    # Its settings: who switched blind coding on or off (``apps.coding``).
    "project": (
        Project,
        "Project",
        "id",
        [("Name", "name"), ("Description", "description"), ("Blind coding", "blind_coding")],
    ),
    "article": (
        Article,
        "Article",
        "project",
        [
            ("Title", "title"),
            ("URL", "url"),
            ("Date", "published"),
            ("Source", "source_id"),
            ("Text revision", "revision"),
        ],
    ),
}

# Foreign keys shown by name: (model, attribute to show); a parent is of the record's
# own model (a tag's tag, a claim's narrative).
_NAMED: dict[str, tuple[type[Model] | None, str]] = {
    "speaker_id": (Actor, "name"),
    "target_id": (Actor, "name"),
    "claim_id": (Claim, "text"),
    "parent_id": (None, ""),
    "user_id": (User, "username"),
    "source_id": (Source, "name"),
}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    """One change to one object, as the pages show it."""

    record: Any
    subject: str  # a key of SUBJECTS
    kind: str  # created | changed | deleted
    changes: list[Change] = field(default_factory=list)

    @property
    def when(self) -> datetime.datetime:
        return self.record.history_date

    @property
    def who(self) -> User | None:
        return self.record.history_user

    @property
    def object_id(self) -> int:
        return self.record.id

    @property
    def label(self) -> str:
        if self.subject == "annotation" and getattr(self.record, "layer", "") == Layer.GOLD:
            return "Adjudicated passage"  # not a coder's work (``apps.coding``)
        return SUBJECTS[self.subject][1]

    @property
    def title(self) -> str:
        record = self.record
        if self.subject == "annotation":
            return _short(record.quote)
        if self.subject == "membership":
            return str(record.user) if record.user_id else "a former user"
        return _short(
            str(
                getattr(record, "name", "")
                or getattr(record, "text", "")
                or getattr(record, "title", "")
            )
        )


def _short(text: str, length: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# Names of related objects looked up while showing one page: (model, pk) → name.
_Names = dict[tuple[type[Model], int], str | None]


def _value(record: Any, attribute: str, subject: str, names: _Names | None = None) -> str:
    if attribute == "tag_names":
        return ", ".join(name for _, name in record.tag_list) or "—"
    value = getattr(record, attribute)
    if isinstance(value, bool):  # a setting
        return "on" if value else "off"
    if value in (None, ""):
        return "—"
    if attribute in _NAMED:
        model, shown = _NAMED[attribute]
        if model is None:
            model, shown = SUBJECTS[subject][0], ("name" if subject == "tag" else "text")
        names = {} if names is None else names
        if (model, value) not in names:
            rows = model._default_manager.filter(pk=value).values_list(shown, flat=True)
            names[model, value] = rows.first()
        found = names[model, value]
        return _short(str(found)) if found is not None else f"(deleted, #{value})"
    return _short(str(value), 300)


def entries(subject: str, records: Sequence[Any], previous: dict[int, Any]) -> list[Entry]:
    """Entries for ``records`` (newest first), each compared with the record before it
    (in ``records`` or, for the oldest, in ``previous`` by history id)."""
    fields = SUBJECTS[subject][3]
    names: _Names = {}
    result = []
    for index, record in enumerate(records):
        before = records[index + 1] if index + 1 < len(records) else previous.get(record.history_id)
        entry = Entry(record, subject, KINDS[record.history_type])
        if record.history_type == "~" and before is not None:
            for label, attribute in fields:
                old = _value(before, attribute, subject, names)
                new = _value(record, attribute, subject, names)
                if old != new:
                    entry.changes.append(Change(label, old, new))
        elif record.history_type == "+":
            for label, attribute in fields:
                if (shown := _value(record, attribute, subject, names)) != "—":
                    entry.changes.append(Change(label, "", shown))
        result.append(entry)
    return result


def annotation_history(
    project: Project, annotation_id: int, *, seen_by: Membership | None
) -> list[Entry]:
    """Every change to one annotation of the project, newest first (also once deleted);
    none of one that blind coding hides from ``seen_by``."""
    records = list(
        Annotation.history.filter(id=annotation_id, article__project=project)
        .filter(visibility.condition(seen_by))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return entries("annotation", records, {})


@dataclass
class ActivityFilter:
    subject: str = ""
    user: User | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    before: datetime.datetime | None = None  # the page: records older than this


def activity(
    project: Project, chosen: ActivityFilter, *, seen_by: Membership | None, limit: int = 50
) -> list[Entry]:
    """The project's latest changes across SUBJECTS (or the chosen one), newest first;
    of annotations, only those ``seen_by`` may see (blind coding: a record holds the
    quote and note)."""
    streams = []
    for subject, (model, _, path, _) in SUBJECTS.items():
        if chosen.subject and subject != chosen.subject:
            continue
        records = model.history.filter(**{path: project.pk})  # type: ignore[attr-defined]
        if subject == "annotation":
            records = records.filter(visibility.condition(seen_by))
        elif subject in ("actor", "claim") and visibility.blinded(seen_by):
            # A coder makes actors and claims from the coding form: who made which, and
            # when, would tell a blind analyst what another coder is coding. They see
            # their own, and the owners' (the study's vocabulary).
            assert seen_by is not None
            owners = project.memberships.filter(role=Role.OWNER).values("user_id")
            records = records.filter(Q(history_user=seen_by.user) | Q(history_user__in=owners))
        records = _filtered(records, chosen)
        streams.append([(record, subject) for record in records[:limit]])
    newest = list(merge(*streams, key=lambda pair: pair[0].history_date, reverse=True))[:limit]
    found: list[Entry] = []
    for subject in SUBJECTS:
        mine = [record for record, s in newest if s == subject]
        found += entries(subject, mine, _previous(subject, mine))
    return sorted(found, key=lambda entry: entry.when, reverse=True)


def _filtered(records: QuerySet[Any], chosen: ActivityFilter) -> QuerySet[Any]:
    if chosen.user is not None:
        records = records.filter(history_user=chosen.user)
    if chosen.since is not None:
        records = records.filter(history_date__date__gte=chosen.since)
    if chosen.until is not None:
        records = records.filter(history_date__date__lte=chosen.until)
    if chosen.before is not None:
        records = records.filter(history_date__lt=chosen.before)
    return records.select_related("history_user").order_by("-history_date", "-history_id")


def _previous(subject: str, records: Iterable[Any]) -> dict[int, Any]:
    """For each changed record, the record of the same object just before it (one query
    for all of them)."""
    changed = [record for record in records if record.history_type == "~"]
    if not changed:
        return {}
    model = SUBJECTS[subject][0]
    earlier = model.history.filter(  # type: ignore[attr-defined]
        id__in={record.id for record in changed},
        history_date__lte=max(record.history_date for record in changed),
    ).order_by("history_date", "history_id")
    by_object: dict[int, list[Any]] = defaultdict(list)
    for record in earlier:
        by_object[record.id].append(record)
    found = {}
    for record in changed:
        key = (record.history_date, record.history_id)
        before = [e for e in by_object[record.id] if (e.history_date, e.history_id) < key]
        if before:
            found[record.history_id] = before[-1]
    return found


@transaction.atomic
def restore_annotation(project: Project, annotation_id: int, by: User) -> Annotation:
    """Bring a deleted annotation back as it was just before its deletion, tags
    included. Its passage is looked for in the article's current text: where it is not
    found, it comes back orphaned, for its analyst to re-attach."""
    if Annotation.objects.filter(pk=annotation_id).exists():
        raise ValidationError("This annotation was not deleted.", code="not-deleted")
    last = (
        Annotation.history.filter(id=annotation_id, article__project=project)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if last is None:
        raise ValidationError("Nothing is known of this annotation.", code="unknown")
    if last.layer == Layer.GOLD:
        # Brought back alone it would lose the coders' passages it was decided from.
        raise ValidationError(
            "An adjudicated passage is not restored here: decide its unit again on the "
            "article's adjudication page.",
            code="adjudicated",
        )
    annotation = last.instance
    article = Article.objects.get(pk=annotation.article_id)
    annotation.client_token = None
    if article.text[annotation.start : annotation.end] != annotation.quote:
        # The text was revised since: never claim it is anchored where it was not put.
        at = article.text.find(annotation.quote)
        if at < 0:
            annotation.anchor_status = AnchorStatus.ORPHANED
        else:
            annotation.start, annotation.end = at, at + len(annotation.quote)
            annotation.anchor_status = AnchorStatus.NEEDS_REVIEW
    annotation.version += 1
    annotation._history_user = by
    tags = list(Tag.objects.filter(project=project, pk__in=[pk for pk, _ in last.tag_list]))
    with one_record(annotation, "+", tags, reason="restored"):
        annotation.save(force_insert=True)
        AnnotationTag.objects.bulk_create(
            AnnotationTag(annotation=annotation, tag=tag, article_id=annotation.article_id)
            for tag in tags
        )
    return annotation
