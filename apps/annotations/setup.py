"""Setting a project up: a new project owned by its creator, optionally starting from the
codebook, actors and claims of another project the creator belongs to.

Lives here, not in ``projects``, because what it copies (tags, actors, claims) belongs
to this app; ``projects`` stays below it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from apps.accounts.models import User
from apps.annotations.models import Actor, Claim, Tag
from apps.projects.models import Membership, Project, Role

# What can be copied from another project, as the form offers it.
PARTS = {
    "codebook": "Codebook: tags with their hierarchy, colours, keys and rules",
    "actors": "Actors, with their kinds and aliases",
    "claims": "Claims, with their narratives",
}


@dataclass
class Copied:
    tags: int = 0
    actors: int = 0
    claims: int = 0

    def __str__(self) -> str:
        done = [f"{n} {what}" for what, n in vars(self).items() if n]
        return ", ".join(done) if done else "nothing"


def unique_slug(name: str) -> str:
    """An address for a project called ``name``, not yet taken ("syria-2", "syria-3"…)."""
    base = slugify(name)[:70] or "project"
    slug, n = base, 1
    while Project.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_project(
    *,
    name: str,
    owner: User,
    description: str = "",
    slug: str = "",
    copy_from: Project | None = None,
    parts: Collection[str] = (),
) -> tuple[Project, Copied]:
    """The new project, its creator its owner, and what was copied into it."""
    project = Project.objects.create(
        name=name, slug=slug or unique_slug(name), description=description
    )
    Membership.objects.create(project=project, user=owner, role=Role.OWNER)
    copied = copy_setup(copy_from, project, parts) if copy_from else Copied()
    return project, copied


def copy_setup(source: Project, target: Project, parts: Collection[str]) -> Copied:
    """Copy the chosen ``parts`` of ``source``'s set-up into ``target`` (which has none)."""
    copied = Copied()
    if "codebook" in parts:
        copied.tags = _copy_tree(
            Tag, source, target, ["name", "description", "color", "shortcut", "position", "guid"]
        )
    if "actors" in parts:
        actors = [
            Actor(
                project=target,
                name=actor.name,
                kind=actor.kind,
                aliases=actor.aliases,
                description=actor.description,
            )
            for actor in Actor.objects.filter(project=source)
        ]
        copied.actors = len(Actor.objects.bulk_create(actors))
    if "claims" in parts:
        copied.claims = _copy_tree(Claim, source, target, ["text", "description"])
    return copied


def _copy_tree(
    model: type[Tag] | type[Claim], source: Project, target: Project, fields: list[str]
) -> int:
    """Copy a project's tags or claims with their hierarchy: every node first, then each
    copy's parent set to the copy of the original's parent."""
    manager: Any = model._default_manager
    originals = list(manager.filter(project=source))
    copies = {
        original.pk: model(project=target, **{f: getattr(original, f) for f in fields})
        for original in originals
    }
    manager.bulk_create(copies.values())
    with_parent = []
    for original in originals:
        if original.parent_id is not None:
            copy = copies[original.pk]
            copy.parent = copies[original.parent_id]
            with_parent.append(copy)
    manager.bulk_update(with_parent, ["parent"])
    return len(copies)
