"""The reader's data and its sidebar, built for speed.

An article may carry a thousand annotations. Model instances with four joined relations
and a template loop per sidebar item cost about a millisecond per annotation; the reader
must open in tens of milliseconds. So the reader reads plain rows (two queries whatever
the count) and renders the sidebar items with escaped string building, like the text
segments, escaping every value with ``html.escape``. Pages with one annotation (the edit
form) still use templates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.compiled import CompiledQuery
from apps.accounts.models import User
from apps.annotations import trees
from apps.annotations.models import AnchorStatus, Annotation, AnnotationTag, Layer, Stance, Tag
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.models import Membership, Project, Role

_PK = 987654321  # placeholder reversed once, replaced per item


@dataclass
class ReaderRow:
    pk: int
    start: int
    end: int
    quote: str
    original_quote: str
    version: int
    note: str
    voice: str
    position: str
    anchor_status: str
    annotator_id: int
    annotator_username: str
    annotator_name: str
    speaker_id: int | None
    speaker: str | None
    target_id: int | None
    target: str | None
    claim_id: int | None
    claim: str | None
    tags: list[Tag] = field(default_factory=list)

    @property
    def is_anchored(self) -> bool:
        return self.anchor_status == AnchorStatus.ANCHORED

    @property
    def has_span(self) -> bool:
        """Anchored, or re-anchored to a similar passage awaiting review."""
        return self.anchor_status != AnchorStatus.ORPHANED

    def describe(self) -> str:
        parts = [", ".join(tag.name for tag in self.tags) or "untagged"]
        if self.speaker or self.target:
            voice = Stance.voice_of(self.speaker, self.voice)
            parts.append(f"{voice} → {self.target}" if self.target else voice)
        if self.claim:
            parts.append(f"{Stance.words(self.voice, self.position) or 'carries'}: {self.claim}")
        parts.append(f"by {self.annotator_name}")
        return " · ".join(parts)


_ROW_FIELDS = (
    "pk",
    "start",
    "end",
    "quote",
    "original_quote",
    "version",
    "note",
    "voice",
    "position",
    "anchor_status",
    "annotator_id",
    "annotator__username",
    "annotator__first_name",
    "annotator__last_name",
    "speaker_id",
    "speaker__name",
    "target_id",
    "target__name",
    "claim_id",
    "claim__text",
)


def _rows_query(blinded: bool, *, article_id: int, layer: str, user_id: int | None = None):
    # Blind coding's rule as ``visibility.condition`` gives it, for a member it blinds
    # (an analyst of a blind project: the user's id is the query's value) or for anyone
    # else.
    seen_by = None
    if blinded:
        if user_id is None:
            raise TypeError("Whom blind coding hides others' passages from: a user_id.")
        project = Project(blind_coding=True)
        seen_by = Membership(role=Role.ANALYST, project=project, user=User(pk=user_id))
    return (
        Annotation.objects.filter(visibility.condition(seen_by), article_id=article_id, layer=layer)
        .order_by("start", "end", "pk")
        .values_list(*_ROW_FIELDS)
    )


# Asked on every reader page and after every save: compiled once (``compiled.py``).
_ROWS = CompiledQuery(_rows_query)
# By the article the links repeat (indexed), not by a list of annotation ids: half the
# time on PostgreSQL (0.5 ms against 1.0 for 100). Links of passages that ``_ROWS``
# leaves out (another layer, hidden by blind coding) are read and not used.
_TAG_LINKS = CompiledQuery(
    lambda *, article_id: (
        AnnotationTag.objects.filter(article_id=article_id)
        .order_by()
        .values_list("annotation_id", "tag_id")
    )
)


def load_rows(
    article: Article, tags: list[Tag], layer: str = Layer.CODER, *, seen_by: Membership | None
) -> list[ReaderRow]:
    """Every annotation of the article in ``layer`` as a plain row, in two queries: the
    coders' by default, so an adjudicated passage never shows as if a coder's (they
    have their own read-only page, ``coding:adjudicated``). Only those ``seen_by`` may
    see (blind coding; ``None``: all of them)."""
    if visibility.blinded(seen_by):
        assert seen_by is not None  # for the type checker: ``blinded`` said so
        found = _ROWS.rows(True, article_id=article.pk, layer=layer, user_id=seen_by.user_id)
    else:
        found = _ROWS.rows(False, article_id=article.pk, layer=layer)
    rows = [
        ReaderRow(
            pk=pk,
            start=start,
            end=end,
            quote=quote,
            original_quote=original_quote,
            version=version,
            note=note,
            voice=voice,
            position=position,
            anchor_status=status,
            annotator_id=annotator_id,
            annotator_username=username,
            annotator_name=f"{first} {last}".strip() or username,
            speaker_id=speaker_id,
            speaker=speaker,
            target_id=target_id,
            target=target,
            claim_id=claim_id,
            claim=claim,
        )
        for (
            pk,
            start,
            end,
            quote,
            original_quote,
            version,
            note,
            voice,
            position,
            status,
            annotator_id,
            username,
            first,
            last,
            speaker_id,
            speaker,
            target_id,
            target,
            claim_id,
            claim,
        ) in found
    ]
    by_id = {tag.pk: tag for tag in tags}
    tag_ids: dict[int, list[int]] = defaultdict(list)
    for annotation_id, tag_id in _TAG_LINKS.rows(article_id=article.pk):
        tag_ids[annotation_id].append(tag_id)
    for row in rows:
        row.tags = sorted(
            (by_id[t] for t in tag_ids.get(row.pk, ()) if t in by_id),
            key=lambda tag: (tag.position, tag.name),
        )
    return rows


@lru_cache(maxsize=256)
def _item_urls(project_slug: str, prefix: str) -> tuple[str, ...]:
    """The URL patterns of an item's links, for a project (and the prefix the site is
    served under, which ``reverse`` reads): the same on every page, and reversing six
    of them cost 0.2 ms a request."""
    # Not cleared with Django's own URL caches (``clear_url_caches``): the URLconf does
    # not change while the site runs.
    names = (
        "annotations:confirm",
        "annotations:edit",
        "annotations:delete",
        "annotations:history",
        "analysis:actor",
        "analysis:claim",
    )
    return tuple(reverse(name, args=[project_slug, _PK]) for name in names)


class SidebarRenderer:
    """Renders sidebar items; link patterns are reversed once per project (not per
    page, nor per item) and filled in per item."""

    def __init__(
        self, *, project_slug: str, user_id: int, can_annotate: bool, reader_url: str, csrf: str
    ):
        self.user_id = user_id
        self.can_annotate = can_annotate
        self.reader_url = reader_url
        self.csrf = escape(csrf)
        (
            self.confirm_url,
            self.edit_url,
            self.delete_url,
            self.history_url,
            self.actor_url,
            self.claim_url,
        ) = _item_urls(project_slug, get_script_prefix())

    def _status(self, row: ReaderRow, mine: bool) -> str:
        """What re-anchoring left to do, and (for its analyst) the buttons to do it."""
        if row.anchor_status == AnchorStatus.ORPHANED:
            why = "Orphaned: this passage is no longer in the text."
        else:
            why = (
                "Needs review: the text changed; this is the closest passage found. "
                f"It was: “{escape(row.original_quote)}”"
            )
        actions = ""
        if mine and self.can_annotate:
            if row.anchor_status == AnchorStatus.NEEDS_REVIEW:
                confirm = self._url(self.confirm_url, row.pk)
                actions += (
                    f'<form method="post" action="{confirm}" class="inline" hx-post="{confirm}" '
                    f'hx-target="#reader-body" hx-swap="outerHTML">'
                    f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf}">'
                    f'<input type="hidden" name="version" value="{row.version}">'
                    f'<button type="submit" class="link">Confirm</button></form> '
                )
            actions += f'<a href="{self.reader_url}?reattach={row.pk}">Re-attach</a>'
        return f'<div class="anchor-status status-{row.anchor_status}"><p>{why}</p>{actions}</div>'

    @staticmethod
    def _url(pattern: str, pk: int | None) -> str:
        # The placeholder is the last number in the URL (a slug may hold digits too).
        before, after = pattern.rsplit(str(_PK), 1)
        return f"{before}{pk}{after}"

    def items(self, rows: list[ReaderRow]) -> SafeString:
        return mark_safe("".join(self.item(row) for row in rows))

    def item(self, row: ReaderRow) -> str:
        mine = row.annotator_id == self.user_id
        quote = escape(row.quote if len(row.quote) <= 280 else row.quote[:279] + "…")
        # An orphan has no highlight to jump to.
        goto = f'href="#h{row.pk}"' if row.has_span else 'href="#annotation-list"'

        status = ""
        if not row.is_anchored:
            status = self._status(row, mine)
        parts = [
            f'<li class="annotation-item{" mine" if mine else ""}" id="a{row.pk}" '
            f'data-annotation="{row.pk}" tabindex="-1">',
            status,
            f'<a class="goto" {goto}><blockquote>{quote}</blockquote></a>',
        ]
        if row.tags:
            chips = "".join(
                f'<span class="tag tag-{tag.pk}">{escape(tag.name)}</span>' for tag in row.tags
            )
            parts.append(f'<p class="tags">{chips}</p>')
        if row.speaker or row.target:
            voice = (
                f'<a href="{self._url(self.actor_url, row.speaker_id)}">{escape(row.speaker)}</a>'
                if row.speaker
                else f'<span class="muted">{escape(Stance.voice_of(None, row.voice))}</span>'
            )
            if row.target:
                voice += (
                    f' → <a href="{self._url(self.actor_url, row.target_id)}">'
                    f"{escape(row.target)}</a>"
                )
            parts.append(f'<p class="small voice">{voice}</p>')
        if row.claim:
            words = Stance.words(row.voice, row.position) or "carries"
            parts.append(
                f'<p class="small claim-line"><span class="stance position-'
                f'{row.position or "none"}">{escape(words)}</span> '
                f'<a href="{self._url(self.claim_url, row.claim_id)}">{escape(row.claim)}</a></p>'
            )
        if row.note:
            parts.append(f'<p class="note">{escape(row.note)}</p>')
        # A div, not a p: the delete form inside would end a paragraph early.
        parts.append(
            f'<div class="item-meta small muted"><span>{escape(row.annotator_name)}</span>'
        )
        if mine and self.can_annotate:
            edit = self._url(self.edit_url, row.pk)
            delete = self._url(self.delete_url, row.pk)
            parts.append(
                f'<a class="edit-link" href="{edit}" hx-get="{edit}" hx-target="#a{row.pk}" '
                f'hx-swap="outerHTML">Edit</a>'
                f'<form method="get" action="{delete}" class="inline">'
                f'<button type="submit" class="link delete-button" hx-post="{delete}" '
                f'hx-confirm="Delete this annotation?" hx-target="#reader-body" '
                f'hx-swap="outerHTML">Delete</button></form>'
            )
        elif self.can_annotate:
            parts.append(
                '<span title="Analysts change only their own annotations">· only '
                f"{escape(row.annotator_name)} can edit</span>"
            )
        # The history opens under the item (htmx), or as a page without JavaScript.
        history = self._url(self.history_url, row.pk)
        parts.append(
            f'<a class="history-link" href="{history}" hx-get="{history}" '
            f'hx-target="#hist{row.pk}" hx-swap="innerHTML">History</a></div>'
            f'<div id="hist{row.pk}" class="item-history"></div></li>'
        )
        return "".join(parts)


@dataclass
class PickerTag:
    """A tag as the coding form's picker shows it: in codebook order under its parent,
    with the ids of its ancestors (so folding a parent hides its subtree)."""

    tag: Tag
    depth: int
    ancestors: str
    has_children: bool
    new_line: bool  # a parent's group starts a line, and so does what follows a group


def tag_picker(tags: list[Tag]) -> list[PickerTag]:
    parents = {tag.parent_id for tag in tags}
    path: list[str] = []
    picker: list[PickerTag] = []
    for tag, depth in trees.depth_first(tags):
        del path[depth:]
        has_children = tag.pk in parents
        after_group = bool(picker) and picker[-1].depth > 0
        new_line = depth == 0 and bool(picker) and (has_children or after_group)
        picker.append(PickerTag(tag, depth, " ".join(path), has_children, new_line))
        path.append(str(tag.pk))
    return picker


def picker_html(picker: list[PickerTag], selected: set[str]) -> SafeString:
    """The coding form's tags: each parent's group on a line, a fold button on parents,
    the ``selected`` ones ticked; an archived tag only if ticked (an annotation keeps
    it). Built as a string, like the sidebar: as a template loop it was the largest
    part of rendering the reader."""
    parts = []
    for entry in picker:
        tag, ticked = entry.tag, str(entry.tag.pk) in selected
        if tag.archived and not ticked:
            continue
        name = escape(tag.name)
        if entry.new_line:
            parts.append('<span class="tag-break"></span>')
        parts.append(
            f'<span class="tag-entry level-{entry.depth}" data-ancestors="{entry.ancestors}">'
        )
        if entry.has_children:
            parts.append(
                f'<button type="button" class="tag-fold" data-fold="{tag.pk}" '
                f'aria-expanded="true" tabindex="-1" '
                f'title="Fold or unfold the tags under “{name}”">▾</button>'
            )
        key = escape(tag.shortcut)
        parts.append(
            f'<label class="tag-option" data-name="{name}"><input type="checkbox" name="tags" '
            f'value="{tag.pk}" data-shortcut="{key}" tabindex="-1"{" checked" if ticked else ""}>'
            f'<span class="swatch tag-{tag.pk}"></span>{name}'
            + (f" <kbd>{key}</kbd>" if key else "")
            + (' <span class="muted small">(archived)</span>' if tag.archived else "")
            + "</label></span>"
        )
    return mark_safe("".join(parts))


def coded_spans(rows: list[ReaderRow]) -> list[dict[str, Any]]:
    """The article's coded passages, for the form's notice that a new passage is already
    coded with the same tag, and for the coding stripes beside the text."""
    return [
        {
            "id": row.pk,
            "start": row.start,
            "end": row.end,
            "tags": [tag.pk for tag in row.tags],
            "by": row.annotator_name,
        }
        for row in rows
        if row.has_span
    ]
