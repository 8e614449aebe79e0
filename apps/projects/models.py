from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from apps.accounts.models import User


class Project(models.Model):
    """A workspace for one investigation: its articles, codebook, actors, claims, members."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Blind coding: an analyst sees only their own passages on an article until they
    # mark it done (``apps.coding``); owners and viewers see everything.
    blind_coding = models.BooleanField(default=False, db_default=False)
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    # Who switched blind coding on or off, and when (the project's activity shows it).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("corpus:home", kwargs={"project_slug": self.slug})


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ANALYST = "analyst", "Analyst"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role in one project. Everything of a project is visible to members only."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    # An analyst the owners trust to settle disagreements (owners always may).
    adjudicator = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.project}"

    @property
    def can_annotate(self) -> bool:
        return self.role in (Role.OWNER, Role.ANALYST)

    @property
    def can_manage(self) -> bool:
        """Owners set the project up: import for now; members and codebook to come."""
        return self.role == Role.OWNER

    @property
    def can_adjudicate(self) -> bool:
        """Settles the coders' disagreements: owners, and the analysts they designate."""
        return self.role == Role.OWNER or (self.role == Role.ANALYST and self.adjudicator)

    @property
    def sees_adjudication(self) -> bool:
        """Reads the adjudication pages: those who adjudicate, and viewers, who read
        everything. An analyst who codes would see the other coders' versions there."""
        return self.can_adjudicate or self.role == Role.VIEWER


class SavedScreen(models.TextChoices):
    """The screens whose state can be saved as a view (their URL names in ``analysis``)."""

    COMPARE = "compare", "Story comparison"
    MATRIX = "matrix", "Matrix"


class SavedView(models.Model):
    """A screen of a project with its whole state (the query string of its URL), named
    and shared with the project's members."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    screen = models.CharField(max_length=10, choices=SavedScreen.choices)
    query = models.CharField(max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="saved_view_unique_name"),
            models.CheckConstraint(
                condition=models.Q(screen__in=SavedScreen.values), name="saved_view_screen_valid"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="saved_view_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse(f"analysis:{self.screen}", kwargs={"project_slug": self.project.slug})
        return f"{url}?{self.query}" if self.query else url

    def can_delete(self, membership: Membership) -> bool:
        """Its author (while still coding in the project) and the project's owners may
        delete it; a viewer writes nothing."""
        if membership.can_manage:
            return True
        return membership.can_annotate and self.created_by_id == membership.user_id
