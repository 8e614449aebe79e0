from django.contrib import admin

from apps.projects.admin_scope import ProjectScopedAdmin, ProjectScopedInline
from apps.projects.models import Membership, Project, Role


class MembershipInline(ProjectScopedInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(ProjectScopedAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A project nobody owns would be a 404 for everyone, its creator included.
        if not change and not form.instance.memberships.filter(role=Role.OWNER).exists():
            Membership.objects.update_or_create(
                project=form.instance, user=request.user, defaults={"role": Role.OWNER}
            )


@admin.register(Membership)
class MembershipAdmin(ProjectScopedAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]
