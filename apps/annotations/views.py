from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from apps.annotations.annotating import (
    EditConflict,
    StaleText,
    create_annotation,
    delete_annotation,
    update_annotation,
)
from apps.annotations.forms import CreateAnnotationForm, EditAnnotationForm, ReaderFilterForm
from apps.annotations.models import Actor, Annotation, Claim, Tag
from apps.annotations.reader import SidebarRenderer, load_rows
from apps.annotations.segments import render_text
from apps.corpus.models import Article
from apps.projects.access import project_view, require_annotate
from apps.projects.models import Membership

READER = "annotations/reader.html"


def _template(request: HttpRequest, name: str, partial: str) -> str:
    # A boosted htmx request navigates: it gets the whole page (NetBox's rule).
    if request.htmx and not request.htmx.boosted:
        return f"{name}#{partial}"
    return name


def _article(membership: Membership, article_id: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("source"), pk=article_id, project=membership.project
    )


def _own_annotation(request: HttpRequest, membership: Membership, annotation_id: int):
    annotation = get_object_or_404(
        Annotation.objects.with_related(),
        pk=annotation_id,
        article__project=membership.project,
    )
    require_annotate(membership)
    if annotation.annotator_id != request.user.pk:
        raise PermissionDenied(
            f"Only {annotation.annotator.display_name}, who made this annotation, can "
            "change or delete it."
        )
    return annotation


def _neighbours(membership: Membership, article: Article, story_id: str | None):
    """The article's story (chosen or first) and the previous and next article in it."""
    stories = list(article.stories.select_related("project"))
    story = next((s for s in stories if str(s.pk) == story_id), stories[0] if stories else None)
    siblings = (story.articles if story else membership.project.articles).order_by(
        "published", "title", "pk"
    )
    order = list(siblings.values_list("pk", "title"))
    index = next(i for i, (pk, _) in enumerate(order) if pk == article.pk) if story or order else 0
    previous = order[index - 1] if index > 0 else None
    following = order[index + 1] if index + 1 < len(order) else None
    return stories, story, previous, following


def _with_default_shortcuts(tags: list[Tag]) -> list[Tag]:
    """A codebook without shortcuts still gets keys 1–9, on its first nine tags.

    Only for display in this response: nothing is saved."""
    if not any(tag.shortcut for tag in tags):
        for number, tag in enumerate(tags[:9], start=1):
            tag.shortcut = str(number)
    return tags


def _reader_context(
    request: HttpRequest,
    membership: Membership,
    article: Article,
    *,
    form: CreateAnnotationForm | None = None,
) -> dict:
    project = membership.project
    tags = _with_default_shortcuts(list(project.tags.all()))
    rows = load_rows(article, tags)
    filters = ReaderFilterForm(request.GET)
    shown = filters.filter(rows, request.user)
    stories, story, previous, following = _neighbours(membership, article, request.GET.get("story"))
    text_html = render_text(
        article.text,
        [row for row in shown if row.is_anchored],
        describe={row.pk: row.describe() for row in shown},
        colour_class={row.pk: f"t{row.tags[0].pk}" for row in shown if row.tags},
    )
    sidebar = SidebarRenderer(
        project_slug=project.slug, user_id=request.user.pk, can_annotate=membership.can_annotate
    )
    if form is None and membership.can_annotate:
        form = CreateAnnotationForm(
            project=project, tags=tags, initial={"text_hash": article.content_hash}
        )
    annotators = {row.annotator_username: row.annotator_name for row in rows}
    return {
        "membership": membership,
        "project": project,
        "article": article,
        "stories": stories,
        "story": story,
        "previous": previous,
        "following": following,
        "text_html": text_html,
        "annotations": shown,
        "items": sidebar.items(shown),
        "total": len(rows),
        "tags": tags,
        "tag_styles": Tag.colour_rules(tags),
        "actors": project.actors.all(),
        "claims": project.claims.all(),
        "annotators": sorted(annotators.items(), key=lambda item: item[1]),
        "filters": filters,
        "form": form,
    }


@require_safe
@project_view
def reader(request: HttpRequest, membership: Membership, article_id: int) -> HttpResponse:
    article = _article(membership, article_id)
    context = _reader_context(request, membership, article)
    return render(request, _template(request, READER, "reader-body"), context)


