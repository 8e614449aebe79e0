"""The codes of a REFI-QDA project file (``export_qdpx.py``), and how its elements and
GUIDs are written.

Besides the tags, a project file carries three branches of codes that are not tags, so
that what a passage says survives in tools that only know codes: *Claims* (the claims,
nested), *Actors* › *Speakers* and *Targets* (one code per actor in each), and *Stance*
› *Voice* and *Position*."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.annotations.codebook_files import tag_code, write_codes, xml_text
from apps.annotations.models import (
    Actor,
    ActorKind,
    AnchorStatus,
    Annotation,
    Claim,
    Position,
    Tag,
    Voice,
)
from apps.projects.models import Project

if TYPE_CHECKING:
    from lxml.etree import _Element

ORIGIN = "Narrative workbench"  # a project file's origin: this app wrote it

# GUIDs of everything but tags (which keep their own) are made from this and the row's
# kind and id: the same object has the same GUID in every export of this installation.
_GUIDS = uuid.UUID("5a7c1f0e-8a4d-4f7e-9b1a-6a1d2e0c9b43")
_SEED = hashlib.sha1(_GUIDS.bytes)
# The name of the note holding a passage's speaker, target, claim and stance as lines.
ATTRIBUTES_NOTE = "Speaker, target, claim, stance"
# The note of a passage whose place needs review starts its last line with this.
NEEDS_REVIEW = "Needs review, as coded"
# An actor code's description: the actor's own, then these lines.
_KIND, _ALIASES = "Kind: ", "Also called: "


def guid(kind: str, pk: object) -> str:
    """The GUID of the ``kind`` of thing with id ``pk`` (a user, an article…): the
    version-5 UUID of ``kind:pk`` in this app's namespace, written without building a
    ``uuid.UUID`` (a million of them were a third of a large export)."""
    digest = _SEED.copy()
    digest.update(f"{kind}:{pk}".encode())
    octets = bytearray(digest.digest()[:16])
    octets[6] = (octets[6] & 0x0F) | 0x50  # version 5
    octets[8] = (octets[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = octets.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def short_quote(quote: str, limit: int = 80) -> str:
    """A passage's words as a project file names it (cut to ``limit`` characters); the
    import checks a file of this app's against it before placing the passage."""
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


@dataclass
class Codes:
    """The GUIDs of the codes a passage can carry besides its tags."""

    tags: dict[int, str]
    claims: dict[int, Claim]
    actors: dict[int, Actor]
    guids: dict[tuple[str, object], str] = field(default_factory=dict)

    @staticmethod
    def of(project: Project) -> Codes:
        return Codes(
            tags={
                pk: str(g)
                for pk, g in Tag.objects.filter(project=project).values_list("pk", "guid")
            },
            claims={c.pk: c for c in Claim.objects.filter(project=project)},
            actors={a.pk: a for a in Actor.objects.filter(project=project)},
        )

    def of_annotation(self, annotation: Annotation, tag_ids: Iterable[int]) -> list[str]:
        found = [self.tags[pk] for pk in tag_ids if pk in self.tags]
        for kind, value in (
            ("claim", annotation.claim_id),
            ("speaker", annotation.speaker_id),
            ("target", annotation.target_id),
            ("voice", annotation.voice),
            ("position", annotation.position),
        ):
            if value:
                found.append(self.guid_of(kind, value))
        return found

    def guid_of(self, kind: str, value: object) -> str:
        """``guid(kind, value)``, remembered: the same few users, claims and actors
        recur on every passage."""
        found = self.guids.get((kind, value))
        if found is None:
            found = self.guids[kind, value] = guid(kind, value)
        return found

    def attributes(self, annotation: Annotation) -> str:
        """The passage's speaker, target, claim and stance as lines of a note."""
        lines = []
        if annotation.speaker_id:
            lines.append(f"Speaker: {self.actors[annotation.speaker_id].name}")
        if annotation.target_id:
            lines.append(f"Target: {self.actors[annotation.target_id].name}")
        if annotation.claim_id:
            lines.append(f"Claim: {self.claims[annotation.claim_id].text}")
        if annotation.voice:
            lines.append(f"Voice: {Voice(annotation.voice).label}")
        if annotation.position:
            lines.append(f"Position: {Position(annotation.position).label}")
        if annotation.anchor_status == AnchorStatus.NEEDS_REVIEW:
            # After a revision the passage was found only by likeness: the analyst's
            # own words go with it, last (they may run over several lines).
            lines.append(f"{NEEDS_REVIEW}: {annotation.original_quote}")
        return "\n".join(lines)


