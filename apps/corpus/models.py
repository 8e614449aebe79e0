from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from apps.corpus import text as canonical_text
from apps.projects import visibility
from apps.projects.models import Membership, Project


class SourceKind(models.TextChoices):
    STATE_AFFILIATED = "state_affiliated", "State-affiliated"
    PUBLIC_BROADCASTER = "public_broadcaster", "Public broadcaster"
    COMMERCIAL = "commercial", "Commercial"
    NONPROFIT = "nonprofit", "Non-profit"
    BLOG_AGGREGATOR = "blog_aggregator", "Blog / aggregator"
    OTHER = "other", "Other"


class SourceQuerySet(models.QuerySet["Source"]):
    def in_project(self, project) -> SourceQuerySet:
        """The outlets with an article in ``project``. Asked per outlet (EXISTS): a
        DISTINCT over the project's articles took five times as long at 10,000."""
        articles = Article.objects.filter(project=project, source=models.OuterRef("pk"))
        return self.filter(models.Exists(articles))


class Source(models.Model):
    """An outlet. Global: the same BBC is compared across every project."""

    name = models.CharField(max_length=120, unique=True)
    domain = models.CharField(
        max_length=200, blank=True, help_text="Homepage domain, e.g. bbc.co.uk"
    )
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. GB"
    )
    kind = models.CharField(max_length=24, choices=SourceKind.choices, default=SourceKind.OTHER)
    description = models.TextField(blank=True)
    boilerplate = models.TextField(
        "boilerplate rules",
        blank=True,
        help_text=(
            "Lines only this outlet prints, removed at import. One rule per line: a regular "
            "expression a whole line must match (case-insensitive); a rule starting with "
            "from: removes the matching line and everything after it."
        ),
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~Q(domain=""), name="source_unique_domain"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def patterns(self) -> list[str]:
        return [line.strip() for line in self.boilerplate.splitlines() if line.strip()]


# The coders' passages through a relation named ``annotations`` (an article's, a tag's):
# adjudicated passages are not counted as anyone's coding. The value is the one
# ``annotations.models.Layer.CODER`` takes (this app sits below that one).
CODERS = Q(annotations__layer=visibility.CODER_LAYER)


class ArticleQuerySet(models.QuerySet["Article"]):
    def listing(self) -> ArticleQuerySet:
        """What article lists show: no text bodies, source joined, in reading order.

        Annotation counts come from ``with_annotation_counts`` on the page shown: counting
        in this query would aggregate every article of the project before paginating."""
        return (
            self.select_related("source")
            .defer("text", "raw")
            .order_by("published", "source__name", "title")
        )

    def count_annotations(self, *, seen_by: Membership | None) -> int:
        """The coders' annotations on these articles that ``seen_by`` may see (blind
        coding), counted by the database (one query): the rows of the join, each an
        annotation, which an index on article and layer counts (unless blind coding asks
        more of them). On a plain query of articles: one with a join or ``distinct`` of
        its own would count something else."""
        return self.filter(CODERS & visibility.condition(seen_by, "annotations__")).count()


def with_annotation_counts(articles, *, seen_by: Membership | None) -> list[Article]:
    """Set ``annotation_count`` on each article of a page, in one query: the coders'
    annotations that ``seen_by`` may see (blind coding)."""
    articles = list(articles)
    seen = CODERS & visibility.condition(seen_by, "annotations__")
    counts = dict(
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .annotate(n=models.Count("annotations", filter=seen))
        .values_list("pk", "n")
    )
    for article in articles:
        article.annotation_count = counts.get(article.pk, 0)
    return articles


class Article(models.Model):
    """One article of a project. Its ``text`` is canonical (DESIGN §5) and never edited in
    place once annotated: annotations index into it by code point."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="articles")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=16, default="en")
    text = models.TextField(help_text="Canonical text; annotations point into it.")
    raw = models.TextField(blank=True, help_text="The original as imported, for provenance.")
    content_hash = models.CharField(max_length=64, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    revision = models.PositiveIntegerField(
        default=1, editable=False, help_text="Number of the current text; earlier ones are kept."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Changes to its metadata and its revision number; the texts themselves are kept as
    # ArticleRevision rows, and an import's new articles by their ImportBatch.
    history = HistoricalRecords(excluded_fields=["text", "raw"])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["published", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "url"], condition=~Q(url=""), name="article_unique_url"
            ),
            models.UniqueConstraint(fields=["project", "content_hash"], name="article_unique_text"),
            models.CheckConstraint(condition=~Q(text=""), name="article_text_not_empty"),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
        ]
        indexes = [models.Index(fields=["project", "published"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "annotations:reader",
            kwargs={"project_slug": self.project.slug, "article_id": self.pk},
        )

    def set_text(self, text: str) -> None:
        """Canonicalise ``text`` and derive the hash and word count from it."""
        self.text = canonical_text.canonicalize(text)
        self.content_hash = canonical_text.content_hash(self.text)
        self.word_count = canonical_text.word_count(self.text)


class ArticleRevision(models.Model):
    """A text an article had before it was revised, and how its annotations moved.

    The current text lives on the article; this keeps every text it replaced, so no
    version is lost and each re-anchoring can be reviewed (DESIGN §5)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64)
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(
        default=dict, blank=True, help_text="Re-anchoring into the next text, by status."
    )

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.article} – text {self.number}"


