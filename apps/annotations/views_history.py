"""The record of changes: an annotation's history (restorable by owners once deleted),
and the project's activity page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from apps.annotations import history
from apps.annotations.forms import ActivityForm
from apps.annotations.models import Annotation
from apps.projects.access import project_view, require_manage
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership


@require_http_methods(["GET", "POST"])
@project_view
def annotation_history(
    request: SignedInRequest, membership: Membership, annotation_id: int
) -> HttpResponse:
    project = membership.project
    if request.method == "POST":  # restore the deleted annotation
        require_manage(membership)
        try:
            restored = history.restore_annotation(project, annotation_id, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("annotations:history", project.slug, annotation_id)
        messages.success(
            request, f"Annotation restored ({restored.get_anchor_status_display().lower()})."
        )
        return redirect(restored)
    entries = history.annotation_history(project, annotation_id, seen_by=membership)
    if not entries:
        raise Http404("No such annotation.")
    current = Annotation.objects.filter(pk=annotation_id).select_related("article").first()
    context = {
        "membership": membership,
        "project": project,
        "entries": entries,
        "annotation": current,
        "deleted": current is None,
    }
    if current is not None:  # in the reader, under the annotation
        name = page_or_partial(request, "annotations/history.html", "inline")
        return render(request, name, context)
    return render(request, "annotations/history.html", context)


@require_safe
@project_view
def activity(request: SignedInRequest, membership: Membership) -> HttpResponse:
    project = membership.project
    subjects = {key: label for key, (_, label, _, _) in history.SUBJECTS.items()}
    form = ActivityForm(request.GET or None, project=project, subjects=subjects)
    chosen = history.ActivityFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = history.ActivityFilter(
            subject=data["what"],
            user=data["who"],
            since=data["since"],
            until=data["until"],
            before=data["before"],
        )
    entries = history.activity(project, chosen, seen_by=membership, limit=history.PAGE)
    older = request.GET.copy()
    if len(entries) == history.PAGE:
        older["before"] = entries[-1].when.isoformat()
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "entries": entries,
        "older": older.urlencode() if len(entries) == history.PAGE else "",
    }
    return render(
        request, page_or_partial(request, "annotations/activity.html", "results"), context
    )
