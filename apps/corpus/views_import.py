"""The project's import (owners): upload files, check and correct the preview, follow the
background job to its report. The same steps as the admin's (``import_flow``)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from apps.corpus.forms import UploadForm
from apps.corpus.import_flow import act_on, batch_context, create_batch, progress_context
from apps.projects.access import project_view, require_manage
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

BATCH = "corpus/import_batch.html"


@require_http_methods(["GET", "POST"])
@project_view
def import_upload(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_manage(membership)
    project = membership.project
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
    else:  # "Start again" from a preview keeps its story
        form = UploadForm(initial={"story": request.GET.get("story", "")})
    if request.method == "POST" and form.is_valid():
        batch = create_batch(project=project, user=request.user, form=form)
        return redirect("corpus:import-batch", project.slug, batch.pk)
    return render(
        request,
        "corpus/import.html",
        {
            "membership": membership,
            "project": project,
            "form": form,
            "batches": project.imports.select_related("created_by").annotate(
                item_count=Count("items")
            )[:10],
        },
        status=422 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@project_view
def import_batch(request: SignedInRequest, membership: Membership, batch_id: int) -> HttpResponse:
    require_manage(membership)
    project = membership.project
    batch = get_object_or_404(project.imports.select_related("project"), pk=batch_id)
    if request.method == "POST":
        act_on(request, batch)
        url = reverse("corpus:import-batch", args=[project.slug, batch.pk])
        number = request.POST.get("page", "")
        return redirect(f"{url}?page={number}" if number.isdigit() else url)
    context: dict[str, object] = {"membership": membership, "project": project}
    if request.htmx:
        # The progress box polls every second: it reads where the job stands, not the
        # batch's items. Once the job is over the whole page shows the preview or report.
        context.update(progress_context(batch))
        if not (context["working"] or context["reading"]):
            return HttpResponseClientRefresh()
    else:
        context.update(batch_context(batch, request.GET.get("page")))
    return render(request, page_or_partial(request, BATCH, "import-progress"), context)
