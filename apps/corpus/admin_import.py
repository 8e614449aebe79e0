"""The admin's "Import articles": upload, preview, confirm, report."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.models import User
from apps.corpus.forms import AdminImportForm
from apps.corpus.import_flow import act_on, batch_context, create_batch
from apps.corpus.models import ImportBatch
from apps.projects.admin_scope import managed_projects


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("corpus.add_article"):
        raise PermissionDenied


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    _allowed(request)
    # "Start again" from a preview keeps its project and story.
    initial = {"project": request.GET.get("project"), "story": request.GET.get("story", "")}
    form = AdminImportForm(request.POST or None, request.FILES or None, initial=initial)
    form.fields["project"].queryset = managed_projects(request)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        project = form.cleaned_data["project"]
        batch = create_batch(project=project, user=_user(request), form=form)
        return redirect("admin:corpus_article_import_batch", batch.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import articles",
        "form": form,
    }
    return render(request, "admin/corpus/article/import.html", context)


@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, model_admin: admin.ModelAdmin, batch_id: int) -> HttpResponse:
    _allowed(request)
    batches = ImportBatch.objects.filter(project__in=managed_projects(request))
    batch = get_object_or_404(batches.select_related("project"), pk=batch_id)
    if request.method == "POST":
        act_on(request, batch)
        url = reverse("admin:corpus_article_import_batch", args=[batch.pk])
        number = request.POST.get("page", "")
        return redirect(f"{url}?page={number}" if number.isdigit() else url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **batch_context(batch, request.GET.get("page")),
        "articles_url": reverse("admin:corpus_article_changelist"),
    }
    return render(request, "admin/corpus/article/import_batch.html", context)
