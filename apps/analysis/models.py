"""The analysis app's own records: an import of a REFI-QDA project file, kept between
its preview and its confirmation (two requests, and a background job for each), and the
candidate passages an analyst rejected for a claim or a tag."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.projects.models import Project


class FileImportState(models.TextChoices):
    CHECKING = "checking", "Checking the file"
    READY = "ready", "Ready to import"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Refused"


class ProjectFileImport(models.Model):
    """A ``.qdpx`` uploaded into a project: the file until it is imported, the choices
    made for it, the preview (the import rolled back) and the report."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="file_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    name = models.CharField(max_length=255)
    data = models.BinaryField(help_text="The file, until it is imported or refused.")
    # The choices the preview was made with, and the import will be.
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Every passage by this member; none: by the file's coders.",
    )
    outlet = models.CharField(max_length=120, default="Unknown outlet")
    state = models.CharField(
        max_length=10, choices=FileImportState.choices, default=FileImportState.CHECKING
    )
    preview = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=FileImportState.values), name="fileimport_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} into {self.project}"

    @property
    def working(self) -> bool:
        return self.state in (FileImportState.CHECKING, FileImportState.IMPORTING)


class RejectedCandidate(models.Model):
    """A passage an analyst said does not carry a claim (or a tag): never offered to
    them again as its candidate (``candidates.py``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(
        "annotations.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(
        "annotations.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey("corpus.Article", on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # The article's text when it was rejected: its offsets say nothing of a later text,
    # so a rejection lapses when the text is revised (the passage is offered again).
    text_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=True) ^ Q(tag__isnull=True),
                name="rejectedcandidate_claim_or_tag",
            ),
            # One of claim and tag is always NULL, and NULLs never clash in a unique
            # constraint: one constraint each, on the rows that have it.
            models.UniqueConstraint(
                fields=["user", "claim", "article", "start", "end"],
                condition=Q(claim__isnull=False),
                name="rejectedcandidate_once_per_claim",
            ),
            models.UniqueConstraint(
                fields=["user", "tag", "article", "start", "end"],
                condition=Q(tag__isnull=False),
                name="rejectedcandidate_once_per_tag",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.start}-{self.end} rejected for {self.claim or self.tag}"