def _reader_body_response(
    request: HttpRequest, membership: Membership, article: Article, *, fresh_form: bool
) -> HttpResponse:
    """After a write: the reader body, plus a fresh create form swapped out of band."""
    context = _reader_context(request, membership, article)
    html = render_to_string(f"{READER}#reader-body", context, request=request)
    if fresh_form and context["form"] is not None:
        # A fresh form (new token) and the claim list, which may have a new claim.
        for partial in ("annotation-form", "claim-list"):
            html += render_to_string(f"{READER}#{partial}", {**context, "oob": True}, request=request)
    return retarget(reswap(HttpResponse(html), "outerHTML"), "#reader-body")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_POST
@project_view
def annotation_create(request: HttpRequest, membership: Membership, article_id: int):
    require_annotate(membership)
    article = _article(membership, article_id)
    form = CreateAnnotationForm(request.POST, project=membership.project)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            annotation = create_annotation(
                article=article,
                annotator=request.user,
                start=data["start"],
                end=data["end"],
                quote=data["quote"],
                text_hash=data["text_hash"],
                client_token=data["client_token"],
                **form.coding(),
            )
        except StaleText:
            status = 409
            form.add_error(
                None,
                "The article's text has changed since this page was loaded. Reload the "
                "page and select the passage again.",
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return _reader_body_response(request, membership, article, fresh_form=True)
            return redirect(f"{article.get_absolute_url()}#h{annotation.pk}")
    if request.htmx:
        context = {"form": form, "article": article, "project": membership.project}
        context["tags"] = list(membership.project.tags.all())
        response = render(request, f"{READER}#annotation-form", context, status=status)
        return retarget(reswap(response, "outerHTML"), "#annotation-form")
    context = _reader_context(request, membership, article, form=form)
    return render(request, READER, context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def annotation_edit(request: HttpRequest, membership: Membership, annotation_id: int):
    annotation = _own_annotation(request, membership, annotation_id)
    article = annotation.article
    tags = list(membership.project.tags.all())
    status = 200
    if request.method == "GET":
        form = EditAnnotationForm(
            project=membership.project,
            tags=tags,
            initial=EditAnnotationForm.initial_for(annotation),
        )
    else:
        form = EditAnnotationForm(request.POST, project=membership.project, tags=tags)
        status = 422
        if form.is_valid():
            try:
                update_annotation(
                    annotation=annotation, version=form.cleaned_data["version"], **form.coding()
                )
            except EditConflict as conflict:
                status = 409
                form = _conflicted(form, conflict, membership, tags)
                if conflict.current is None:
                    return _gone(request, article)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if request.htmx:
                    return _reader_body_response(request, membership, article, fresh_form=False)
                messages.success(request, "Annotation saved.")
                return redirect(f"{article.get_absolute_url()}#h{annotation.pk}")
    context = {
        "membership": membership,
        "project": membership.project,
        "article": article,
        "a": annotation,
        "edit_form": form,
        "tags": tags,
        "tag_styles": Tag.colour_rules(tags),
        "actors": membership.project.actors.all(),
        "claims": membership.project.claims.all(),
    }
    if request.htmx:
        response = render(request, f"{READER}#annotation-edit", context, status=status)
        return retarget(reswap(response, "outerHTML"), f"#a{annotation.pk}")
    return render(request, "annotations/annotation_edit.html", context, status=status)


def _conflicted(form, conflict: EditConflict, membership, tags) -> EditAnnotationForm:
    """Keep what the editor typed, but on top of the version now saved, and say so."""
    if conflict.current is None:
        return form
    data = form.data.copy()
    data["version"] = conflict.current.version
    fresh = EditAnnotationForm(data, project=membership.project, tags=tags)
    fresh.is_valid()
    current = conflict.current
    tags_now = ", ".join(t.name for t in current.tags.all()) or "—"
    fresh.add_error(
        None,
        "Someone else saved this annotation while you were editing it, so your changes "
        f"were not saved. It now reads: tags {tags_now}; note “{current.note or '—'}”. "
        "Save again to replace it with your version.",
    )
    return fresh


def _gone(request: HttpRequest, article: Article) -> HttpResponse:
    message = "This annotation was deleted by someone else; nothing was saved."
    if request.htmx:
        response = HttpResponse(f'<p class="error" role="alert">{message}</p>', status=409)
        return reswap(response, "beforeend")
    messages.error(request, message)
    return redirect(article.get_absolute_url())


@require_http_methods(["GET", "POST"])
@project_view
def annotation_delete(request: HttpRequest, membership: Membership, annotation_id: int):
    annotation = _own_annotation(request, membership, annotation_id)
    article = annotation.article
    if request.method == "GET":
        return render(
            request,
            "annotations/annotation_delete.html",
            {"membership": membership, "project": membership.project, "a": annotation},
        )
    delete_annotation(annotation=annotation)
    if request.htmx:
        return _reader_body_response(request, membership, article, fresh_form=False)
    messages.success(request, "Annotation deleted.")
    return redirect(article.get_absolute_url())


def _passages_by_source(annotations) -> list[tuple[object, list[Annotation]]]:
    ordered = sorted(
        annotations,
        key=lambda a: (
            a.article.source.name,
            a.article.published or a.article.created_at.date(),
            a.start,
        ),
    )
    return [
        (source, list(group)) for source, group in groupby(ordered, key=lambda a: a.article.source)
    ]


@require_safe
@project_view
def claim_detail(request: HttpRequest, membership: Membership, claim_id: int) -> HttpResponse:
    claim = get_object_or_404(
        Claim.objects.select_related("parent"), pk=claim_id, project=membership.project
    )
    children = list(claim.children.all())
    annotations = (
        Annotation.objects.filter(claim__in=[claim, *children])
        .with_related()
        .select_related("article__project")
    )
    return render(
        request,
        "annotations/claim.html",
        {
            "membership": membership,
            "project": membership.project,
            "claim": claim,
            "children": children,
            "groups": _passages_by_source(annotations),
            "tag_styles": Tag.colour_rules(membership.project.tags.all()),
        },
    )


@require_safe
@project_view
def actor_detail(request: HttpRequest, membership: Membership, actor_id: int) -> HttpResponse:
    actor = get_object_or_404(Actor, pk=actor_id, project=membership.project)
    spoken = (
        Annotation.objects.filter(speaker=actor).with_related().select_related("article__project")
    )
    targeted = (
        Annotation.objects.filter(target=actor).with_related().select_related("article__project")
    )
    return render(
        request,
        "annotations/actor.html",
        {
            "membership": membership,
            "project": membership.project,
            "actor": actor,
            "spoken": _passages_by_source(spoken),
            "targeted": _passages_by_source(targeted),
            "tag_styles": Tag.colour_rules(membership.project.tags.all()),
        },
    )


@require_safe
@project_view
def codebook(request: HttpRequest, membership: Membership) -> HttpResponse:
    tags = list(
        membership.project.tags.annotate(usage=Count("annotations")).select_related("parent")
    )
    return render(
        request,
        "annotations/codebook.html",
        {
            "membership": membership,
            "project": membership.project,
            "tags": _as_tree(tags),
            "tag_styles": Tag.colour_rules(tags),
        },
    )


@require_safe
@project_view
def actor_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    query = request.GET.get("q", "")
    actors = (
        membership.project.actors.search(query)
        .annotate(
            spoken_count=Count("spoken", distinct=True),
            targeted_count=Count("targeted", distinct=True),
        )
        .order_by("name")
    )
    return render(
        request,
        "annotations/actors.html",
        {"membership": membership, "project": membership.project, "actors": actors, "q": query},
    )


@require_safe
@project_view
def claim_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    claims = membership.project.claims.annotate(usage=Count("annotations")).select_related("parent")
    return render(
        request,
        "annotations/claims.html",
        {"membership": membership, "project": membership.project, "claims": _as_tree(claims)},
    )


def _as_tree(items) -> list[tuple[object, int]]:
    """Order a parent/child list depth-first, as ``(item, depth)`` pairs."""
    items = list(items)
    children: dict[int | None, list] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    result: list[tuple[object, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in children.get(parent_id, []):
            item.has_children = item.pk in children
            result.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return result
