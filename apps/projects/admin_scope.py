"""The admin, scoped to projects: a site operator's tool, never a way round membership.

Superusers see everything. Any other staff user sees and changes only what belongs to the
projects they own, in lists, change pages, foreign-key and many-to-many choices and
autocompletes (defence in depth: owners run their projects in the app and need no staff
status at all).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from apps.projects.models import Project, Role


def managed_projects(request: HttpRequest) -> QuerySet[Project]:
    """The projects whose content this admin user may see: all for a superuser, else
    those they own."""
    if request.user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(
        memberships__user_id=request.user.pk or 0, memberships__role=Role.OWNER
    )


def _project_path(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its project, for the project-scoped models."""
    if model is Project:
        return "pk"
    for name in getattr(model, "project_path", None), "project":
        if name and any(f.name == name.split("__")[0] for f in model._meta.get_fields()):
            return name
    return None


def _is_relation(model: type[Model], path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if not field.is_relation:
            return False
        model = field.related_model  # type: ignore[assignment]
    return True


def scoped(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """``queryset`` without what belongs to projects the user does not manage."""
    path = _project_path(queryset.model)
    if path is None or request.user.is_superuser:
        return queryset
    return queryset.filter(**{f"{path}__in": managed_projects(request).values("pk")})


def _limited(formfield: Any, request: HttpRequest) -> Any:
    """A choice field whose choices keep to the user's projects."""
    queryset = getattr(formfield, "queryset", None)
    if queryset is not None:
        formfield.queryset = scoped(queryset, request)
    return formfield


class ProjectScopedAdmin(admin.ModelAdmin):
    """A model admin whose rows, choices and autocompletes keep to the user's projects.

    The model says how it reaches its project with ``project_path`` (default
    ``"project"``)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(super().get_queryset(request), request)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not queryset.ordered:  # a count annotation drops the model's order: pages drift
            queryset = queryset.order_by(*(self.ordering or self.model._meta.ordering or ["pk"]))
        return queryset, may_have_duplicates

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A filter by a related object (project, source, story…) offers only the values
        found in the user's rows: the default lists every project by name."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and _is_relation(self.model, name)
            else name
            for name in filters
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _limited(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _limited(super().formfield_for_manytomany(db_field, request, **kwargs), request)


class ProjectScopedInline(admin.TabularInline):
    """An inline under a scoped admin: its choices keep to the user's projects too."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _limited(super().formfield_for_foreignkey(db_field, request, **kwargs), request)
