"""The reader page's context, and what a write answers with.

A write from the reader (create, edit, delete) answers an htmx request with only what it
changed, swapped out of band: the paragraphs under the passage, the one list item, the
count, the data the form and the coding stripes read, a fresh form. A change whose
effects reach further (re-anchoring work: confirm, re-attach, an annotation that needs
review) answers with the whole reader body, as a plain page load does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.db.models import F
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.http import reswap, retarget

from apps.accounts.compiled import CompiledQuery, columns, related_columns
from apps.annotations.filters import AnnotationFilter
from apps.annotations.forms import CreateAnnotationForm, ReattachForm
from apps.annotations.models import Actor, AnchorStatus, Claim, Tag
from apps.annotations.my_queue import place_in_queue
from apps.annotations.reader import (
    ReaderRow,
    SidebarRenderer,
    coded_spans,
    load_rows,
    tag_picker,
)
from apps.annotations.segments import render_text
from apps.corpus.models import Article, Story
from apps.projects import visibility
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership, Project
from apps.projects.templatetags.choices import hidden_input

READER = "annotations/reader.html"


@dataclass(frozen=True)
class Change:
    """What a write did (``created``, ``edited`` or ``deleted``) to one annotation, over
    ``start:end`` of the text."""

    kind: str
    annotation_id: int
    start: int
    end: int
    anchored: bool = True  # before the write: one that was not is counted in a notice
    new_claim: bool = False  # the write created a claim: the form's claim list changes

    @classmethod
    def of(cls, kind: str, annotation, *, new_claim: bool = False) -> Change:
        anchored = annotation.anchor_status == AnchorStatus.ANCHORED
        return cls(kind, annotation.pk, annotation.start, annotation.end, anchored, new_claim)

    def paragraphs(self, text: str) -> range:
        """The numbers of the paragraphs the passage lies in."""
        first = text.count("\n\n", 0, self.start)
        return range(first, first + text.count("\n\n", self.start, self.end) + 1)

    def reach(self, text: str) -> tuple[int, int]:
        """Offsets around the paragraphs the passage lies in, breaks included: a passage
        that overlaps them may be drawn there (used to leave out work, so it may take in
        a little more, never less)."""
        last = text.find("\n\n", self.end)
        return max(0, text.rfind("\n\n", 0, self.start)), len(text) if last < 0 else last + 2


# The article's stories with their project (for their links), and the articles of a
# story or of the project in reading order: asked on every reader page, compiled once
# (``compiled.py``).
_STORIES = CompiledQuery(
    lambda *, article_id: Story.objects.filter(articles=article_id).values_list(
        *columns(Story), *related_columns(Story, "project")
    )
)
_READING_ORDER = CompiledQuery(
    lambda in_story, *, within: (
        (
            Article.objects.filter(stories=within)
            if in_story
            else Article.objects.filter(project_id=within)
        )
        .order_by(F("published").asc(nulls_last=True), "title", "pk")
        .values_list("pk", "title")
    )
)


def neighbours(membership: Membership, article: Article, story_id: str | None):
    """The article's story (chosen or first) and the previous and next article in it
    (or in the project), by date (undated last, on every database), title and id.

    One read of the story's ids and titles: two keyset queries (before and after this
    article) were measured slower, 2.8 ms against 1.6 ms with 2,000 articles and stories
    of 200, because the conditions on three columns cannot use an index."""
    stories = _STORIES.instances(Story, article_id=article.pk)
    story = next((s for s in stories if str(s.pk) == story_id), stories[0] if stories else None)
    order = (
        _READING_ORDER.rows(True, within=story.pk)
        if story
        else _READING_ORDER.rows(False, within=membership.project_id)
    )
    index = next(i for i, (pk, _) in enumerate(order) if pk == article.pk) if story or order else 0
    previous = order[index - 1] if index > 0 else None
    following = order[index + 1] if index + 1 < len(order) else None
    return stories, story, previous, following


# The reader's own filters (``story`` also names a story, but to move between articles).
READER_FILTER_KEYS = ("annotator", "tag")


class ReaderFilter:
    """The reader's filter of its list and highlights (``data`` as given), by the one
    filter, ``AnnotationFilter``: built only when something is given (its fields are
    copied for each form, 0.7–0.9 ms of every open and save)."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.form = AnnotationFilter(data) if data else None
        self.active = self.form is not None and self.form.active


