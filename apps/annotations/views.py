from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget, trigger_client_event

from apps.accounts.compiled import CompiledQuery, columns, related_columns
from apps.annotations import reader_page
from apps.annotations.annotating import (
    EditConflict,
    StaleText,
    confirm_anchor,
    create_annotation,
    delete_annotation,
    reattach_annotation,
    update_annotation,
)
from apps.annotations.forms import (
    CreateAnnotationForm,
    EditAnnotationForm,
    ReattachForm,
)
from apps.annotations.models import Annotation, Layer, Tag
from apps.annotations.reader import tag_picker
from apps.annotations.reader_page import Change
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.access import project_view, require_annotate
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

READER = reader_page.READER


def _article_query(header: bool, *, pk: int, project_id: int):
    # ``adjudication`` (the coding app's, by name): the reader links to the article's
    # adjudicated version when there is one, without a query of its own. The imported
    # file (``raw``: a web page can be hundreds of kB) is not read for the reader.
    header_columns = (
        (*related_columns(Article, "source"), *related_columns(Article, "adjudication"))
        if header
        else ()
    )
    return (
        Article.objects.filter(pk=pk, project_id=project_id)
        .order_by()
        .values_list(*columns(Article, leaving_out=["raw"]), *header_columns)
    )


# Asked on every reader page and every save: compiled once (``compiled.py``).
_ARTICLE = CompiledQuery(_article_query)


def _article(membership: Membership, article_id: int, *, header: bool = True) -> Article:
    # ``header=False`` (a create, whose answer is usually the changed parts alone) leaves
    # out the outlet and the adjudication of the page's header: the two joins cost
    # 0.6 ms on every save. An answer with the whole body (an article's first passage,
    # one needing review, a page that missed another coder's work, the page without
    # JavaScript) reads them then, in a query each.
    found = _ARTICLE.instances(Article, header, pk=article_id, project_id=membership.project_id)
    if not found:
        raise Http404("No such article in this project.")
    return found[0]


def _own_annotation(request: SignedInRequest, membership: Membership, annotation_id: int):
    annotation = get_object_or_404(
        # One that blind coding hides does not exist for this analyst (not even its
        # coder's name in a refusal).
        Annotation.objects.with_related()
        .defer("article__raw")  # the imported file: the reader never shows it
        .filter(visibility.condition(membership)),
        pk=annotation_id,
        article__project=membership.project,
    )
    require_annotate(membership)
    if annotation.layer == Layer.GOLD:  # its coders' passages are linked to it as it is
        raise PermissionDenied(
            "An adjudicated passage is changed on the article's adjudication page: undo "
            "the decision there and decide again."
        )
    if annotation.annotator_id != request.user.pk:
        raise PermissionDenied(
            f"Only {annotation.annotator.display_name}, who made this annotation, can "
            "change or delete it."
        )
    return annotation


def _final_in_form(membership: Membership, article_id: int, form) -> bool:
    """Whether the analyst finished the article blind (``visibility.finished_blind``),
    which the form then says: a write there is refused (403)."""
    if not visibility.finished_blind(membership, article_id):
        return False
    form.add_error(None, visibility.FINISHED_BLIND)
    return True


def _final_refusal(request: SignedInRequest, membership: Membership, annotation: Annotation):
    """A write on an annotation of an article its analyst finished blind, refused (None
    if it is not): said under the annotation's sidebar item (htmx, 403 with the element
    to swap it into: ``htmx-errors.js`` shows such a refusal where it names), or on a
    page of its own."""
    if not visibility.finished_blind(membership, annotation.article_id):
        return None
    if not request.htmx:
        raise PermissionDenied(visibility.FINISHED_BLIND)
    html = format_html('<p class="error" role="alert">{}</p>', visibility.FINISHED_BLIND)
    return retarget(reswap(HttpResponse(html, status=403), "beforeend"), f"#a{annotation.pk}")


