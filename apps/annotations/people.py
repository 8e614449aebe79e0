"""Actors and claims kept in the app: analysts add them, owners change, merge and archive
them.

A merge moves every annotation of the merged actor or claim to the one kept (each
annotation's history says so), combines an actor's aliases, moves a claim's narratives'
children, and deletes what was merged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.annotations import trees
from apps.annotations.models import Actor, ActorKind, Annotation, Claim
from apps.projects.models import Project


def save_actor(
    project: Project,
    actor: Actor | None,
    *,
    name: str,
    kind: str = ActorKind.PERSON,
    aliases: str = "",
    description: str = "",
) -> Actor:
    actor = actor or Actor(project=project)
    actor.name = " ".join(name.split())[:200]
    actor.kind = kind or ActorKind.PERSON
    actor.aliases = "\n".join(dict.fromkeys(a.strip() for a in aliases.splitlines() if a.strip()))
    actor.description = description.strip()[:300]
    errors = {}
    if not actor.name:
        errors["name"] = "An actor needs a name."
    elif project.actors.filter(name__iexact=actor.name).exclude(pk=actor.pk).exists():
        errors["name"] = f"There is already an actor called “{actor.name}”: merge them instead."
    if actor.kind not in ActorKind.values:
        errors["kind"] = "Pick a kind from the list."
    if errors:
        raise ValidationError(errors)
    actor.save()
    return actor


def save_claim(
    project: Project,
    claim: Claim | None,
    *,
    text: str,
    description: str = "",
    parent_id: int | None = None,
) -> Claim:
    claim = claim or Claim(project=project)
    claim.text = " ".join(text.split())[:500]
    claim.description = description.strip()
    errors = {}
    if not claim.text:
        errors["text"] = "A claim needs its text."
    elif project.claims.filter(text__iexact=claim.text).exclude(pk=claim.pk).exists():
        errors["text"] = "That claim is already in the project: merge them instead."
    claim.parent = project.claims.filter(pk=parent_id).first() if parent_id else None
    if parent_id and claim.parent is None:
        errors["parent"] = "The narrative belongs to another project."
    if errors:
        raise ValidationError(errors)
    trees.check_parent(
        claim,
        another_project="The narrative belongs to another project.",
        loop="A claim cannot go under itself or one of its own claims.",
    )
    claim.save()
    return claim


def actor_merge_count(source: Actor) -> int:
    return Annotation.objects.filter(Q(speaker=source) | Q(target=source)).count()


@transaction.atomic
def merge_actors(source: Actor, target: Actor) -> int:
    """Merge ``source`` into ``target``; how many annotations moved."""
    _check_merge(source, target)
    moved = list(
        Annotation.objects.filter(Q(speaker=source) | Q(target=source)).values_list("pk", flat=True)
    )
    Annotation.objects.filter(speaker=source).update(speaker=target)
    Annotation.objects.filter(target=source).update(target=target)
    names = [*target.alias_list, source.name, *source.alias_list]
    target.aliases = "\n".join(dict.fromkeys(n for n in names if n.lower() != target.name.lower()))
    target.save(update_fields=["aliases"])
    _record(moved, f"actor “{source}” merged into “{target}”")
    source.delete()
    return len(moved)


@transaction.atomic
def merge_claims(source: Claim, target: Claim) -> int:
    """Merge ``source`` into ``target``; how many annotations moved (its claims under
    it move under the target)."""
    _check_merge(source, target)
    if target.pk in trees.subtree_ids(source.project.claims.all(), source.pk):
        raise ValidationError(f"“{target}” is under “{source}”: merge that one into it instead.")
    moved = list(Annotation.objects.filter(claim=source).values_list("pk", flat=True))
    Annotation.objects.filter(claim=source).update(claim=target)
    for child in source.children.all():
        child.parent = target
        child.save(update_fields=["parent"])
    _record(moved, f"claim merged into “{target}”")
    source.delete()
    return len(moved)


def _check_merge(source: Actor | Claim, target: Actor | Claim) -> None:
    if source.pk == target.pk:
        raise ValidationError("Pick another one to merge into.")
    if source.project_id != target.project_id:
        raise ValidationError("That one belongs to another project.")


def _record(annotation_ids: list[int], reason: str) -> None:
    """A history record for each moved annotation, as it now is (read in one query)."""
    for annotation in Annotation.objects.filter(pk__in=annotation_ids):
        annotation.record_change("~", reason=reason)


def delete_actor(actor: Actor) -> None:
    """Delete an actor no annotation names; one in use is merged instead."""
    used = actor_merge_count(actor)
    if used:
        raise ValidationError(
            f"“{actor}” is named by {used} annotation(s): merge it into another actor "
            "instead, or archive it."
        )
    actor.delete()


def delete_claim(claim: Claim) -> None:
    """Delete a claim no annotation carries and with no claims under it."""
    used = Annotation.objects.filter(claim=claim).count()
    if used:
        raise ValidationError(
            f"{used} annotation(s) carry this claim: merge it into another claim instead, "
            "or archive it."
        )
    if claim.children.exists():
        raise ValidationError("Claims are filed under this one: move or merge them first.")
    claim.delete()


def archive(item: Actor | Claim, archived: bool = True) -> None:
    """Stop offering an actor or claim for coding (or offer it again): the annotations
    that name it keep it, and it stays on its page, in comparisons and exports."""
    item.archived = archived
    item.save(update_fields=["archived"])
