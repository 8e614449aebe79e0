"""Starting a project: any signed-in user may, and becomes its owner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.annotations.forms import NewProjectForm
from apps.annotations.setup import create_project
from apps.projects.htmx import SignedInRequest


@require_http_methods(["GET", "POST"])
@login_required
def project_new(request: SignedInRequest) -> HttpResponse:
    form = NewProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project, copied = create_project(
            name=data["name"],
            description=data["description"],
            owner=request.user,
            copy_from=data["copy_from"],
            parts=data["parts"] if data["copy_from"] else (),
        )
        note = f" Copied from “{data['copy_from']}”: {copied}." if data["copy_from"] else ""
        messages.success(request, f"Project “{project}” created; you are its owner.{note}")
        return redirect(project)
    status = 422 if form.is_bound else 200
    return render(request, "annotations/project_new.html", {"form": form}, status=status)
