"""The admin's "Import articles": upload, preview, confirm, report."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.models import User
from apps.corpus.jobs import (
    batch_items,
    can_start,
    outcome_report,
    progress_of,
    start_import,
    start_reading,
)
from apps.corpus.models import ImportBatch, ImportState, Source
from apps.corpus.preview import EDITABLE, correct_items
from apps.projects.models import Project


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class ImportForm(forms.Form):
    project = forms.ModelChoiceField(Project.objects.all())
    source = forms.ModelChoiceField(
        Source.objects.all(),
        required=False,
        help_text=(
            "Leave empty to find each article's outlet from its URL or the site name it "
            "states; an outlet no source knows yet becomes a new source."
        ),
    )
    story = forms.CharField(
        required=False,
        max_length=200,
        help_text="Add the articles to this story of the project (created if new).",
    )
    # Named as the upload's field; it shadows ``Form.files`` only on the class.
    files = MultipleFileField(  # type: ignore[assignment]
        help_text=(
            "One or many: .txt, .md, .html (a saved page, front matter read), .xml (article "
            "files, RSS or Atom feeds), .docx, .pdf (with a text layer), a .zip of these, or "
            "a .csv / .jsonl of articles (columns such as title, url, source, date, author, "
            "text or html)."
        )
    )


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
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        batch = ImportBatch.objects.create(
            project=form.cleaned_data["project"],
            created_by=_user(request),
            story_name=form.cleaned_data["story"].strip(),
            source=form.cleaned_data["source"],
            state=ImportState.READING,
        )
        start_reading(batch, [(f.name, f.read()) for f in form.cleaned_data["files"]])
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
    batch = get_object_or_404(ImportBatch.objects.select_related("project"), pk=batch_id)
    if request.method == "POST" and request.POST.get("action") == "correct":
        _correct(request, batch)
        number = request.POST.get("page", "")
        url = reverse("admin:corpus_article_import_batch", args=[batch.pk])
        return redirect(f"{url}?page={number}" if number.isdigit() else url)
    if request.method == "POST":
        if can_start(batch):
            start_import(batch)
            batch.refresh_from_db()
            if batch.state == ImportState.DONE:  # a worker was quick (or runs in-process)
                report = outcome_report(batch)
                level = messages.WARNING if report.rejected else messages.SUCCESS
                messages.add_message(request, level, f"Import finished: {report}.")
            else:
                messages.info(request, "Import started: this page follows its progress.")
        return redirect("admin:corpus_article_import_batch", batch.pk)
    items = batch_items(batch)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    # A page of items at a time: a batch of thousands would be a page of megabytes, and
    # a form of more fields than Django accepts in one request.
    page = Paginator(list(enumerate(items)), PREVIEW_PAGE).get_page(request.GET.get("page"))
    titles = {
        ImportState.READING: "Import articles: reading the files",
        ImportState.PREPARED: "Import articles: preview",
        ImportState.DONE: "Import report",
    }
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": titles.get(ImportState(batch.state), "Import articles: progress"),
        "batch": batch,
        "page": page,
        "editable": batch.state == ImportState.PREPARED,
        "known_sources": Source.objects.order_by("name").values_list("name", flat=True),
        "counts": counts,
        "progress": progress_of(batch),
        "can_start": can_start(batch),
        "working": batch.state in (ImportState.QUEUED, ImportState.RUNNING),
        "reading": batch.state == ImportState.READING,
        "to_save": counts.get("new", 0) + counts.get("revision", 0),
        "articles_url": reverse("admin:corpus_article_changelist"),
    }
    return render(request, "admin/corpus/article/import_batch.html", context)


PREVIEW_PAGE = 50


def _correct(request: HttpRequest, batch: ImportBatch) -> None:
    """The preview's corrections: per item, and for the selected items at once."""
    if batch.state != ImportState.PREPARED:
        messages.error(request, "This batch is being imported or was imported: nothing changed.")
        return
    items = batch_items(batch)
    changes: dict[int, dict[str, str]] = {}
    for index in range(len(items)):
        fields = {
            f: request.POST[f"{f}-{index}"] for f in EDITABLE if f"{f}-{index}" in request.POST
        }
        if fields:
            changes[index] = fields
    bulk = {f: request.POST.get(f"bulk-{f}", "").strip() for f in EDITABLE}
    for raw in request.POST.getlist("selected"):
        if raw.isdigit():
            changes.setdefault(int(raw), {}).update({f: v for f, v in bulk.items() if v})
    problems = correct_items(project=batch.project, items=items, changes=changes)
    batch.items = [asdict(item) for item in items]
    batch.save(update_fields=["items", "updated_at"])
    for problem in problems:
        messages.error(request, problem)
    if not problems:
        messages.success(request, "Corrections saved: check the preview, then import.")
