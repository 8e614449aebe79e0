"""Adjudication: settling an article's disagreements between coders, unit by unit
(``units.py``), into the gold layer.

Each decision on a unit makes one gold passage through ``annotating.create_annotation``
(so its span and quote are checked against the article's text, and its history is
recorded like any annotation's), linked by ``GoldSource`` to every coder's passage of
the unit; or, for "no passage here", marks those passages dropped. Undoing removes the
gold passage (or the drop) and nothing else. No function here changes or deletes a
coder's passage or its history.

A decision names its unit by ``Unit.key`` (its passages and their versions): when a
coder changed the unit since the page was read, or someone decided it meanwhile, the
unit is no longer there and the decision is refused (``StaleUnit``). Decisions on an
article are made one at a time: each locks the article's ``Adjudication``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.annotations.annotating import create_annotation, delete_annotation
from apps.annotations.models import Actor, AnchorStatus, Annotation, Claim, Layer, Tag
from apps.coding.models import Adjudication, DroppedPassage, GoldSource
from apps.coding.units import ArticleUnits, Unit, Version, read_units
from apps.corpus.models import Article

# What a decision is: one coder's version, a merge of the versions' values, a version
# written afresh from the codebook, or no passage at all.
KINDS = {"take": "Taken", "merge": "Merged", "write": "Written", "drop": "No passage"}


class StaleUnit(Exception):
    """The unit is not as the page showed it: a coder changed one of its passages since,
    or it was decided meanwhile."""


@dataclass
class Coding:
    """What a merged or written gold passage says."""

    start: int
    end: int
    tags: list[Tag] = field(default_factory=list)
    claim: Claim | None = None
    speaker: Actor | None = None
    target: Actor | None = None
    voice: str = ""
    position: str = ""
    note: str = ""


def article_units(article: Article) -> ArticleUnits:
    return read_units([article.pk])[article.pk]


def _open(article: Article, adjudicator: User) -> Adjudication:
    """The article's adjudication, started if need be, locked for this decision; a
    finished one takes no decision until it is reopened."""
    Adjudication.objects.get_or_create(article=article, defaults={"adjudicator": adjudicator})
    adjudication = Adjudication.objects.select_for_update().get(article=article)
    if adjudication.finished_at is not None:
        raise ValidationError(
            "This article's adjudication is finished: reopen it to change a decision.",
            code="finished",
        )
    return adjudication


def _unit(article: Article, key: str) -> Unit:
    """The unit named ``key``, as it is now, not yet settled."""
    found = article_units(article)
    if len(found.coders) < 2:
        raise ValidationError(
            "Adjudication settles what two coders or more coded differently; this article "
            "has the passages of fewer.",
            code="one_coder",
        )
    unit = found.find(key)
    if unit is None:
        raise StaleUnit(
            "A coder changed these passages since the page was loaded: reload it to see "
            "them as they are."
        )
    if unit.settled:
        raise StaleUnit("This unit was decided meanwhile: reload the page to see how.")
    return unit


def _gold(
    article: Article,
    adjudicator: User,
    unit: Unit,
    coding: Coding,
    text_hash: str | None,
    quote: str | None = None,
) -> Annotation:
    """The gold passage of a decision, linked to every coder's passage of its unit."""
    gold = create_annotation(
        article=article,
        annotator=adjudicator,
        start=coding.start,
        end=coding.end,
        quote=quote,
        text_hash=text_hash,
        tags=coding.tags,
        claim=coding.claim,
        speaker=coding.speaker,
        target=coding.target,
        voice=coding.voice,
        position=coding.position,
        note=coding.note,
        layer=Layer.GOLD,
    )
    GoldSource.objects.bulk_create(
        GoldSource(gold=gold, source_id=v.pk, coder_id=v.coder_id) for v in unit.versions
    )
    return gold