@require_safe
@project_view
def reader(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    article = _article(membership, article_id)
    context = reader_page.reader_context(request, membership, article)
    return render(request, page_or_partial(request, READER, "reader-body"), context)


def _written(
    request: SignedInRequest,
    membership: Membership,
    change: Change,
    article: Article,
    tags: list[Tag],
) -> HttpResponse:
    """What an htmx create or edit answers: the parts it changed (a new one also gets a
    fresh form, with a new token). The page's script makes the saved annotation the
    current one and brings it into view, so j/k, e and Delete continue from there."""
    fresh_form = change.kind == "created"
    response = reader_page.update_response(
        request, membership, article, change, fresh_form=fresh_form, tags=tags
    )
    return trigger_client_event(response, "annotationSaved", {"id": change.annotation_id})


def _form_with_errors(
    request: SignedInRequest,
    membership,
    article: Article,
    form,
    status: int,
    reattach=None,
    tags: list[Tag] | None = None,
) -> HttpResponse:
    """The popover form again, with its errors, swapped in place of itself (422/409);
    ``tags``: the codebook, when the view has read it already."""
    tags = reader_page.codebook(membership.project) if tags is None else tags
    context = {
        "form": form,
        "article": article,
        "project": membership.project,
        "tags": tags,
        "picker": tag_picker(tags),
        "query": reader_page.query_string(reader_page.view_params(request)),
        "reattach": reattach,
    }
    response = render(request, f"{READER}#annotation-form", context, status=status)
    return retarget(reswap(response, "outerHTML"), "#annotation-form")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_POST
@project_view
def annotation_create(request: SignedInRequest, membership: Membership, article_id: int):
    require_annotate(membership)
    article = _article(membership, article_id, header=False)
    # Read once: the form checks the tags against it and the answer draws with it.
    tags = reader_page.codebook(membership.project)
    form = CreateAnnotationForm(request.POST, project=membership.project, tags=tags)
    status = 422
    if _final_in_form(membership, article.pk, form):
        status = 403
    elif form.is_valid():
        data = form.cleaned_data
        try:
            annotation = create_annotation(
                article=article, annotator=request.user, **form.passage(), **form.coding()
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
            if getattr(error, "code", None) in ("token_replayed", "token_reused"):
                status = 409  # the form's token belongs to another annotation
        else:
            if request.htmx:
                change = Change.of("created", annotation, new_claim=bool(data["new_claim"]))
                return _written(request, membership, change, article, tags)
            return redirect(f"{article.get_absolute_url()}#h{annotation.pk}")
    if request.htmx:
        return _form_with_errors(request, membership, article, form, status, tags=tags)
    context = reader_page.reader_context(request, membership, article, form=form, tags=tags)
    return render(request, READER, context, status=status)


@require_POST
@project_view
def annotation_reattach(request: SignedInRequest, membership: Membership, annotation_id: int):
    annotation = _own_annotation(request, membership, annotation_id)
    article = annotation.article
    form = ReattachForm(request.POST)
    status = 422
    if _final_in_form(membership, article.pk, form):
        if not request.htmx:
            raise PermissionDenied(visibility.FINISHED_BLIND)
        status = 403
    elif form.is_valid():
        data = form.cleaned_data
        try:
            reattach_annotation(
                annotation=annotation,
                start=data["start"],
                end=data["end"],
                quote=data["quote"],
                text_hash=data["text_hash"],
                version=data["version"],
            )
        except StaleText:
            status = 409
            form.add_error(None, "The article's text has changed: reload the page.")
        except EditConflict:
            status = 409
            form.add_error(None, "The annotation changed meanwhile: reload the page.")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return reader_page.body_response(request, membership, article, fresh_form=True)
            messages.success(request, "Annotation re-attached.")
            return redirect(f"{article.get_absolute_url()}#h{annotation.pk}")
    if request.htmx:
        return _form_with_errors(request, membership, article, form, status, reattach=annotation)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{article.get_absolute_url()}?reattach={annotation.pk}")


@require_POST
@project_view
def annotation_confirm(request: SignedInRequest, membership: Membership, annotation_id: int):
    annotation = _own_annotation(request, membership, annotation_id)
    article = annotation.article  # as read with it (a save reloads the annotation alone)
    if refused := _final_refusal(request, membership, annotation):
        return refused
    version = request.POST.get("version", "")
    try:
        confirm_anchor(annotation=annotation, version=int(version) if version.isdigit() else 0)
    except EditConflict:
        messages.error(request, "The annotation changed meanwhile; look at it again.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        return reader_page.body_response(request, membership, article, fresh_form=False)
    return redirect(f"{article.get_absolute_url()}#h{annotation.pk}")


@require_http_methods(["GET", "POST"])
@project_view
def annotation_edit(request: SignedInRequest, membership: Membership, annotation_id: int):
    annotation = _own_annotation(request, membership, annotation_id)
    article = annotation.article  # as read with it (a save reloads the annotation alone)
    project, tags = membership.project, reader_page.codebook(membership.project)
    initial = EditAnnotationForm.initial_for(annotation)  # (an archived tag it has, it keeps)
    if request.method == "GET" and (refused := _final_refusal(request, membership, annotation)):
        return refused
    if request.method == "GET":
        form = EditAnnotationForm(project=project, tags=tags, initial=initial)
        return _edit_page(request, membership, annotation, form, tags, status=200)
    form = EditAnnotationForm(request.POST, project=project, tags=tags, initial=initial)
    status = 422
    if _final_in_form(membership, annotation.article_id, form):
        status = 403
    elif form.is_valid():
        try:
            version = form.cleaned_data["version"]
            update_annotation(annotation=annotation, version=version, **form.coding())
        except EditConflict as conflict:
            if conflict.current is None:
                return _gone(request, article)
            status, form = 409, _conflicted(form, conflict, membership, tags)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                new_claim = bool(form.cleaned_data["new_claim"])
                change = Change.of("edited", annotation, new_claim=new_claim)
                return _written(request, membership, change, article, tags)
            messages.success(request, "Annotation saved.")
            return redirect(f"{article.get_absolute_url()}#h{annotation.pk}")
    return _edit_page(request, membership, annotation, form, tags, status=status)


def _edit_page(
    request: SignedInRequest,
    membership: Membership,
    annotation: Annotation,
    form: EditAnnotationForm,
    tags: list[Tag],
    *,
    status: int,
) -> HttpResponse:
    """The edit form: in place of the sidebar item (htmx), or as a page of its own."""
    context = {
        "membership": membership,
        "project": membership.project,
        "article": annotation.article,
        "a": annotation,
        "edit_form": form,
        "query": reader_page.query_string(reader_page.view_params(request)),
        "tags": tags,
        "picker": tag_picker(tags),
        "tag_styles": Tag.colour_rules(tags),
        "actors": membership.project.actors.for_coding(),
        "claims": membership.project.claims.for_coding(),
    }
    if request.htmx:
        response = render(request, f"{READER}#annotation-edit", context, status=status)
        return retarget(reswap(response, "outerHTML"), f"#a{annotation.pk}")
    return render(request, "annotations/annotation_edit.html", context, status=status)


def _conflicted(form, conflict: EditConflict, membership, tags) -> EditAnnotationForm:
    """Keep what the editor typed, but on top of the version now saved, and say so."""
    if conflict.current is None:  # deleted meanwhile: the view answers with ``_gone``
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


def _gone(request: SignedInRequest, article: Article) -> HttpResponse:
    message = "This annotation was deleted by someone else; nothing was saved."
    if request.htmx:
        response = HttpResponse(f'<p class="error" role="alert">{message}</p>', status=409)
        return reswap(response, "beforeend")
    messages.error(request, message)
    return redirect(article.get_absolute_url())


@require_http_methods(["GET", "POST"])
@project_view
def annotation_delete(request: SignedInRequest, membership: Membership, annotation_id: int):
    annotation = _own_annotation(request, membership, annotation_id)
    article = annotation.article
    if refused := _final_refusal(request, membership, annotation):
        return refused
    if request.method == "GET":
        return render(
            request,
            "annotations/annotation_delete.html",
            {"membership": membership, "project": membership.project, "a": annotation},
        )
    change = Change.of("deleted", annotation)
    delete_annotation(annotation=annotation)
    if request.htmx:
        return reader_page.update_response(request, membership, article, change, fresh_form=False)
    messages.success(request, "Annotation deleted.")
    return redirect(article.get_absolute_url())
