"""An article's details (owners): its title, outlet, date, byline and web address, as
the import found or guessed them, corrected in the app rather than in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.corpus.forms import ArticleDetailsForm
from apps.projects.access import project_view, require_manage
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership


@require_http_methods(["GET", "POST"])
@project_view
def article_details(request: SignedInRequest, membership: Membership, article_id: int):
    require_manage(membership)
    article = get_object_or_404(membership.project.articles, pk=article_id)
    form = ArticleDetailsForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        form.save()  # its history records who changed what
        messages.success(request, "The article's details are saved.")
        return redirect(article)
    context = {"membership": membership, "project": membership.project, "article": article}
    status = 422 if form.is_bound else 200
    return render(request, "corpus/article_details.html", {**context, "form": form}, status=status)