def reader_filter(params: Mapping[str, str]) -> ReaderFilter:
    """The filter of the reader's list and highlights, from the page's query."""
    return ReaderFilter({key: params[key] for key in READER_FILTER_KEYS if params.get(key)})


def filter_rows(
    rows: list[ReaderRow],
    filters: ReaderFilter,
    *,
    project: Project,
    article: Article,
    user: Any,
) -> list[ReaderRow]:
    """The rows the filter selects, by the same rule as every other screen and export
    (one query, only when a filter is set)."""
    if filters.form is None or not filters.active:
        return rows
    chosen = filters.form.annotations(project, user).filter(article=article)
    shown = set(chosen.values_list("pk", flat=True))
    return [row for row in rows if row.pk in shown]


# Read on every reader page and every save: compiled once (``compiled.py``).
_CODEBOOK = CompiledQuery(
    lambda *, project_id: Tag.objects.filter(project_id=project_id).values_list(*columns(Tag))
)


# The coding form's lists (the actors' names with their aliases, the claims' texts):
# on every reader page, compiled once; the other columns are deferred.
_ACTORS = CompiledQuery(
    lambda *, project_id: (
        Actor.objects.filter(project_id=project_id)
        .for_coding()
        .values_list("id", "name", "aliases")
    )
)
_CLAIMS = CompiledQuery(
    lambda *, project_id: (
        Claim.objects.filter(project_id=project_id).for_coding().values_list("id", "text")
    )
)


def codebook(project) -> list[Tag]:
    """The project's tags in codebook order. A codebook without shortcuts still gets
    keys 1–9, on its first nine tags (only in this response: nothing is saved)."""
    tags = _CODEBOOK.instances(Tag, project_id=project.pk)
    for tag in tags:
        Tag.project.field.set_cached_value(tag, project)  # as ``project.tags`` would
    if not any(tag.shortcut for tag in tags):
        for number, tag in enumerate([t for t in tags if not t.archived][:9], start=1):
            tag.shortcut = str(number)
    return tags


