"""The passages of a REFI-QDA project file as annotations (``qdpx_import``): each by
the member its coder is, with its tags, claim, speaker, target, stance and notes, once
(a passage the file holds twice, or the project has already, is not added again), with
the times the file gives and a first history record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections, router
from django.utils import timezone

from apps.accounts.models import User
from apps.analysis.qdpx_codes import ATTRIBUTES_NOTE, NEEDS_REVIEW
from apps.analysis.qdpx_reading import FileSelection, ProjectFile
from apps.annotations.annotating import context_of
from apps.annotations.models import (
    Actor,
    AnchorStatus,
    Annotation,
    AnnotationTag,
    Claim,
    Layer,
    Tag,
)
from apps.corpus.models import Article
from apps.projects.models import Project, Role

if TYPE_CHECKING:
    from apps.analysis.qdpx_import import Outcome

_BATCH = 1000


@dataclass
class Found:
    """What the file's codes became: tags, claims and actors by code GUID, and each
    code's role (``qdpx_import._roles``)."""

    tags: dict[str, Tag]
    claims: dict[str, Claim]
    actors: dict[str, Actor]
    roles: dict[str, tuple[str, str]]


class Passages:
    """The file's selections as annotations."""

    def __init__(
        self, *, project: Project, data: ProjectFile, annotator: User | None, by: User, codes: Found
    ):
        self.project, self.data, self.by = project, data, by
        self.tags, self.claims, self.actors = codes.tags, codes.claims, codes.actors
        self.roles = codes.roles
        self.annotator = annotator

    def _code(self, annotation: Annotation, selection: FileSelection) -> list[Tag]:
        """Set the passage's claim, speaker, target and stance from its codes (the first
        of each, as a passage has one); its tags."""
        tags: list[Tag] = []
        for code in dict.fromkeys(selection.codes):
            kind, value = self.roles.get(code, ("", ""))
            if kind == "tag" and code in self.tags:
                tags.append(self.tags[code])
            elif kind == "claim" and code in self.claims:
                if annotation.claim is not None:
                    self.outcome.counts["second claims of a passage left out"] += 1
                else:
                    annotation.claim = self.claims[code]
            elif kind == "speaker" and code in self.actors and annotation.speaker is None:
                annotation.speaker = self.actors[code]
            elif kind == "target" and code in self.actors and annotation.target is None:
                annotation.target = self.actors[code]
            elif kind == "voice" and not annotation.voice:
                annotation.voice = value
            elif kind == "position" and not annotation.position:
                annotation.position = value
            elif not kind:
                self.outcome.counts["codings of unknown codes left out"] += 1
        return tags

    def _coders(self, chosen: User | None) -> dict[str, User]:
        """The member each of the file's users is (the importer for one who is none)."""
        members = {
            m.user.username.casefold(): m.user
            for m in self.project.memberships.filter(
                role__in=[Role.OWNER, Role.ANALYST]
            ).select_related("user")
        }
        names = {(u.get_full_name() or u.username).casefold(): u for u in members.values()}
        coders = {}
        for key, user in self.data.users.items():
            member = (
                chosen
                or members.get(user.login.casefold())
                or members.get(user.name.casefold())
                or names.get(user.name.casefold())
            )
            coders[key] = member or self.by
            self.outcome.users[user.name or user.login or key] = [
                (member or self.by).username,
                0,
                member is not None,
            ]
        return coders

    def save(self, articles: dict[str, Article], outcome: Outcome) -> None:
        """Add the passages, a batch at a time (memory holds one batch of rows), and say
        what became of them in ``outcome``."""
        self.outcome = outcome
        self.coders = self._coders(self.annotator)
        existing = self._existing({a.pk for a in articles.values()})
        rows: list[tuple[Annotation, list[Tag]]] = []
        seen: set[tuple] = set()
        counts = self.outcome.counts
        for source in self.data.sources:
            article = articles[source.guid]
            spans: dict[tuple, list[tuple[int, int]]] = {}  # same coder and codes → spans
            for selection in source.selections:
                annotation, tags = self._annotation(article, selection)
                key = _key(annotation, tags)
                if key in existing:
                    counts["passages already there"] += 1
                    continue
                if key in seen:
                    counts["passages twice in the file"] += 1
                    continue
                seen.add(key)
                rows.append((annotation, tags))
                spans.setdefault(key[3:10], []).append((annotation.start, annotation.end))
                if user := self.data.users.get(selection.user or ""):
                    self.outcome.users[user.name or user.login or user.guid][1] += 1
                else:
                    counts["passages without a known coder"] += 1
                if len(rows) == _BATCH:
                    self._add(rows)
                    rows = []
            counts["passages overlapping another of the same coder and codes"] += _overlaps(spans)
        self._add(rows)
        if overlapping := counts["passages overlapping another of the same coder and codes"]:
            said = "1 passage overlaps" if overlapping == 1 else f"{overlapping} passages overlap"
            self.outcome.problems.append(
                f"{said} another of the same coder with the same codes: both are kept. If "
                "they are one passage, delete one in the reader."
            )

    def _add(self, rows: list[tuple[Annotation, list[Tag]]]) -> None:
        if not rows:
            return
        when = [(a.created_at, a.updated_at) for a, _ in rows]
        Annotation.objects.bulk_create([a for a, _ in rows])
        AnnotationTag.objects.bulk_create(
            AnnotationTag(annotation_id=a.pk, tag_id=t.pk, article_id=a.article_id)
            for a, tags in rows
            for t in tags
        )
        for (annotation, _), (created, updated) in zip(rows, when, strict=True):
            annotation.created_at, annotation.updated_at = created, updated
        _restamp([a for a, _ in rows])
        _record(rows, self.by)
        self.outcome.counts["passages added"] += len(rows)

    def _annotation(
        self, article: Article, selection: FileSelection
    ) -> tuple[Annotation, list[Tag]]:
        text = article.text
        prefix, suffix = context_of(text, selection.start, selection.end)
        moment = selection.created or timezone.now()
        annotation = Annotation(
            article=article,
            annotator=self.coders.get(selection.user or "", self.by),
            start=selection.start,
            end=selection.end,
            quote=text[selection.start : selection.end],
            prefix=prefix,
            suffix=suffix,
            created_at=moment,
            updated_at=selection.modified or moment,
        )
        tags = self._code(annotation, selection)
        notes = []
        for note in selection.notes:
            name, content = self.data.notes.get(note, ("", ""))
            if name == ATTRIBUTES_NOTE and self.data.ours:
                # Read from the codes; but where the passage needs review, and the
                # words the analyst coded, only this note says.
                _, marker, rest = f"\n{content}".partition(f"\n{NEEDS_REVIEW}: ")
                if marker:
                    annotation.anchor_status = AnchorStatus.NEEDS_REVIEW
                    annotation.original_quote = rest
            elif content.strip():
                notes.append(content)
        annotation.note = "\n\n".join(notes)
        if annotation.claim is None and (annotation.voice or annotation.position):
            self.outcome.counts["stances without a claim left out"] += 1
            annotation.voice = annotation.position = ""
        return annotation, sorted(set(tags), key=lambda t: t.pk)

    def _existing(self, article_ids: set[int]) -> set[tuple]:
        """The keys of the annotations already on these articles (``_key``)."""
        if not article_ids:
            return set()
        tags: dict[int, list[int]] = {}
        links = AnnotationTag.objects.filter(article_id__in=article_ids)
        for annotation_id, tag_id in links.values_list("annotation_id", "tag_id"):
            tags.setdefault(annotation_id, []).append(tag_id)
        # The coders' passages: an imported passage is a coder's, and an adjudicated one
        # on the same words does not make it a copy.
        return {
            _key(a, tags.get(a.pk, []))
            for a in Annotation.objects.filter(article_id__in=article_ids, layer=Layer.CODER)
        }


