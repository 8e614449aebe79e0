"""Owners edit the codebook in the app: add and change tags (name, rule, colour, parent,
key), reorder them among their siblings, merge one into another, delete an unused one
(files in and out: ``codebook_files``).

Every refusal is a ``ValidationError`` naming the field, with a reason the owner can act
on; every change is on the record (the tags' history)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from apps.annotations import trees
from apps.annotations.models import COLOR_RE, Annotation, AnnotationTag, Tag
from apps.projects.models import Project

# Distinct colours that keep dark text readable on them (light tints of distinct hues),
# offered beside the colour picker.
PALETTE = [
    "#ffe08a",
    "#ffc9c9",
    "#c9e4ff",
    "#d3f9d8",
    "#e5dbff",
    "#ffd8a8",
    "#c5f6fa",
    "#fcc2d7",
    "#e9ecef",
    "#d8f5a2",
    "#ffec99",
    "#bac8ff",
]


def save_tag(
    project: Project,
    tag: Tag | None,
    *,
    name: str,
    description: str = "",
    color: str = "",
    parent_id: int | None = None,
    shortcut: str = "",
    guid: uuid.UUID | None = None,
) -> Tag:
    """Create a tag (``tag`` None) or change one, after checking everything a codebook
    must keep: one name per tag, one tag per key, a parent of the same project that is
    not the tag itself or one of its descendants, a colour like #ffe08a. ``guid`` keeps
    a new tag's identity from an exchanged codebook."""
    tag = tag or Tag(project=project, position=_next_position(project), guid=guid or uuid.uuid4())
    tag.name = " ".join(name.split())
    tag.description = description.strip()
    tag.color = (color or tag.color or PALETTE[0]).lower()
    tag.shortcut = shortcut.strip()
    errors: dict[str, str] = {}
    if not tag.name:
        errors["name"] = "A tag needs a name."
    elif project.tags.filter(name__iexact=tag.name).exclude(pk=tag.pk).exists():
        errors["name"] = f"The codebook already has a tag called “{tag.name}”."
    if not re.match(COLOR_RE, tag.color):
        errors["color"] = "Use a colour like #ffe08a."
    if tag.shortcut:
        if not re.fullmatch(r"[1-9]", tag.shortcut):
            errors["shortcut"] = "A key is one digit from 1 to 9."
        elif clash := project.tags.filter(shortcut=tag.shortcut).exclude(pk=tag.pk).first():
            errors["shortcut"] = f"Key {tag.shortcut} already toggles “{clash.name}”."
    tag.parent = project.tags.filter(pk=parent_id).first() if parent_id else None
    if parent_id and tag.parent is None:
        errors["parent"] = "The parent tag belongs to another project."
    if errors:
        raise ValidationError(errors)
    tag.project = project
    trees.check_parent(
        tag,
        another_project="The parent tag belongs to another project.",
        loop="A tag cannot go under itself or one of its own subtags.",
    )
    tag.save()
    return tag


def _next_position(project: Project) -> int:
    return (project.tags.aggregate(last=Max("position"))["last"] or 0) + 1


@transaction.atomic
def move_tag(tag: Tag, direction: int) -> None:
    """Move a tag one place up (-1) or down (+1) among the tags of its parent."""
    siblings = list(tag.project.tags.filter(parent_id=tag.parent_id).order_by("position", "name"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == tag.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])


@dataclass
class MergePreview:
    """What merging ``source`` into ``target`` would do, for the owner to confirm."""

    source: Tag
    target: Tag
    moving: int  # annotations that get the target instead
    already: int  # annotations that have both: they keep the target, once
    children: int  # subtags that move under the target

    def __str__(self) -> str:
        return (
            f"{self.moving} annotation{'s' if self.moving != 1 else ''} move from "
            f"“{self.source}” to “{self.target}”"
            + (f" ({self.already} already have both)" if self.already else "")
            + (
                f"; {self.children} subtag{'s' if self.children != 1 else ''} move under it"
                if self.children
                else ""
            )
            + f"; “{self.source}” is then deleted."
        )


def merge_preview(source: Tag, target: Tag) -> MergePreview:
    _check_merge(source, target)
    with_target = AnnotationTag.objects.filter(tag=target).values("annotation_id")
    links = AnnotationTag.objects.filter(tag=source)
    already = links.filter(annotation_id__in=with_target).count()
    return MergePreview(
        source=source,
        target=target,
        moving=links.count() - already,
        already=already,
        children=source.children.count(),
    )


@transaction.atomic
def merge_tags(source: Tag, target: Tag) -> MergePreview:
    """Merge ``source`` into ``target``: its annotations get the target (once), its
    subtags move under the target, and it is deleted. Nothing else changes."""
    preview = merge_preview(source, target)
    affected = list(Annotation.objects.filter(tags=source))
    with_target = AnnotationTag.objects.filter(tag=target).values("annotation_id")
    AnnotationTag.objects.filter(tag=source, annotation_id__in=with_target).delete()
    AnnotationTag.objects.filter(tag=source).update(tag=target)
    for child in source.children.all():
        child.parent = target
        child.save(update_fields=["parent"])
    for annotation in affected:  # their tags changed: on their record too
        annotation.record_change("~", reason=f"tag “{source}” merged into “{target}”")
    source.delete()
    return preview


def _check_merge(source: Tag, target: Tag) -> None:
    if source.pk == target.pk:
        raise ValidationError({"target": "Pick another tag to merge into."})
    if source.project_id != target.project_id:
        raise ValidationError({"target": "That tag belongs to another project."})
    if target.pk in trees.subtree_ids(source.project.tags.all(), source.pk):
        raise ValidationError(
            {"target": f"“{target}” is under “{source}”: merge the subtag into it instead."}
        )


def delete_tag(tag: Tag) -> None:
    """Delete a tag nobody used and with no subtags; a used one is merged or archived."""
    used = AnnotationTag.objects.filter(tag=tag).count()
    if used:
        raise ValidationError(
            f"“{tag}” codes {used} annotation{'s' if used != 1 else ''}: merge it into another "
            "tag instead (its annotations move there), or archive it.",
            code="used",
        )
    if tag.children.exists():
        raise ValidationError(f"“{tag}” has subtags: move or merge them first.", code="parent")
    tag.delete()


def archive_tag(tag: Tag, archived: bool = True) -> None:
    """Stop offering a used tag for coding (or offer it again); its annotations keep it."""
    tag.archived = archived
    tag.save(update_fields=["archived"])