@transaction.atomic
def take_version(
    *, article: Article, key: str, source: int, adjudicator: User, text_hash: str | None = None
) -> Annotation:
    """Settle a unit with one coder's version (``source``, a passage of the unit), as it
    is: span, tags, claim, speaker, target, stance and note."""
    _open(article, adjudicator)
    unit = _unit(article, key)
    version = next((v for v in unit.versions if v.pk == source), None)
    if version is None:
        raise ValidationError("That version is not one of this unit's.", code="not_in_unit")
    _check_anchored([version])
    return _copy(article, adjudicator, unit, version, text_hash, note=version.note)


@transaction.atomic
def decide(
    *,
    article: Article,
    key: str,
    coding: Coding,
    adjudicator: User,
    merge: bool,
    text_hash: str | None = None,
) -> Annotation:
    """Settle a unit with a passage of its spans (a coder's, the union or the
    intersection) and either values its versions gave (``merge``: tags among theirs,
    claim, speaker, target and stance one of theirs) or any of the codebook's."""
    _open(article, adjudicator)
    unit = _unit(article, key)
    if (coding.start, coding.end) not in [span for _, span in unit.spans()]:
        raise ValidationError(
            "That span is not one of this unit's (a coder's, their union or their intersection).",
            code="span_not_in_unit",
        )
    if merge:
        check_merge(unit, coding)
    return _gold(article, adjudicator, unit, coding, text_hash)


def check_merge(unit: Unit, coding: Coding) -> None:
    """A merge takes each value from the versions: refuse any other."""
    errors = {}
    offered = set().union(*(v.tag_ids for v in unit.versions))
    if not {tag.pk for tag in coding.tags} <= offered:
        errors["tags"] = "A merge takes tags the coders gave; write the passage for others."
    for name in ("claim", "speaker", "target"):
        value = getattr(coding, name)
        if (value.pk if value else None) not in unit.values(f"{name}_id"):
            errors[name] = f"A merge takes a {name} one of the coders gave."
    for name in ("voice", "position"):
        if getattr(coding, name) not in unit.values(name):
            errors[name] = f"A merge takes a {name} one of the coders gave."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def drop_unit(*, article: Article, key: str, adjudicator: User) -> None:
    """Settle a unit with no passage: the gold layer has none there."""
    _open(article, adjudicator)
    unit = _unit(article, key)
    DroppedPassage.objects.bulk_create(
        DroppedPassage(source_id=v.pk, article=article, adjudicator=adjudicator)
        for v in unit.versions
    )


@transaction.atomic
def accept_agreed(
    *, article: Article, keys: Iterable[str], adjudicator: User, text_hash: str | None = None
) -> list[Annotation]:
    """Put the units the coders agree on into the gold layer at once (each as its first
    coder's version, which is everyone's but for the note: ``agreed_note``). Units
    decided meanwhile are left as they are; a unit that changed, that is not agreed, or
    with a passage a revision left in doubt, refuses the whole."""
    _open(article, adjudicator)
    found = article_units(article)
    made = []
    for key in keys:
        unit = found.find(key)
        if unit is None:
            raise StaleUnit("A coder changed these passages since the page was loaded.")
        if unit.settled:
            continue
        if not unit.agreed:
            raise ValidationError("The coders do not agree on every one of these units.")
        _check_anchored(unit.versions)
        note = agreed_note(unit) or ""
        made.append(_copy(article, adjudicator, unit, unit.versions[0], text_hash, note=note))
    return made


def agreed_note(unit: Unit) -> str | None:
    """The note of an agreed unit, which its gold passage gets: the coders' own if they
    all wrote the same one (or none); None where they differ, and accepting leaves the
    gold passage's note empty. Notes are not compared, so accepting does not keep one
    coder's over the others' (the page says so; taking a version keeps its note)."""
    notes = {v.note.strip() for v in unit.versions}
    return notes.pop() if len(notes) == 1 else None