def _overlaps(spans: dict[tuple, list[tuple[int, int]]]) -> int:
    """How many spans overlap an earlier one of their group (an article's passages of
    one coder with the same codes), identical ones being already left out."""
    found = 0
    for group in spans.values():
        reach = -1
        for start, end in sorted(group):
            found += start < reach
            reach = max(reach, end)
    return found


def _key(annotation: Annotation, tags: list) -> tuple:
    """What makes two passages the same: place, coder, codes, stance and note."""
    return (
        annotation.article_id,
        annotation.start,
        annotation.end,
        annotation.annotator_id,
        tuple(sorted(t if isinstance(t, int) else t.pk for t in tags)),
        annotation.claim_id,
        annotation.speaker_id,
        annotation.target_id,
        annotation.voice,
        annotation.position,
        annotation.note,
    )


def _restamp(annotations: list[Annotation]) -> None:
    """Write the annotations' ``created_at`` and ``updated_at`` as they hold them:
    ``bulk_create`` stamps both with now, and ``bulk_update`` writes a CASE with a branch
    per row (64 s for 100,000 on SQLite); one UPDATE … FROM (VALUES …) per batch takes
    a fraction of a second, and PostgreSQL and SQLite (3.33 and later) both read it."""
    connection = connections[router.db_for_write(Annotation)]
    stamp = Annotation._meta.get_field("created_at")
    params: list = []
    for annotation in annotations:
        params += (
            annotation.pk,
            stamp.get_db_prep_save(annotation.created_at, connection),
            stamp.get_db_prep_save(annotation.updated_at, connection),
        )
    table = connection.ops.quote_name(Annotation._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(annotations))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET created_at = v.column2, updated_at = v.column3 "
            f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
            params,
        )


def _record(rows: list[tuple[Annotation, list[Tag]]], by: User) -> None:
    """Each new annotation's first history record, with its tags, written together."""
    history = Annotation.history.model
    tracked = [f.attname for f in history.tracked_fields]
    now = timezone.now()
    records = [
        history(
            history_date=now,
            history_user=by,
            history_change_reason="imported from a REFI-QDA project file",
            history_type="+",
            tag_list=[[t.pk, t.name] for t in sorted(tags, key=lambda t: (t.position, t.name))],
            **{name: getattr(annotation, name) for name in tracked},
        )
        for annotation, tags in rows
    ]
    history.objects.bulk_create(records, batch_size=_BATCH)