class ImportState(models.TextChoices):
    READING = "reading", "Reading and cleaning the files"
    PREPARED = "prepared", "Ready to import"
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Stopped before the end"


class ImportBatch(models.Model):
    """One import: what was uploaded, its prepared items (``ImportItem``), and what
    became of them (``ImportOutcome``).

    The preview and the confirmation are two requests; keeping the prepared items in the
    database, not in a process's memory, lets any app server answer the second, and a
    background worker run the import itself (``corpus/jobs.py``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    story_name = models.CharField(max_length=200, blank=True)
    # The outlet chosen for every item at upload, if one was.
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.PREPARED
    )
    error = models.TextField(blank=True, help_text="Why the import stopped, if it did.")
    # Last sign of life of the job: a batch "running" with none for long lost its worker.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ImportState.values), name="importbatch_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Import into {self.project} on {self.created_at:%Y-%m-%d %H:%M}"


class ImportUpload(models.Model):
    """A file uploaded for a batch, kept until a worker has read it into the preview."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(max_length=1000)
    data = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ImportItem(models.Model):
    """One prepared item of a batch, as the preview shows it (``reading.Item`` as JSON).
    A row each, not one list on the batch: a batch of thousands of files is read,
    previewed, corrected and imported a page at a time, in constant memory."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField(help_text="Its place in the batch, from 0.")
    status = models.CharField(max_length=10, blank=True)  # Item.status, to count by
    data = models.JSONField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="importitem_unique_number")
        ]

    def __str__(self) -> str:
        return str(self.data.get("name", self.number))


class ImportOutcome(models.Model):
    """What became of one item of a batch, written in the same transaction as its article:
    a job stopped half-way (the database gone, the worker killed) leaves exactly the items
    it finished, and running it again does the rest."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        REVISED = "revised", "Revised"
        DUPLICATE = "duplicate", "Duplicate"
        REJECTED = "rejected", "Rejected"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="outcomes")
    name = models.CharField(max_length=1000)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "name"], name="importoutcome_unique_name"),
            models.CheckConstraint(
                condition=Q(outcome__in=["created", "revised", "duplicate", "rejected"]),
                name="importoutcome_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.outcome}"


class Story(models.Model):
    """A set of articles about one event: the usual unit of comparison."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="stories")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    articles = models.ManyToManyField(Article, related_name="stories", blank=True)
    # Its name and description; which articles it holds is not recorded (an import adds
    # them one by one, and each would copy the whole list).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="story_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "corpus:story", kwargs={"project_slug": self.project.slug, "story_id": self.pk}
        )