def reader_context(
    request: SignedInRequest,
    membership: Membership,
    article: Article,
    *,
    form: forms.Form | None = None,
    change: Change | None = None,
    tags: list[Tag] | None = None,
) -> dict:
    """Everything the reader's template shows. With a ``change`` (after a write), only
    what the write can have changed is worked out: the paragraphs under it (out of band),
    not the story's neighbours, the whole list nor a new form. ``tags``: the codebook,
    when the view has read it already."""
    project = membership.project
    tags = codebook(project) if tags is None else tags
    rows = load_rows(article, tags, seen_by=membership)
    params = view_params(request)
    filters = reader_filter(params)
    shown = filter_rows(rows, filters, project=project, article=article, user=request.user)
    stories, story, previous, following = (
        neighbours(membership, article, params.get("story"))
        if change is None
        else ([], None, None, None)
    )
    # After a write, only the changed paragraphs' highlights are drawn, with their hover
    # text; the others' would be worked out and thrown away.
    described = shown
    if change is not None:
        first, last = change.reach(article.text)
        described = [row for row in shown if row.start <= last and row.end >= first]
    text_html = render_text(
        article.text,
        [row for row in shown if row.has_span],
        describe={row.pk: row.describe() for row in described},
        colour_class={row.pk: f"t{row.tags[0].pk}" for row in shown if row.tags},
        review={row.pk for row in shown if row.has_span and not row.is_anchored},
        numbered=True,
        only=change.paragraphs(article.text) if change else None,
    )
    reader_url = reverse("annotations:reader", args=[project.slug, article.pk])
    # Blind coding: an article the analyst marked done is theirs to read, not to code.
    locked = visibility.finished_blind(membership, article.pk)
    writes = membership.can_annotate and not locked
    sidebar = SidebarRenderer(
        project_slug=project.slug,
        user_id=request.user.pk,
        can_annotate=writes,
        reader_url=reader_url,
        csrf=get_token(request),
    )
    reattach = reattaching(request, membership, rows, params) if writes else None
    if reattach is not None and form is None:
        form = ReattachForm(
            initial={"text_hash": article.content_hash, "version": reattach.version}
        )
    elif form is None and writes and change is None:
        form = CreateAnnotationForm(
            project=project, tags=tags, initial={"text_hash": article.content_hash}
        )
    annotators = {row.annotator_username: row.annotator_name for row in rows}
    return {
        "membership": membership,
        "project": project,
        "article": article,
        "stories": stories,
        "story": story,
        "previous": previous,
        "following": following,
        # Team coding: the article in the reader's queue, and whether blind coding hides
        # others' work from them (one query, and none after a write, which keeps them).
        "queue": place_in_queue(membership, article) if change is None else None,
        "blind": visibility.blinded(membership),
        "writes": writes,
        "locked": visibility.FINISHED_BLIND if locked else "",
        # The adjudicated version's link, where blind coding hides nothing (that someone
        # adjudicates an article one codes blind says that others coded it otherwise).
        "adjudicated_link": change is None
        and _adjudicated(article)
        and not visibility.hides_others_on(membership, article.pk),
        "text_html": text_html,
        "annotations": shown,
        "items": sidebar.items(shown) if change is None else "",
        "sidebar": sidebar,
        "total": len(rows),
        "tags": tags,
        "tag_choices": [(tag.pk, tag.name) for tag in tags] if change is None else [],
        # The form's codebook and the page's colours: not part of a write's changed parts.
        "picker": tag_picker(tags) if change is None else [],
        "coded_json": json.dumps(coded_spans(rows), separators=(",", ":")),
        "tag_styles": Tag.colour_rules(tags) if change is None else "",
        # The form's lists (a write's answer sends the claims only when it made one).
        # Read when the template draws them (the reader's body alone, asked by its
        # filters, does not).
        "actors": (
            SimpleLazyObject(lambda: _ACTORS.instances(Actor, project_id=project.pk))
            if change is None
            else []
        ),
        "claims": (
            SimpleLazyObject(lambda: _CLAIMS.instances(Claim, project_id=project.pk))
            if change is None or change.new_claim
            else []
        ),
        "annotators": sorted(annotators.items(), key=lambda item: item[1]),
        "filters": filters,
        "form": form,
        "query": query_string(params),
        "reattach": reattach,
        "needing_attention": sum(1 for row in rows if not row.is_anchored),
    }


def _adjudicated(article: Article) -> bool:
    """Whether the article has an adjudication (the coding app's, by its reverse name;
    read with the article by the reader's view)."""
    return getattr(article, "adjudication", None) is not None


def query_string(params: QueryDict) -> str:
    """The filters and story as a query string, for links and forms that come back here."""
    kept = QueryDict(mutable=True)
    for key in ("annotator", "tag", "story"):
        if value := params.get(key):
            kept[key] = value
    return f"?{kept.urlencode()}" if kept else ""


def view_params(request: SignedInRequest) -> QueryDict:
    """The reader's query (filters, story): of this GET, or, for an htmx write, of the
    page it was made from, so that saving keeps what the analyst was looking at."""
    if request.method == "GET" or not request.htmx or not request.htmx.current_url:
        return request.GET
    return QueryDict(urlsplit(request.htmx.current_url).query)