def element(etree, parent: _Element | None, tag: str, /, **attributes: str | None) -> _Element:
    """An element of the project file with the given attributes (those given as None
    left out), under ``parent`` if there is one."""
    values = {key: xml_text(value) for key, value in attributes.items() if value is not None}
    if parent is None:
        return etree.Element(tag, values)
    return etree.SubElement(parent, tag, values)


def text_element(etree, parent: _Element, name: str, text: str) -> _Element:
    element = etree.SubElement(parent, name)
    element.text = xml_text(text)
    return element


def codebook(etree, project: Project, codes: Codes) -> _Element:
    book = etree.Element("CodeBook")
    top = etree.SubElement(book, "Codes")
    tags = list(Tag.objects.filter(project=project).order_by("position", "name"))
    write_codes(top, tags, tag_code, lambda tag: tag.description)
    claims = _branch(etree, top, "claims", "Claims", "The claims passages carry.")
    write_codes(
        claims,
        sorted(codes.claims.values(), key=lambda c: (c.text.casefold(), c.pk)),
        lambda claim: dict(
            guid=guid("claim", claim.pk),
            name=claim.text,
            isCodable="false" if claim.archived else "true",
        ),
        lambda claim: claim.description,
    )
    actors = _branch(etree, top, "actors", "Actors", "Who speaks and who is blamed.")
    listed = sorted(codes.actors.values(), key=lambda a: (a.name.casefold(), a.pk))
    for role, label, rule in (
        ("speaker", "Speakers", "The actor whose words or view the passage gives."),
        ("target", "Targets", "The actor the passage blames or holds responsible."),
    ):
        branch = _branch(etree, actors, f"actors-{role}", label, rule)
        for actor in listed:
            code = element(
                etree,
                branch,
                "Code",
                guid=guid(role, actor.pk),
                name=actor.name,
                isCodable="false" if actor.archived else "true",
            )
            text_element(etree, code, "Description", actor_description(actor))
    stance = _branch(
        etree, top, "stance", "Stance", "The outlet's voice, and the position toward the claim."
    )
    for kind, label, choices in (("voice", "Voice", Voice), ("position", "Position", Position)):
        branch = _branch(etree, stance, f"stance-{kind}", label, "")
        for value, name in choices.choices:
            element(etree, branch, "Code", guid=guid(kind, value), name=str(name), isCodable="true")
    return book


def actor_description(actor: Actor) -> str:
    """An actor's code description: the actor's own, then its kind and other names."""
    lines = [actor.description] if actor.description else []
    lines.append(_KIND + ActorKind(actor.kind).label)
    if aliases := actor.alias_list:
        lines.append(_ALIASES + "; ".join(aliases))
    return "\n".join(lines)


def read_actor_description(text: str) -> tuple[str, str, str]:
    """(description, kind, aliases one per line) from an actor code's description as
    ``actor_description`` writes it; another tool's text is all description."""
    lines = text.strip().split("\n")
    kind, aliases = ActorKind.OTHER.value, ""
    kinds = {label: value for value, label in ActorKind.choices}
    if lines and lines[-1].startswith(_ALIASES):
        aliases = "\n".join(a.strip() for a in lines.pop()[len(_ALIASES) :].split(";"))
    if lines and lines[-1].startswith(_KIND) and lines[-1][len(_KIND) :] in kinds:
        kind = kinds[lines.pop()[len(_KIND) :]]
    elif aliases:  # not written by this app after all
        return text.strip(), ActorKind.OTHER.value, ""
    return "\n".join(lines).strip(), kind, aliases


def _branch(etree, parent: _Element, key: str, name: str, rule: str) -> _Element:
    code = element(etree, parent, "Code", guid=guid("branch", key), name=name, isCodable="false")
    if rule:
        text_element(etree, code, "Description", rule)
    return code
