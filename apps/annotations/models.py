from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.dispatch import receiver
from django.urls import reverse
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from apps.annotations import trees
from apps.annotations.stances import (  # noqa: F401 (the vocabulary's usual address)
    OUTLET_VOICE,
    SPEAKER_NOT_NAMED,
    Position,
    Stance,
    Voice,
)
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.models import Project

COLOR_RE = r"^#[0-9a-fA-F]{6}$"
_ORPHANED = Q(anchor_status="orphaned")  # indexed: claim candidates look for the few
_GOLD = Q(layer="gold")  # indexed likewise


class Tag(models.Model):
    """A code of the project's codebook. ``description`` is the coding rule."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tags")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="The coding rule: when to apply it.")
    color = models.CharField(
        max_length=7,
        default="#ffe08a",
        validators=[RegexValidator(COLOR_RE, "Use a colour like #ffe08a.")],
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    shortcut = models.CharField(
        max_length=1,
        blank=True,
        validators=[RegexValidator(r"^[1-9]$", "A shortcut is one digit from 1 to 9.")],
        help_text="Digit 1–9 that toggles this tag in the reader.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Codebook order.")
    archived = models.BooleanField(
        default=False,
        help_text="Kept on its annotations, in comparisons, exports and history, but no "
        "longer offered for coding.",
    )
    # The code's identity in REFI-QDA exchange (.qdc, .qdpx): stable across renames, so
    # a codebook imported back finds its tags again.
    guid = models.UUIDField(default=uuid.uuid4, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="tag_unique_name"),
            models.UniqueConstraint(fields=["project", "guid"], name="tag_unique_guid"),
            models.UniqueConstraint(
                fields=["project", "shortcut"],
                condition=~Q(shortcut=""),
                name="tag_unique_shortcut",
            ),
            models.CheckConstraint(condition=Q(color__regex=COLOR_RE), name="tag_color_hex"),
            models.CheckConstraint(
                condition=Q(shortcut="") | Q(shortcut__regex=r"^[1-9]$"),
                name="tag_shortcut_digit",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="tag_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def colour_rules(tags) -> str:
        """CSS custom properties per tag: chip colour and highlight layers 1–3.

        Colours are validated hex values (field validator and database check), so they
        are safe inside a nonce'd ``<style>``."""
        return "".join(
            f".tag-{t.pk}{{--tag:{t.color}}}.c1-t{t.pk}{{--c1:{t.color}}}"
            f".c2-t{t.pk}{{--c2:{t.color}}}.c3-t{t.pk}{{--c3:{t.color}}}"
            for t in tags
        )

    def clean(self) -> None:
        trees.check_parent(
            self,
            another_project="The parent tag belongs to another project.",
            loop="A tag cannot be its own ancestor.",
        )


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    GOVERNMENT = "government", "Government or state body"
    MEDIA = "media", "Media outlet"
    OTHER = "other", "Other"


class ActorQuerySet(models.QuerySet["Actor"]):
    def for_coding(self) -> ActorQuerySet:
        """The actors offered in the annotation form: not archived."""
        return self.filter(archived=False)

    def search(self, query: str) -> ActorQuerySet:
        query = query.strip()
        if not query:
            return self
        return self.filter(Q(name__icontains=query) | Q(aliases__icontains=query))


class Actor(models.Model):
    """A person or organisation who speaks, or is spoken about, in the articles."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="actors")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.PERSON)
    aliases = models.TextField(blank=True, help_text="Other names the texts use, one per line.")
    description = models.CharField(max_length=300, blank=True, help_text="Role or office.")
    archived = models.BooleanField(
        default=False,
        help_text="Kept on its annotations, on its page and in exports, but no longer offered "
        "for coding.",
    )
    history = HistoricalRecords()

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="actor_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class ClaimQuerySet(models.QuerySet["Claim"]):
    def for_coding(self) -> ClaimQuerySet:
        """The claims offered in the annotation form: not archived."""
        return self.filter(archived=False)


class Claim(models.Model):
    """A canonical proposition tracked across outlets, optionally under a narrative."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="claims")
    text = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="narrative",
        help_text="The broader narrative this claim belongs to.",
    )
    archived = models.BooleanField(
        default=False,
        help_text="Kept on its annotations, on its page and in exports, but no longer offered "
        "for coding.",
    )
    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(fields=["project", "text"], name="claim_unique_text"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="claim_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        trees.check_parent(
            self,
            another_project="The narrative belongs to another project.",
            loop="A claim cannot be its own narrative.",
        )


class AnchorStatus(models.TextChoices):
    ANCHORED = "anchored", "Anchored"
    NEEDS_REVIEW = "needs_review", "Needs review"
    ORPHANED = "orphaned", "Orphaned"


class Layer(models.TextChoices):
    """Whose work an annotation is: a coder's, or the adjudicated ("gold") version an
    owner or adjudicator settled from the coders' passages (``apps.coding``). Every
    screen and export counts the coders' layer unless the adjudicated one is chosen."""

    CODER = visibility.CODER_LAYER, "Coders"  # the lower apps' name for it
    GOLD = "gold", "Adjudicated"


class AnnotationQuerySet(models.QuerySet["Annotation"]):
    def for_project(self, project: Project) -> AnnotationQuerySet:
        return self.filter(article__project=project)

    def for_article(self, article: Article) -> AnnotationQuerySet:
        return self.filter(article=article)

    def with_related(self) -> AnnotationQuerySet:
        """Everything a list of annotations shows, in a fixed number of queries."""
        return self.select_related(
            "annotator", "speaker", "target", "claim", "article__source"
        ).prefetch_related("tags")


