"""Team coding's pages under ``work/``: the owners' Assignments page (assigning, taking
back, undoing a done, blind coding, the progress per coder and per story), a coder's
queue, and "Mark done", posted from the reader."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from apps.annotations import reader_page
from apps.coding import assigning
from apps.coding.forms import ArticleListForm, AssignForm
from apps.coding.models import Assignment
from apps.coding.progress import Status, Tally, assignees, progress, queue
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.access import project_view, require_annotate, require_manage
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

PAGE = "coding/assignments.html"
ARTICLES_PER_PAGE = 50


def _list_params(request: SignedInRequest) -> QueryDict:
    """The list's filter and page: of this GET; for a write, of the page it was made
    from (htmx says which; a plain form carries it as ``query``)."""
    if request.method == "GET":
        return request.GET
    if request.htmx and request.htmx.current_url:
        return QueryDict(urlsplit(request.htmx.current_url).query)
    return QueryDict(request.POST.get("query", ""))


def _page_context(request: SignedInRequest, membership: Membership, **extra) -> dict:
    """The Assignments page: blind coding, progress, the list (filtered, a page of it,
    each article with who has it) and the form that assigns."""
    project, params = membership.project, _list_params(request)
    listed = ArticleListForm(params, project=project)
    page = Paginator(listed.articles(), ARTICLES_PER_PAGE).get_page(params.get("page"))
    held = assignees(list(page))
    return {
        "membership": membership,
        "project": project,
        "progress": progress(project),
        "listed": listed,
        "query": listed.query(),
        "page": page,
        "rows": [(article, held.get(article.pk, [])) for article in page],
        "form": AssignForm(project=project),
        "blind_change": assigning.blind_coding_changed(project),
        **extra,
    } | {"ticked": _ticked(extra.get("form"))}


def _ticked(form: AssignForm | None) -> set[str]:
    """The articles a form sent back with a mistake had ticked: ticked again."""
    return set(form["article"].value() or []) if form is not None else set()


def _answer(request: SignedInRequest, membership: Membership, note: str, **extra):
    """After a change on the page: htmx gets the page's body again, saying what was done
    (or, with a form's errors, 422); a plain form goes back to the page."""
    status = 422 if "form" in extra else 200
    if request.htmx:
        context = _page_context(request, membership, note=note, **extra)
        return render(request, f"{PAGE}#work-body", context, status=status)
    if status == 422:
        return render(request, PAGE, _page_context(request, membership, **extra), status=422)
    messages.success(request, note)
    query = _list_params(request).urlencode()
    url = reverse("coding:assignments", args=[membership.project.slug])
    return redirect(f"{url}?{query}" if query else url)


@require_safe
@project_view
def assignments(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_manage(membership)
    context = _page_context(request, membership)
    return render(request, page_or_partial(request, PAGE, "work-body"), context)


@require_POST
@project_view
def assign(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """Ticked articles, or every article listed, to each chosen coder or to two of them
    at random (balanced; the same seed, the same draw)."""
    require_manage(membership)
    project = membership.project
    form = AssignForm(request.POST, project=project)
    if not form.is_valid():
        return _answer(request, membership, "", form=form)
    data = form.cleaned_data
    articles = form.article_ids(ArticleListForm(_list_params(request), project=project))
    coders, by = list(data["coders"]), request.user
    try:
        if data["how"] == "pairs":
            made = assigning.assign_at_random(
                project=project, articles=articles, coders=coders, by=by, seed=data["seed"]
            )
        else:
            made = assigning.assign(project=project, articles=articles, coders=coders, by=by)
    except ValidationError as error:
        form.add_error(None, error)
        return _answer(request, membership, "", form=form)
    kept = "" if made else " (they all had them already)"
    return _answer(request, membership, f"{made} new assignment{'s' * (made != 1)}{kept}.")


def _assignment(membership: Membership, assignment_id: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("article", "coder"),
        pk=assignment_id,
        article__project=membership.project,
    )


@require_POST
@project_view
def unassign(request: SignedInRequest, membership: Membership, assignment_id: int):
    require_manage(membership)
    assignment = _assignment(membership, assignment_id)
    assigning.unassign(assignment=assignment)
    who, title = assignment.coder.display_name, assignment.article.title
    return _answer(request, membership, f"“{title}” taken back from {who}.")


@require_POST
@project_view
def reopen(request: SignedInRequest, membership: Membership, assignment_id: int):
    """An owner undoes a coder's "done" (the coder cannot)."""
    require_manage(membership)
    assignment = _assignment(membership, assignment_id)
    assigning.reopen(assignment=assignment)
    who, title = assignment.coder.display_name, assignment.article.title
    return _answer(request, membership, f"“{title}” is to code again for {who}.")


@require_POST
@project_view
def blind_coding(request: SignedInRequest, membership: Membership) -> HttpResponse:
    require_manage(membership)
    on = request.POST.get("on") == "1"
    project = assigning.set_blind_coding(project=membership.project, on=on, by=request.user)
    if request.htmx:
        context = {"project": project, "blind_change": assigning.blind_coding_changed(project)}
        return render(request, f"{PAGE}#blind-coding", context)
    messages.success(request, f"Blind coding is {'on' if on else 'off'}.")
    return redirect("coding:assignments", project.slug)


@require_safe
@project_view
def my_queue(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """The articles assigned to the member who is looking, with their status."""
    require_annotate(membership)
    items = queue(request.user, membership.project)
    tally = Tally()
    for item in items:
        tally.add(item.status)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""  # an unknown one: no status
    context = {
        "membership": membership,
        "project": membership.project,
        "items": [item for item in items if item.status == status] if status else items,
        "tally": tally,
        "status": status,
        "tabs": [(status, status.label, getattr(tally, status.value)) for status in Status],
        "next_up": next((item for item in items if item.status != Status.DONE), None),
        "blind": visibility.blinded(membership),
    }
    return render(request, page_or_partial(request, "coding/queue.html", "queue-list"), context)


@require_POST
@project_view
def mark_done(request: SignedInRequest, membership: Membership, article_id: int):
    """The coder's explicit "done" on an article assigned to them, from the reader: htmx
    gets the reader body again (blind coding now shows the others' work on it), a plain
    form the reader. A refusal (not theirs to mark) is said over the reader, 422."""
    require_annotate(membership)
    article = get_object_or_404(
        Article.objects.select_related("source"), pk=article_id, project=membership.project
    )
    try:
        assigning.mark_done(article=article, coder=request.user)
    except ValidationError as error:
        context = reader_page.reader_context(request, membership, article)
        context["done_problem"] = " ".join(error.messages)
        template = f"{reader_page.READER}#reader-body" if request.htmx else reader_page.READER
        return render(request, template, context, status=422)
    if request.htmx:
        context = reader_page.reader_context(request, membership, article)
        return render(request, f"{reader_page.READER}#reader-body", context)
    messages.success(request, "Marked done.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = article.get_absolute_url()
    return redirect(back)
