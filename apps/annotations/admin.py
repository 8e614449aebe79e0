from django.contrib import admin
from django.db.models import Count

from apps.annotations.models import Actor, Annotation, Claim, Tag
from apps.projects.admin_scope import ProjectScopedAdmin


@admin.register(Tag)
class TagAdmin(ProjectScopedAdmin):
    list_display = ["name", "parent", "shortcut", "color", "position", "project", "usage"]
    list_editable = ["position"]
    list_filter = ["project"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["project", "parent"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent", "project")
            .annotate(usage=Count("annotations"))
        )

    @admin.display(ordering="usage", description="Used")
    def usage(self, obj: Tag) -> int:
        return obj.usage  # type: ignore[attr-defined]  # from get_queryset


@admin.register(Actor)
class ActorAdmin(ProjectScopedAdmin):
    list_display = ["name", "kind", "description", "project"]
    list_filter = ["project", "kind"]
    search_fields = ["name", "aliases", "description"]
    autocomplete_fields = ["project"]


@admin.register(Claim)
class ClaimAdmin(ProjectScopedAdmin):
    list_display = ["text", "parent", "project", "usage"]
    list_filter = ["project"]
    search_fields = ["text", "description"]
    autocomplete_fields = ["project", "parent"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent", "project")
            .annotate(usage=Count("annotations"))
        )

    @admin.display(ordering="usage", description="Passages")
    def usage(self, obj: Claim) -> int:
        return obj.usage  # type: ignore[attr-defined]  # from get_queryset


@admin.register(Annotation)
class AnnotationAdmin(ProjectScopedAdmin):
    """Read-only: annotations are the analysts' work and change only through the reader,
    where quotes are verified and concurrent edits are caught."""

    list_display = [
        "__str__",
        "article",
        "annotator",
        "claim",
        "voice",
        "position",
        "anchor_status",
    ]
    list_filter = ["article__project", "anchor_status", "voice", "position", "article__source"]
    search_fields = ["quote", "note", "article__title"]
    list_select_related = ["article", "annotator", "claim"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
