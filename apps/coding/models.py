"""Team coding: who codes which article (``Assignment``, with its "done" mark that
blind coding waits for) and how disagreements are settled (``Adjudication``, the
coders' passages each adjudicated one came from, ``GoldSource``, and those settled as
"no passage here", ``DroppedPassage``; the rules in ``units.py`` and
``adjudicating.py``).

Adjudicated passages are ordinary annotations in the gold layer
(``annotations.models.Layer``): the comparisons and exports count them the same way
when that layer is chosen, and the coders' own passages are never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.annotations.models import Annotation
from apps.corpus.models import Article


class Assignment(models.Model):
    """An article given to a coder. ``done_at`` is the coder's explicit "done" (an
    owner may undo it); without it the article is to do, or in progress once the
    coder has a passage on it."""

    project_path = "article__project"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "coder"]
        constraints = [
            models.UniqueConstraint(fields=["article", "coder"], name="assignment_unique")
        ]
        indexes = [models.Index(fields=["coder", "done_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.coder_id}"


class Adjudication(models.Model):
    """An article whose coders' disagreements are being, or have been, settled."""

    project_path = "article__project"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="adjudication")
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"adjudication of {self.article_id}"


class GoldSource(models.Model):
    """A coder's passage that an adjudicated one was taken or merged from. The coder's
    passage may later be edited or deleted by its coder; the gold one stands."""

    gold = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="gold_sources")
    source = models.ForeignKey(
        Annotation, on_delete=models.SET_NULL, null=True, related_name="adjudicated_into"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gold", "source"], name="goldsource_unique")]

    def __str__(self) -> str:
        return f"{self.gold_id} ← {self.source_id}"


class DroppedPassage(models.Model):
    """A coder's passage that adjudication left out of the gold layer: its unit was
    settled as "no passage here". The coder's passage itself stays as it is."""

    source = models.OneToOneField(
        Annotation, on_delete=models.CASCADE, related_name="dropped_in_adjudication"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.source_id} dropped"
