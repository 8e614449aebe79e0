"""Saved views: a comparison's whole state (its query string) under a name, shared with
the project's members (``projects.models.SavedView``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict

from apps.analysis.compare import SORTS
from apps.analysis.counting import COUNTINGS
from apps.analysis.dimensions import DIMENSIONS, GROUPINGS
from apps.analysis.forms import Selection
from apps.projects.models import Membership, SavedScreen, SavedView

# The layout's parameters (``views_compare._options``), and the values each may take.
LAYOUT: dict[str, dict | None] = {
    "rows": DIMENSIONS,
    "group": GROUPINGS,
    "count": COUNTINGS,
    "sort": SORTS,
}


def clean_state(query: str, membership: Membership) -> str:
    """The saveable part of a screen's query string: the selection and the layout, and
    nothing else (a page number, a stray parameter). A selection with a mistake is
    refused: a saved view must show what its name promises. "Me" as the annotator is
    the one who saves it (a colleague opening the view sees that person's work)."""
    given = QueryDict(query, mutable=True)
    if given.get("annotator") == "me":
        given["annotator"] = membership.user.username
    filters = Selection(given)
    if not filters.is_valid():
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in filters.errors.items())
        raise ValidationError(f"This selection has a mistake ({problems}): fix it first.")
    kept = QueryDict(filters.query_string(), mutable=True)
    for key, allowed in LAYOUT.items():
        value = given.get(key, "")
        if value in (allowed or {}):
            kept[key] = value
    return kept.urlencode()


def save_view(*, membership: Membership, name: str, screen: str, query: str) -> SavedView:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the view a name.")
    if len(name) > SavedView._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError("Give a shorter name (at most 100 characters).")
    if screen not in SavedScreen.values:
        raise ValidationError("Only a comparison or a matrix can be saved.")
    project = membership.project
    if project.saved_views.filter(name=name).exists():
        raise ValidationError(f"A view named “{name}” exists: choose another name.")
    state = clean_state(query, membership)
    if len(state) > SavedView._meta.get_field("query").max_length:  # type: ignore[operator]
        raise ValidationError("This selection is too long to save: narrow it with fewer values.")
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                project=project, name=name, screen=screen, query=state, created_by=membership.user
            )
    except IntegrityError:  # the same name saved a moment ago by someone else
        raise ValidationError(f"A view named “{name}” exists: choose another name.") from None
