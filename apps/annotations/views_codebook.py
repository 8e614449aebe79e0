"""The codebook's pages: tags, actors and claims of a project, with how often each is used."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from apps.annotations import codebook as editing
from apps.annotations import codebook_files, people, trees
from apps.annotations.codebook import MergePreview
from apps.annotations.models import ActorKind, Layer
from apps.annotations.trees import N
from apps.projects import visibility
from apps.projects.access import project_view, require_annotate, require_manage
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership, Project

M = TypeVar("M", bound=Model)


@require_http_methods(["GET", "POST"])
@project_view
def codebook(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """The codebook; owners edit it here (one POST per change, named by ``action``)."""
    if request.method == "GET":
        return _codebook_page(request, membership)
    require_manage(membership)
    try:
        note, preview = _change_codebook(membership.project, request.POST, request.FILES)
    except ValidationError as error:
        problem = "; ".join(error.messages)
        if request.htmx:
            return _codebook_page(request, membership, problem=problem, status=422)
        messages.error(request, problem)
    else:
        if request.htmx or preview:
            return _codebook_page(request, membership, note=note, preview=preview)
        messages.success(request, note)
    return redirect("annotations:codebook", membership.project.slug)


def _change_codebook(
    project: Project, data: QueryDict, files: MultiValueDict[str, UploadedFile]
) -> tuple[str, MergePreview | None]:
    """Apply one change from the codebook's forms: (what happened, a merge to confirm)."""
    action = data.get("action", "")
    if action == "import":
        upload = files.get("file")
        if upload is None:
            raise ValidationError("Choose a codebook file (CSV or .qdc) to import.")
        content = upload.read(codebook_files.MAX_BYTES + 1)
        entries = codebook_files.read_codebook(content, upload.name or "")
        done = codebook_files.import_codebook(project, entries)
        return " ".join([f"Imported: {done}", *done.problems]), None
    tag = _one(project.tags.all(), data.get("tag"))
    if action != "add" and tag is None:
        raise ValidationError("That tag is not in this codebook (any more).")
    if action in ("add", "edit"):
        saved = editing.save_tag(
            project,
            tag,
            name=data.get("name", ""),
            description=data.get("description", ""),
            color=data.get("color", ""),
            parent_id=_number(data.get("parent")),
            shortcut=data.get("shortcut", ""),
        )
        return f"“{saved}” {'saved' if tag else 'added'}.", None
    assert tag is not None
    if action in ("up", "down"):
        editing.move_tag(tag, -1 if action == "up" else 1)
        return f"“{tag}” moved {action}.", None
    if action == "merge":
        target = _one(project.tags.all(), data.get("target"))
        if target is None:
            raise ValidationError("Pick the tag to merge into.")
        if data.get("confirm") != "yes":
            return "", editing.merge_preview(tag, target)
        return f"Merged: {editing.merge_tags(tag, target)}", None
    if action == "delete":
        editing.delete_tag(tag)
        return f"“{tag}” deleted.", None
    if action in ("archive", "unarchive"):
        editing.archive_tag(tag, action == "archive")
        return f"“{tag}” {_ARCHIVED[tag.archived]}.", None
    raise ValidationError("Unknown change.")


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _one(queryset: QuerySet[M], value: str | None) -> M | None:
    """The project's tag, actor or claim a form names by id, or None."""
    number = _number(value)
    return queryset.filter(pk=number).first() if number is not None else None


def _codebook_page(
    request: SignedInRequest,
    membership: Membership,
    *,
    note: str = "",
    problem: str = "",
    preview: MergePreview | None = None,
    status: int = 200,
) -> HttpResponse:
    # Ordered here: a query with a GROUP BY leaves the model's default order out.
    tags = list(
        membership.project.tags.annotate(**_usage("annotations", membership))
        .select_related("parent")
        .order_by("position", "name")
    )
    context = {
        "membership": membership,
        "project": membership.project,
        "tags": _as_tree(tags),
        "all_tags": sorted(tags, key=lambda tag: tag.name.casefold()),
        "palette": editing.PALETTE,
        "keys": "123456789",
        "note": note,
        "problem": problem,
        "preview": preview,
    }
    name = page_or_partial(request, "annotations/codebook.html", "codebook")
    return render(request, name, context, status=status)


def _layer(relation: str, seen_by: Membership, layer: str = Layer.CODER) -> Q:
    # Blind coding: an analyst counts only the passages they may see yet.
    seen = visibility.condition(seen_by, f"{relation}__")
    return Q(**{f"{relation}__layer": layer}) & seen


def _usage(relation: str, seen_by: Membership) -> dict[str, Count]:
    """A codebook entry's passages: the coders' (``usage``, what the pages count), and
    the adjudicated ones apart (``in_gold``: an entry they use is not unused either)."""
    return {
        "usage": Count(relation, filter=_layer(relation, seen_by)),
        "in_gold": Count(relation, filter=_layer(relation, seen_by, Layer.GOLD)),
    }