def reattaching(request: SignedInRequest, membership: Membership, rows, params: QueryDict):
    """The annotation the analyst asked to re-attach (``?reattach=id``), if it is theirs."""
    wanted = params.get("reattach", "")
    if not (wanted.isdigit() and membership.can_annotate):
        return None
    return next(
        (r for r in rows if r.pk == int(wanted) and r.annotator_id == request.user.pk), None
    )


def body_response(
    request: SignedInRequest,
    membership: Membership,
    article: Article,
    *,
    fresh_form: bool,
    tags: list[Tag] | None = None,
) -> HttpResponse:
    """After a write: the reader body, plus a fresh create form swapped out of band."""
    context = reader_context(request, membership, article, tags=tags)
    html = render_to_string(f"{READER}#reader-body", context, request=request)
    # The claim list may have a new claim; a fresh create form has a new token.
    partials = ["claim-list"]
    if fresh_form and context["form"] is not None:
        partials.append("annotation-form")
    for partial in partials:
        html += render_to_string(f"{READER}#{partial}", {**context, "oob": True}, request=request)
    return retarget(reswap(HttpResponse(html), "outerHTML"), "#reader-body")


def _page_is_current(request: SignedInRequest, shown: list, change: Change) -> bool:
    """Whether the page's list (the ids its script sends as ``listed``) is what the
    database held before this write. Another coder may have annotated the article since
    the page was loaded: then only the whole body brings the page up to date."""
    listed = request.POST.get("listed")
    if listed is None:
        return False
    on_page = {int(pk) for pk in listed.split(",") if pk.isdigit()}
    return on_page - {change.annotation_id} == {r.pk for r in shown} - {change.annotation_id}


def update_response(
    request: SignedInRequest,
    membership: Membership,
    article: Article,
    change: Change,
    *,
    fresh_form: bool,
    tags: list[Tag] | None = None,
) -> HttpResponse:
    """After a create, edit or delete: only what it changed, each part swapped out of
    band, the main swap none (a create also renews the form's token). An annotation
    left needing review, or a list about to become empty or stop being empty, gets the
    whole body instead. ``tags``: the codebook, when the view has read it already."""
    context = reader_context(request, membership, article, change=change, tags=tags)
    shown = context["annotations"]
    row = next((r for r in shown if r.pk == change.annotation_id), None)
    if (
        not change.anchored
        or (row is not None and not row.is_anchored)
        or len(shown) <= 1
        or not _page_is_current(request, shown, change)
    ):
        return body_response(request, membership, article, fresh_form=fresh_form, tags=tags)
    oob = {**context, "oob": True}
    parts = [str(context["text_html"])]
    item_id = f"a{change.annotation_id}"
    if row is None:  # deleted, or no longer matching the list's filter
        if change.kind != "created":
            parts.append(f'<li id="{item_id}" hx-swap-oob="delete"></li>')
    elif change.kind == "edited":  # in place
        parts.append(context["sidebar"].item(row).replace("<li ", '<li hx-swap-oob="true" ', 1))
    else:  # new: before the item that follows it in the list
        after = next(iter(shown[shown.index(row) + 1 :]), None)
        where = f"beforebegin:#a{after.pk}" if after else "beforeend:#annotation-list"
        parts.append(f'<div hx-swap-oob="{where}">{context["sidebar"].item(row)}</div>')
    changed = ["annotation-count", "coded-spans"] + (["claim-list"] if change.new_claim else [])
    parts += [render_to_string(f"{READER}#{name}", oob, request=request) for name in changed]
    if fresh_form and context["writes"] and context["reattach"] is None:
        # The page's script empties the form once it is saved; it needs only a new token
        # (a form sent again with the old one is refused as a replay).
        parts.append(new_token())
    return reswap(HttpResponse("".join(parts)), "none")


def new_token() -> str:
    """The create form's token field with a new token, as the form renders it (a test
    compares), swapped out of band: written out, because building a form to render one
    field costs more than the rest of a write's answer."""
    return hidden_input("client_token", str(uuid.uuid4()), "id_client_token", swap_oob=True)
