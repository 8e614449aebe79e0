from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.annotations.models import Annotation
from apps.corpus.models import with_annotation_counts
from apps.projects.access import project_view
from apps.projects.models import Membership, Project

ARTICLES_PER_PAGE = 50


@require_safe
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .annotate(article_count=Count("project__articles", distinct=True))
        .order_by("project__name")
    )
    return render(request, "projects/list.html", {"memberships": memberships})


@require_safe
@project_view
def project_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    project: Project = membership.project
    # Through the related manager, each article already knows its project (for URLs).
    page = Paginator(project.articles.listing(), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    stories = project.stories.annotate(article_count=Count("articles")).order_by("name")
    counts = {
        "articles": page.paginator.count,
        "sources": project.articles.values("source_id").distinct().count(),
        "annotations": Annotation.objects.for_project(project).count(),
        "tags": project.tags.count(),
        "actors": project.actors.count(),
        "claims": project.claims.count(),
    }
    return render(
        request,
        "projects/home.html",
        {
            "membership": membership,
            "project": project,
            "articles": with_annotation_counts(page),
            "page": page,
            "stories": stories,
            "counts": counts,
        },
    )
