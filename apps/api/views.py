"""The read-only API, ``/api/v1/``: a member's projects, their articles, codebook,
actors, claims and annotations, with the screens' access rules (``get_membership``:
a project you are not a member of does not exist, 404) and the exports' filters.

Every endpoint is a GET; none changes anything, so viewers read it all as owners do.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query

from apps.annotations.filters import AnnotationFilter
from apps.api import filters, pages
from apps.api.auth import TokenAuth, TokenThrottle
from apps.api.paging import Page, PageParams, page_of
from apps.api.schemas import (
    ActorOut,
    ArticleDetailOut,
    ArticleOut,
    ClaimOut,
    ProjectOut,
    RevisionOut,
    TagOut,
)
from apps.corpus.models import Article
from apps.projects.access import get_membership
from apps.projects.models import Membership, Project

api = NinjaAPI(
    title="Narrative workbench API",
    version="1",
    description=(
        "Read-only. Authenticate with a personal token (your account's API tokens page) "
        "as `Authorization: Bearer <token>`. See docs/api.md."
    ),
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    urls_namespace="api-v1",
    # The docs page (Swagger UI, served from static files, not a CDN: the CSP allows
    # only this site's scripts) and the schema are for signed-in users, like every page.
    docs_decorator=login_required,
)


def _project(request: HttpRequest, slug: str) -> Project:
    return get_membership(request, slug).project


@api.get("/projects", response=list[ProjectOut], tags=["projects"])
def projects(request: HttpRequest):
    memberships = Membership.objects.filter(user_id=request.user.pk or 0).select_related("project")
    return [_project_out(m) for m in memberships.order_by("project__name")]


@api.get("/projects/{slug}", response=ProjectOut, tags=["projects"])
def project(request: HttpRequest, slug: str):
    return _project_out(get_membership(request, slug))


def _project_out(membership: Membership) -> dict:
    p = membership.project
    return {
        "slug": p.slug,
        "name": p.name,
        "description": p.description,
        "created_at": p.created_at,
        "role": membership.role,
    }


@api.get(
    "/projects/{slug}/articles",
    response=Page[ArticleOut],
    tags=["articles"],
    openapi_extra={"parameters": filters.parameters(AnnotationFilter.ON_ARTICLES)},
)
def articles(request: HttpRequest, slug: str, params: Query[PageParams]):
    """The project's articles (no texts), with the exports' filters on articles."""
    project = _project(request, slug)
    form = filters.on_articles_only(filters.valid(AnnotationFilter(request.GET)))
    rows = form.articles(project).select_related("source").defer("text", "raw")
    found, next_url = page_of(request, rows, params)
    return {"next": next_url, "results": found}


def _article(request: HttpRequest, slug: str, article_id: int) -> Article:
    project = _project(request, slug)
    return get_object_or_404(
        Article.objects.select_related("source"), project=project, pk=article_id
    )


@api.get("/projects/{slug}/articles/{article_id}", response=ArticleDetailOut, tags=["articles"])
def article(request: HttpRequest, slug: str, article_id: int):
    """An article with its canonical text (what annotation offsets count in)."""
    return _article(request, slug, article_id)


@api.get(
    "/projects/{slug}/articles/{article_id}/revisions",
    response=list[RevisionOut],
    tags=["articles"],
)
def revisions(request: HttpRequest, slug: str, article_id: int):
    """The article's former texts, oldest first (the current one is the article's)."""
    return _article(request, slug, article_id).revisions.order_by("number")


@api.get("/projects/{slug}/codebook", response=list[TagOut], tags=["codebook"])
def codebook(request: HttpRequest, slug: str):
    """Every tag, in codebook order; ``parent`` makes the hierarchy."""
    return _project(request, slug).tags.order_by("position", "name")


@api.get("/projects/{slug}/actors", response=list[ActorOut], tags=["codebook"])
def actors(request: HttpRequest, slug: str):
    return _project(request, slug).actors.order_by("name", "pk")


@api.get("/projects/{slug}/claims", response=list[ClaimOut], tags=["codebook"])
def claims(request: HttpRequest, slug: str):
    """Every claim; ``parent`` groups claims under a narrative."""
    return _project(request, slug).claims.order_by("text", "pk")


@api.get(
    "/projects/{slug}/annotations",
    response=pages.AnnotationPage,
    tags=["annotations"],
    openapi_extra={"parameters": filters.parameters()},
)
def annotation_list(
    request: HttpRequest,
    slug: str,
    params: Query[PageParams],
    format: Literal["json", "jsonld"] = "json",
):
    """The annotations of the selection, ordered by id: the rows of the annotation CSV
    of the same query string, or W3C Web Annotations with ``format=jsonld``."""
    project = _project(request, slug)
    records, next_url = pages.page(request, project, params)
    if format == "jsonld":
        body = pages.as_jsonld(records, request=request, project=project, next_url=next_url)
        return _json(request, body, "application/ld+json")
    return _json(request, {"next": next_url, "results": pages.as_json(records)})


def _json(request: HttpRequest, body: dict, content_type: str = "application/json") -> HttpResponse:
    # Built here rather than checked against the schema field by field: the rows are the
    # export's, already of their types, and 500 of them are the API's largest answer.
    return HttpResponse(
        api.renderer.render(request, body, response_status=200), content_type=content_type
    )