class AnnotationRecord(models.Model):
    """What an annotation's history record holds beyond its own columns: its tags at
    the time, as [id, name] pairs (a later rename or merge does not rewrite history)."""

    tag_list = models.JSONField(default=list)

    class Meta:
        abstract = True


# Kept by name to write an annotation's record explicitly: a change saves the row and
# then sets its tags, and recording each step would split one change in two.
ANNOTATION_HISTORY = HistoricalRecords(bases=[AnnotationRecord], excluded_fields=["client_token"])


@receiver(pre_create_historical_record)
def _keep_tags(sender, instance, history_instance, **kwargs) -> None:
    if isinstance(instance, Annotation):
        # The writer usually knows the tags already (``record_change``): no query then.
        # A deletion has none left to read (its tag links went first); its record keeps
        # the annotation's columns, and the record before it its tags.
        tags = getattr(instance, "_recorded_tags", None)
        if tags is None:
            tags = [] if history_instance.history_type == "-" else instance.tags.all()
        history_instance.tag_list = [[tag.pk, tag.name] for tag in tags]


class Annotation(models.Model):
    """One highlighted passage of one article by one analyst.

    ``start``/``end`` are code-point offsets into ``article.text``, half-open; ``quote``
    is exactly ``article.text[start:end]`` when anchored (DESIGN §5). Prefix and suffix
    keep the context needed to find the passage again after a revision.
    """

    # How an annotation reaches its project (the admin keeps to the user's projects).
    project_path = "article__project"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="annotations")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    tags: models.ManyToManyField[Tag, AnnotationTag] = models.ManyToManyField(
        Tag, through="AnnotationTag", related_name="annotations"
    )
    speaker = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="spoken"
    )
    target = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="targeted"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="annotations"
    )
    # The stance toward ``claim``, in two parts (``Stance``); each may be left out.
    voice = models.CharField(max_length=10, choices=Voice.choices, blank=True)
    position = models.CharField(max_length=10, choices=Position.choices, blank=True)
    note = models.TextField(blank=True)
    layer = models.CharField(
        max_length=5, choices=Layer.choices, default=Layer.CODER, db_default=Layer.CODER
    )
    anchor_status = models.CharField(
        max_length=16, choices=AnchorStatus.choices, default=AnchorStatus.ANCHORED
    )
    # When re-anchoring could only find a similar passage, the quote the analyst made;
    # ``quote`` then holds the passage found, for them to confirm or re-attach.
    original_quote = models.TextField(blank=True)
    # Optimistic locking: an edit names the version it started from, and a save against
    # a newer version is refused instead of overwriting a colleague's work.
    version = models.PositiveIntegerField(default=1)
    # Set by the form that created it: a form posted twice creates one annotation.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Written by the domain functions (annotating.py) once per change, with the tags as
    # they are after it (``record_change``); deleting writes its own record.
    history = ANNOTATION_HISTORY

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="annotation_span_nonempty"
            ),
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_nonnegative"),
            models.CheckConstraint(
                condition=Q(voice="", position="") | Q(claim__isnull=False),
                name="annotation_stance_needs_claim",
            ),
            models.CheckConstraint(
                condition=Q(voice__in=["", *Voice.values]), name="annotation_voice_valid"
            ),
            models.CheckConstraint(
                condition=Q(position__in=["", *Position.values]),
                name="annotation_position_valid",
            ),
            models.CheckConstraint(
                condition=Q(anchor_status__in=AnchorStatus.values),
                name="annotation_anchor_status_valid",
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="annotation_quote_not_empty"),
            models.CheckConstraint(
                condition=Q(layer__in=Layer.values), name="annotation_layer_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"]),
            models.Index(fields=["claim"]),
            models.Index(fields=["article"], name="annotation_orphaned", condition=_ORPHANED),
            # The few adjudicated passages, found without reading the coders' (claim
            # candidates leave them out of what is "coded").
            models.Index(fields=["article"], name="annotation_gold", condition=_GOLD),
            # Counting a project's coders' passages reads this index, not the wide rows
            # (PostgreSQL: an index-only scan, 8 ms for 40,000 where the rows took 22).
            models.Index(fields=["article", "layer"], name="annotation_article_layer"),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}”"

    def get_absolute_url(self) -> str:
        if self.layer == Layer.GOLD:  # not in the reader: on the article's adjudicated page
            article = self.article
            url = reverse("coding:adjudicated", args=[article.project.slug, article.pk])
            return f"{url}#h{self.pk}"
        return f"{self.article.get_absolute_url()}#h{self.pk}"

    def record_change(
        self, kind: str, *, reason: str = "", tags: Iterable[Tag] | None = None
    ) -> None:
        """Write this annotation's history record as it stands now, tags included:
        ``"+"`` created, ``"~"`` changed (deleting records itself). ``tags``, when the
        caller has them, spares reading them again; ``reason`` says why (it is cut to
        the record's 100 characters)."""
        if reason:
            self.__dict__["_change_reason"] = reason[:100]
        if tags is not None:
            self.__dict__["_recorded_tags"] = sorted(tags, key=lambda t: (t.position, t.name))
        try:
            ANNOTATION_HISTORY.create_historical_record(self, kind)
        finally:  # for this record only
            self.__dict__.pop("_recorded_tags", None)
            self.__dict__.pop("_change_reason", None)


class AnnotationTag(models.Model):
    """An annotation coded with a tag. Tags in use cannot be deleted (PROTECT).

    ``article`` repeats the annotation's article (which never changes): the comparisons
    count tag links per outlet, and joining the narrow link table straight to the
    articles halves that query at scale compared with going through the annotations."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotation", "tag"], name="annotationtag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.annotation_id} × {self.tag_id}"