def _check_anchored(versions: list[Version]) -> None:
    """A version a revision of the text left in doubt is not copied as if it were not
    (a gold passage has no confirm or re-attach of its own)."""
    doubtful = [v.coder for v in versions if v.anchor_status != AnchorStatus.ANCHORED]
    if doubtful:
        raise ValidationError(
            f"The text was revised and {' and '.join(doubtful)}'s passage here needs review. "
            "Confirm or re-attach the coders' passages in the reader first.",
            code="needs_review",
        )


def _copy(
    article: Article,
    adjudicator: User,
    unit: Unit,
    version: Version,
    text_hash: str | None,
    *,
    note: str,
) -> Annotation:
    """A gold passage saying what ``version`` says as the unit was read, its quote
    checked again against the text (a revision since would have moved it). Nothing is
    taken from the coder's row read again: a save of theirs committed after the unit
    was read would give a passage mixing two of its versions."""
    claim = Claim.objects.filter(pk=version.claim_id).first() if version.claim_id else None
    actors = Actor.objects.in_bulk([pk for pk in (version.speaker_id, version.target_id) if pk])
    speaker = actors.get(version.speaker_id) if version.speaker_id else None
    target = actors.get(version.target_id) if version.target_id else None
    tags = list(Tag.objects.filter(pk__in=version.tag_ids))
    named = [(version.claim_id, claim), (version.speaker_id, speaker), (version.target_id, target)]
    if len(tags) < len(version.tag_ids) or any(pk and value is None for pk, value in named):
        # Merged into another meanwhile (which changes the coder's passage too).
        raise StaleUnit("A coder changed these passages since the page was loaded: reload it.")
    coding = Coding(
        version.start,
        version.end,
        tags,
        claim,
        speaker,
        target,
        version.voice,
        version.position,
        note,
    )
    return _gold(article, adjudicator, unit, coding, text_hash, quote=version.quote)


@transaction.atomic
def undo(*, article: Article, adjudicator: User, gold: int | None = None, key: str = "") -> None:
    """Undo a decision: delete its gold passage (its links go with it), or the drop of
    the unit ``key``. The coders' passages are not touched."""
    _open(article, adjudicator)
    if gold is not None:
        found = Annotation.objects.filter(pk=gold, article=article, layer=Layer.GOLD).first()
        if found is None:
            raise StaleUnit("This decision was undone meanwhile: reload the page.")
        delete_annotation(annotation=found)
        return
    sources = [int(part.partition(".")[0]) for part in key.split("-") if part[:1].isdigit()]
    deleted, _ = DroppedPassage.objects.filter(article=article, source_id__in=sources).delete()
    if not deleted:
        raise StaleUnit("This decision was undone meanwhile: reload the page.")


@transaction.atomic
def finish(*, article: Article, adjudicator: User) -> Adjudication:
    """Mark the article adjudicated: every unit, agreed or not, must be settled (so the
    gold layer holds the whole article, not only its disagreements)."""
    adjudication = _open(article, adjudicator)
    found = article_units(article)
    if len(found.coders) < 2:
        raise ValidationError("This article has the passages of fewer than two coders.")
    left = [u for u in found.units if not u.settled]
    if left:
        agreed = sum(1 for u in left if u.agreed)
        raise ValidationError(
            f"{len(left)} unit{'s' if len(left) != 1 else ''} still to settle"
            + (f" ({agreed} of them agreed: accept them at once)" if agreed else "")
            + ".",
            code="unsettled",
        )
    adjudication.finished_at = timezone.now()
    adjudication.save(update_fields=["finished_at"])
    return adjudication


@transaction.atomic
def reopen(*, article: Article) -> Adjudication:
    """Take a finished adjudication up again: its decisions stay, and can be changed."""
    adjudication = Adjudication.objects.select_for_update().filter(article=article).first()
    if adjudication is None or adjudication.finished_at is None:
        raise ValidationError("This article's adjudication is not finished.", code="open")
    adjudication.finished_at = None
    adjudication.save(update_fields=["finished_at"])
    return adjudication
