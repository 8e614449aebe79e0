"""Importing a REFI-QDA project file (owners): upload, the preview with the choices it
was made with, confirm, follow the job to its report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from apps.analysis.forms import FileImportChoicesForm, ProjectFileForm
from apps.analysis.models import ProjectFileImport
from apps.analysis.qdpx_jobs import (
    STALE_AFTER,
    check_again,
    discard,
    start_check,
    start_import,
)
from apps.projects.access import project_view, require_manage
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

PAGE = "analysis/qdpx_import.html"


@require_http_methods(["GET", "POST"])
@project_view
def qdpx_upload(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_manage(membership)
    project = membership.project
    form = ProjectFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = form.cleaned_data["data"]
        record = start_check(project=project, user=request.user, name=upload.name, data=data)
        return redirect("analysis:qdpx-import", project.slug, record.pk)
    imports = project.file_imports.select_related("created_by").defer("data")[:10]
    context = {"membership": membership, "project": project, "form": form, "imports": imports}
    return render(request, PAGE, context, status=422 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@project_view
def qdpx_import(request: SignedInRequest, membership: Membership, import_id: int) -> HttpResponse:
    require_manage(membership)
    project = membership.project
    record = get_object_or_404(project.file_imports.defer("data"), pk=import_id)
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            if discard(record):
                messages.info(request, f"“{record.name}” discarded: nothing was imported.")
                return redirect("analysis:qdpx-upload", project.slug)
            messages.error(request, "This file is being checked or imported, or was imported.")
            return redirect("analysis:qdpx-import", project.slug, record.pk)
        _confirm(request, record)
        return redirect("analysis:qdpx-import", project.slug, record.pk)
    if request.htmx and not record.working:
        return HttpResponseClientRefresh()  # the job is over: the whole page changes
    initial = {"annotator": record.annotator_id, "outlet": record.outlet}
    form = FileImportChoicesForm(initial=initial, project=project)
    context = {
        "membership": membership,
        "project": project,
        "record": record,
        "form": form,
        "stale": record.working and record.updated_at < timezone.now() - STALE_AFTER,
    }
    return render(request, page_or_partial(request, "analysis/qdpx_file.html", "progress"), context)


def _confirm(request: SignedInRequest, record: ProjectFileImport) -> None:
    """Import with the choices the preview was made with, or preview again with new ones."""
    form = FileImportChoicesForm(request.POST, project=record.project)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return
    annotator, outlet = form.cleaned_data["annotator"], form.cleaned_data["outlet"]
    if record.annotator != annotator or record.outlet != outlet:
        if check_again(record, annotator=annotator, outlet=outlet):
            messages.info(request, "Checking the file again with your choices: nothing imported.")
        else:
            messages.error(request, "This file is not waiting for its import: nothing changed.")
        return
    if start_import(record):
        messages.info(request, "Import started: this page follows it.")
    else:
        messages.error(request, "This file is not ready to import: nothing changed.")