@require_http_methods(["GET", "POST"])
@project_view
def actor_list(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """The actors; analysts add them here, owners change and merge them."""
    if request.method == "POST":
        return _apply(request, membership, "annotations:actors", _change_actors)
    query = request.GET.get("q", "")
    actors = (
        membership.project.actors.search(query)
        .annotate(
            spoken_count=Count("spoken", distinct=True, filter=_layer("spoken", membership)),
            targeted_count=Count("targeted", distinct=True, filter=_layer("targeted", membership)),
            spoken_gold=Count(
                "spoken", distinct=True, filter=_layer("spoken", membership, Layer.GOLD)
            ),
            targeted_gold=Count(
                "targeted", distinct=True, filter=_layer("targeted", membership, Layer.GOLD)
            ),
        )
        .order_by("name")
    )
    context = {"membership": membership, "project": membership.project, "actors": actors}
    context |= {
        "q": query,
        "kinds": ActorKind.choices,
        "all_actors": membership.project.actors.order_by("name"),
    }
    return render(request, "annotations/actors.html", context)


@require_http_methods(["GET", "POST"])
@project_view
def claim_list(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """The claims; analysts add them here, owners change and merge them."""
    if request.method == "POST":
        return _apply(request, membership, "annotations:claims", _change_claims)
    claims = list(
        membership.project.claims.annotate(**_usage("annotations", membership))
        .select_related("parent")
        .order_by("text")
    )
    return render(
        request,
        "annotations/claims.html",
        {
            "membership": membership,
            "project": membership.project,
            "claims": _as_tree(claims),
            "all_claims": claims,
        },
    )


def _apply(request: SignedInRequest, membership: Membership, page: str, change) -> HttpResponse:
    """Run one change from an actor or claim form and go back to the page, saying what
    happened or why not. Adding is for analysts too; the rest for owners."""
    require_annotate(membership)
    if request.POST.get("action") != "add":
        require_manage(membership)
    try:
        messages.success(request, change(membership.project, request.POST))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(page, membership.project.slug)


def _change_actors(project: Project, data: QueryDict) -> str:
    action = data.get("action", "")
    actor = _one(project.actors.all(), data.get("actor"))
    if action != "add" and actor is None:
        raise ValidationError("That actor is not in this project (any more).")
    if action in ("add", "edit"):
        fields = {f: data.get(f, "") for f in ("name", "kind", "aliases", "description")}
        saved = people.save_actor(project, actor, **fields)
        return f"“{saved}” {'saved' if actor else 'added'}."
    assert actor is not None
    if action == "merge":
        target = _one(project.actors.all(), data.get("target"))
        if target is None:
            raise ValidationError("Pick the actor to merge into.")
        moved = people.merge_actors(actor, target)
        return (
            f"“{actor}” merged into “{target}”: {moved} annotation(s) moved, names kept as aliases."
        )
    if action == "delete":
        people.delete_actor(actor)
        return f"“{actor}” deleted."
    if action in ("archive", "unarchive"):
        people.archive(actor, action == "archive")
        return f"“{actor}” {_ARCHIVED[actor.archived]}."
    raise ValidationError("Unknown change.")


_ARCHIVED = {True: "archived: no longer offered for coding", False: "offered for coding again"}


def _change_claims(project: Project, data: QueryDict) -> str:
    action = data.get("action", "")
    claim = _one(project.claims.all(), data.get("claim"))
    if action != "add" and claim is None:
        raise ValidationError("That claim is not in this project (any more).")
    if action in ("add", "edit"):
        saved = people.save_claim(
            project,
            claim,
            text=data.get("text", ""),
            description=data.get("description", ""),
            parent_id=_number(data.get("parent")),
        )
        return f"“{saved}” {'saved' if claim else 'added'}."
    assert claim is not None
    if action == "merge":
        target = _one(project.claims.all(), data.get("target"))
        if target is None:
            raise ValidationError("Pick the claim to merge into.")
        moved = people.merge_claims(claim, target)
        return f"Claim merged into “{target}”: {moved} annotation(s) moved."
    if action == "delete":
        people.delete_claim(claim)
        return "Claim deleted."
    if action in ("archive", "unarchive"):
        people.archive(claim, action == "archive")
        return f"Claim {_ARCHIVED[claim.archived]}."
    raise ValidationError("Unknown change.")


def _as_tree(items: Iterable[N]) -> list[tuple[N, int]]:
    """Codebook order, as ``(item, depth)``; parents are marked to be shown as such."""
    ordered = trees.depth_first(items)
    parents = {item.parent_id for item, _ in ordered}
    for item, _ in ordered:
        item.has_children = item.pk in parents  # type: ignore[attr-defined]
    return ordered
