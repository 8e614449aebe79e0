"""Creating annotations: the one place that checks offsets, quotes and project rules.

Views, the admin, management commands and tests all call ``create_annotation``, so the
rules of DESIGN §5 hold whichever way an annotation comes in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.annotations.models import (
    Actor,
    AnchorStatus,
    Annotation,
    AnnotationTag,
    Claim,
    Layer,
    Position,
    Tag,
    Voice,
)
from apps.corpus import text as canonical_text
from apps.corpus.models import Article

# Code points of context kept on each side of a quote, to find it again after a revision.
CONTEXT_LENGTH = 32


class StaleText(Exception):
    """The page the user selected on shows an older text than the article has now."""


class EditConflict(Exception):
    """Someone saved the annotation after this editor loaded it."""

    def __init__(self, current: Annotation | None):
        super().__init__("The annotation was changed or deleted by someone else.")
        self.current = current


def squash(value: str) -> str:
    # The browser's idea of the quote may differ from ours only in whitespace
    # (paragraph breaks render as one newline or none): compare without it.
    return "".join(value.split())


def verify_quote(*, text: str, start: int, end: int, quote: str | None) -> str:
    """Return ``text[start:end]`` after checking the span and, if given, the quote."""
    if not (0 <= start < end <= len(text)):
        raise ValidationError(
            "The selection is outside the article's text (%(start)s–%(end)s of %(length)s).",
            code="out_of_range",
            params={"start": start, "end": end, "length": len(text)},
        )
    if canonical_text.splits_a_character(text, start) or canonical_text.splits_a_character(
        text, end
    ):
        raise ValidationError(
            "The selection cuts through a character (an emoji, a flag, or a letter and its "
            "accent): select it whole, or leave it out.",
            code="splits_character",
        )
    actual = text[start:end]
    if quote is not None and squash(actual) != squash(quote):
        raise ValidationError(
            "The selected passage does not match the article's text. Reload the page and "
            "select it again.",
            code="quote_mismatch",
        )
    if not actual.strip():
        raise ValidationError("Select some text, not only spaces.", code="blank")
    return actual


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT_LENGTH) : start], text[end : end + CONTEXT_LENGTH]


def check_same_project(
    article: Article,
    *,
    tags: Iterable[Tag] = (),
    speaker: Actor | None = None,
    target: Actor | None = None,
    claim: Claim | None = None,
) -> None:
    """Refuse codebook entries of another project: they would leak across workspaces."""
    errors: dict[str, str] = {}
    if any(tag.project_id != article.project_id for tag in tags):
        errors["tags"] = "A tag belongs to another project."
    if speaker is not None and speaker.project_id != article.project_id:
        errors["speaker"] = "The speaker belongs to another project."
    if target is not None and target.project_id != article.project_id:
        errors["target"] = "The target belongs to another project."
    if claim is not None and claim.project_id != article.project_id:
        errors["claim"] = "The claim belongs to another project."
    if errors:
        raise ValidationError(errors)


def check_stance(claim: Claim | None, voice: str, position: str) -> None:
    if voice and voice not in Voice.values:
        raise ValidationError({"voice": "Unknown voice."})
    if position and position not in Position.values:
        raise ValidationError({"position": "Unknown position."})
    if (voice or position) and claim is None:
        field = "voice" if voice else "position"
        raise ValidationError({field: "A stance needs a claim to be taken towards."})


def _claim_for(article: Article, claim: Claim | None, new_claim: str) -> Claim | None:
    new_claim = " ".join(new_claim.split())
    if not new_claim:
        return claim
    if claim is not None:
        raise ValidationError({"claim": "Choose a claim or create one, not both."})
    claim, _ = Claim.objects.get_or_create(project=article.project, text=new_claim)
    return claim


def _actor_for(article: Article, actor: Actor | None, new_name: str) -> Actor | None:
    """The actor, or a new one of the project named ``new_name`` (an analyst met a speaker
    who is not in the list); one already called so, in any case, is reused."""
    new_name = " ".join(new_name.split())
    if not new_name:
        return actor
    existing = Actor.objects.filter(project=article.project, name__iexact=new_name).first()
    return existing or Actor.objects.create(project=article.project, name=new_name[:200])


def create_annotation(
    *,
    article: Article,
    annotator: User,
    start: int,
    end: int,
    quote: str | None = None,
    text_hash: str | None = None,
    tags: Iterable[Tag] = (),
    speaker: Actor | None = None,
    target: Actor | None = None,
    claim: Claim | None = None,
    voice: str = "",
    position: str = "",
    note: str = "",
    new_claim: str = "",
    new_speaker: str = "",
    new_target: str = "",
    client_token: uuid.UUID | None = None,
    layer: str = Layer.CODER,
) -> Annotation:
    """Create an annotation of ``article[start:end]``.

    ``quote`` is what the user saw selected; ``text_hash`` the content hash of the page
    they selected on. Either may be omitted by trusted callers (fixtures, commands).
    ``new_claim`` creates (or reuses) a claim of that text in the same transaction, and
    ``new_speaker`` and ``new_target`` an actor of that name. ``layer`` is the coders'
    by default; adjudication (``apps.coding``) makes its passages in the gold layer.
    A second call with the same ``client_token`` returns the first annotation.
    """
    try:
        return _create_annotation(
            article=article,
            annotator=annotator,
            start=start,
            end=end,
            quote=quote,
            text_hash=text_hash,
            tags=tags,
            speaker=speaker,
            target=target,
            claim=claim,
            voice=voice,
            position=position,
            note=note,
            new_claim=new_claim,
            new_speaker=new_speaker,
            new_target=new_target,
            client_token=client_token,
            layer=layer,
        )
    except (IntegrityError, StaleText):
        # The token's unique index refused the insert: the same post again (a double
        # click, a retry, or two racing), and everything it made is rolled back. Not
        # asked before the insert: a used token is rare, and asking cost every save a
        # query. A post again after the text was revised stops earlier, at its stale
        # hash: it too gets the first annotation if it saved this passage.
        if (
            client_token is not None
            and Annotation.objects.filter(client_token=client_token).exists()
        ):
            return _earlier_post(client_token, annotator, article, start, end)
        raise


def _earlier_post(
    client_token: uuid.UUID, annotator: User, article: Article, start: int, end: int
) -> Annotation:
    """The annotation a used token saved, when this post is the same one again. The token
    is the form's: it means "the same post again" only from the same analyst on the same
    article, for the same passage; anything else is refused."""
    existing = Annotation.objects.filter(
        client_token=client_token, annotator=annotator, article=article
    ).first()
    if existing is None:
        raise ValidationError(
            "This form was already used for another annotation. Reload the page.",
            code="token_reused",
        )
    if (existing.start, existing.end) != (start, end):
        # The same form sent again with another passage: saving nothing while
        # answering "saved" would lose the analyst's work without a word.
        raise ValidationError(
            f"This form already saved the passage “{existing.quote[:80]}”. Reload the "
            "page to annotate another one.",
            code="token_replayed",
        )
    return existing


@transaction.atomic
def _create_annotation(
    *,
    article: Article,
    annotator: User,
    start: int,
    end: int,
    quote: str | None,
    text_hash: str | None,
    tags: Iterable[Tag],
    speaker: Actor | None,
    target: Actor | None,
    claim: Claim | None,
    voice: str,
    position: str,
    note: str,
    new_claim: str,
    new_speaker: str,
    new_target: str,
    client_token: uuid.UUID | None,
    layer: str,
) -> Annotation:
    if text_hash is not None and text_hash != article.content_hash:
        raise StaleText("The article's text has changed since this page was loaded.")
    tags = list(tags)
    actual = verify_quote(text=article.text, start=start, end=end, quote=quote)
    check_same_project(article, tags=tags, speaker=speaker, target=target, claim=claim)
    claim = _claim_for(article, claim, new_claim)
    speaker = _actor_for(article, speaker, new_speaker)
    target = _actor_for(article, target, new_target)
    check_stance(claim, voice, position)
    if layer not in Layer.values:
        raise ValidationError("Unknown layer.", code="layer")
    prefix, suffix = context_of(article.text, start, end)
    annotation = Annotation(
        article=article,
        annotator=annotator,
        start=start,
        end=end,
        quote=actual,
        prefix=prefix,
        suffix=suffix,
        speaker=speaker,
        target=target,
        claim=claim,
        voice=voice,
        position=position,
        note=note.strip(),
        client_token=client_token,
        layer=layer,
    )
    annotation._history_user = annotator  # type: ignore[attr-defined]  # also without a request
    with one_record(annotation, "+", tags):
        annotation.save()
        # A new annotation has no links yet: one insert (``tags.set`` would first read
        # the links it has, in two queries).
        AnnotationTag.objects.bulk_create(
            AnnotationTag(annotation=annotation, tag=tag, article_id=annotation.article_id)
            for tag in {tag.pk: tag for tag in tags}.values()
        )
    return annotation


@contextmanager
def one_record(
    annotation: Annotation, kind: str, tags: Iterable[Tag], reason: str = ""
) -> Iterator[None]:
    """One history record for the saves and tag changes made inside, written at the end
    with the annotation as it then is and its ``tags`` (none if they fail)."""
    annotation.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del annotation.skip_history_when_saving  # type: ignore[attr-defined]
    annotation.record_change(kind, reason=reason, tags=tags)


def _save_if_unchanged(annotation: Annotation, version: int, **changes) -> None:
    """Compare-and-set on the version: of two editors who loaded version 3, the first
    save makes it 4 and the second matches no row, and is told so (EditConflict)."""
    updated = Annotation.objects.filter(pk=annotation.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise EditConflict(Annotation.objects.filter(pk=annotation.pk).first())
    annotation.refresh_from_db()


@transaction.atomic
def update_annotation(
    *,
    annotation: Annotation,
    version: int,
    tags: Iterable[Tag],
    speaker: Actor | None,
    target: Actor | None,
    claim: Claim | None,
    voice: str,
    position: str,
    note: str,
    new_claim: str = "",
    new_speaker: str = "",
    new_target: str = "",
) -> Annotation:
    """Change an annotation's coding, if nobody saved it since ``version`` was read.

    The span and quote never change here: a passage is re-selected by deleting and
    creating, so quote verification stays in one place.
    """
    tags = list(tags)
    article = annotation.article
    check_same_project(article, tags=tags, speaker=speaker, target=target, claim=claim)
    claim = _claim_for(article, claim, new_claim)
    speaker = _actor_for(article, speaker, new_speaker)
    target = _actor_for(article, target, new_target)
    check_stance(claim, voice, position)
    with one_record(annotation, "~", tags):
        _save_if_unchanged(
            annotation,
            version,
            speaker=speaker,
            target=target,
            claim=claim,
            voice=voice,
            position=position,
            note=note.strip(),
        )
        annotation.tags.set(tags, through_defaults={"article_id": annotation.article_id})
    return annotation


@transaction.atomic
def delete_annotation(*, annotation: Annotation, version: int | None = None) -> None:
    """Delete an annotation; with ``version``, only if nobody changed it since."""
    rows = Annotation.objects.filter(pk=annotation.pk)
    if version is not None:
        rows = rows.filter(version=version)
    deleted, _ = rows.delete()
    if not deleted:
        raise EditConflict(Annotation.objects.filter(pk=annotation.pk).first())


@transaction.atomic
def reattach_annotation(
    *,
    annotation: Annotation,
    start: int,
    end: int,
    quote: str | None,
    text_hash: str | None,
    version: int,
) -> Annotation:
    """Point an orphaned or doubtful annotation at a passage its analyst selected."""
    article = annotation.article
    if text_hash is not None and text_hash != article.content_hash:
        raise StaleText("The article's text has changed since this page was loaded.")
    actual = verify_quote(text=article.text, start=start, end=end, quote=quote)
    prefix, suffix = context_of(article.text, start, end)
    _save_if_unchanged(
        annotation,
        version,
        start=start,
        end=end,
        quote=actual,
        original_quote="",
        prefix=prefix,
        suffix=suffix,
        anchor_status=AnchorStatus.ANCHORED,
    )
    annotation.record_change("~")
    return annotation


@transaction.atomic
def confirm_anchor(*, annotation: Annotation, version: int) -> Annotation:
    """Accept the passage re-anchoring found for an annotation that needed review."""
    if annotation.anchor_status != AnchorStatus.NEEDS_REVIEW:
        raise ValidationError("Only an annotation that needs review can be confirmed.")
    _save_if_unchanged(annotation, version, original_quote="", anchor_status=AnchorStatus.ANCHORED)
    annotation.record_change("~")
    return annotation
