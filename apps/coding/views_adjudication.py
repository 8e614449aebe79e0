"""Adjudication's pages: the articles to adjudicate, one article's units side by side
with each decision (htmx swaps the unit; without JavaScript, a plain POST and a
redirect), and the adjudicated version of an article, read-only.

Owners and the analysts they make adjudicators decide; viewers read these pages too;
the other analysts, who code, do not (they would see the other coders' versions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap, retarget

from apps.annotations.annotating import StaleText
from apps.annotations.models import Layer
from apps.coding import adjudicating
from apps.coding.adjudicating import StaleUnit
from apps.coding.adjudication_forms import (
    AcceptForm,
    DecisionForm,
    TakeForm,
    UndoForm,
    UnitForm,
)
from apps.coding.adjudication_pages import (
    STATUSES,
    article_context,
    listing,
    unit_context,
)
from apps.coding.gold_page import gold_context
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.access import project_view, require_adjudicate
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership

PAGE = "coding/adjudication_article.html"


def _article(membership: Membership, article_id: int, *, versions: bool = True) -> Article:
    """The project's article; with ``versions`` (a page or a decision that shows the
    coders' versions side by side), refused to an adjudicator who is still coding it
    blind: they would see the others' passages before marking it done."""
    article = get_object_or_404(
        Article.objects.select_related("source", "project", "adjudication"),
        pk=article_id,
        project=membership.project,
    )
    if versions and visibility.hides_others_on(membership, article.pk):
        raise PermissionDenied(_blind_reason(membership, article))
    return article


def _blind_reason(membership: Membership, article: Article) -> str:
    """Why an adjudicator who codes the article blind is refused its versions: one
    assigned to them is theirs to finish first; one they coded unasked, an owner's or
    another adjudicator's to settle."""
    if membership.user.assignments.filter(article=article).exists():
        return (
            "Blind coding: this article is in your queue, and you see only your own "
            "passages on it until you mark it done. Adjudicate it after that, or leave it "
            "to an owner."
        )
    return (
        "Blind coding: you coded this article, so you see only your own passages on it. "
        "Leave its adjudication to an owner or another adjudicator."
    )


@require_safe
@project_view
def adjudication_list(request: SignedInRequest, membership: Membership) -> HttpResponse:
    """The articles two coders or more coded: where they differ, and how far
    adjudication got (by story, by status)."""
    require_adjudicate(membership, reading=True)
    project = membership.project
    story = request.GET.get("story", "")
    story_id = int(story) if story.isascii() and story.isdigit() and len(story) < 19 else None
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    page, rows = listing(
        project, story=story_id, status=status, page=request.GET.get("page"), seen_by=membership
    )
    context = {
        "membership": membership,
        "project": project,
        "page": page,
        "rows": rows,
        "stories": project.stories.order_by("name"),
        "story_id": story_id,
        "status": status,
        "statuses": STATUSES,
    }
    return render(request, "coding/adjudication.html", context)


@require_safe
@project_view
def adjudication_article(
    request: SignedInRequest, membership: Membership, article_id: int
) -> HttpResponse:
    """An article's units, side by side; ``?write=u<id>`` opens a unit's write form
    (with htmx, only that unit is sent)."""
    require_adjudicate(membership, reading=True)
    article = _article(membership, article_id)
    writing = request.GET.get("write", "") if membership.can_adjudicate else ""
    context = _context(membership, article, writing=writing)
    unit = unit_context(context, writing)
    if request.htmx and unit is not None:
        return render(request, f"{PAGE}#adjudication-unit", {**context, "unit": unit})
    return render(request, page_or_partial(request, PAGE, "adjudication-body"), context)


def _context(membership: Membership, article: Article, **kwargs) -> dict:
    return {
        "membership": membership,
        "project": membership.project,
        **article_context(article, **kwargs),
    }


def _decided(
    request: SignedInRequest,
    membership: Membership,
    article: Article,
    form: forms.Form,
    act: Callable[[Any], object],
) -> HttpResponse:
    """Run one decision on a unit and answer: the unit swapped, and the progress out of
    band (htmx), or back to the page (a plain POST); a refusal says why, in the unit or,
    if it changed meanwhile, over the page as it now is."""
    anchor = _anchor(request)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        act(form)
    except (StaleUnit, StaleText) as stale:
        return _refused(request, membership, article, str(stale), 409, anchor, stale=True)
    except ValidationError as error:
        writing = anchor if request.POST.get("kind") == "write" else ""
        return _refused(
            request, membership, article, " ".join(error.messages), 422, anchor, writing=writing
        )
    if not request.htmx:
        page = reverse("coding:adjudicate", args=[membership.project.slug, article.pk])
        return redirect(f"{page}#{anchor}" if anchor else page)
    context = _context(membership, article)
    unit = unit_context(context, anchor)
    if unit is None:
        return _body(request, context)
    html = render_to_string(f"{PAGE}#adjudication-unit", {**context, "unit": unit}, request)
    html += render_to_string(f"{PAGE}#adjudication-progress", {**context, "oob": True}, request)
    return HttpResponse(html)


def _anchor(request: SignedInRequest) -> str:
    """The unit the decision came from (``u<id>``), to answer with."""
    anchor = request.POST.get("anchor", "")
    return anchor if anchor[:1] == "u" and anchor[1:].isdigit() and len(anchor) < 20 else ""


def _refused(
    request: SignedInRequest,
    membership: Membership,
    article: Article,
    problem: str,
    status: int,
    anchor: str,
    *,
    stale: bool = False,
    writing: str = "",
) -> HttpResponse:
    context = {
        **_context(membership, article, writing=writing),
        "problem": problem,
        "error_anchor": anchor,
    }
    unit = unit_context(context, anchor)
    if not request.htmx:
        return render(request, PAGE, context, status=status)
    if stale or unit is None:
        return _body(request, context, status=status)
    response = render(
        request, f"{PAGE}#adjudication-unit", {**context, "unit": unit}, status=status
    )
    return retarget(reswap(response, "outerHTML"), f"#{anchor}")


def _body(request: SignedInRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, f"{PAGE}#adjudication-body", context, status=status)
    return retarget(reswap(response, "outerHTML"), "#adjudication-body")


@require_POST
@project_view
def take(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """Settle a unit with one coder's version."""
    require_adjudicate(membership)
    article = _article(membership, article_id)
    return _decided(
        request,
        membership,
        article,
        TakeForm(request.POST),
        lambda form: adjudicating.take_version(
            article=article,
            key=form.cleaned_data["key"],
            source=form.cleaned_data["source"],
            adjudicator=request.user,
            text_hash=form.cleaned_data["text_hash"] or None,
        ),
    )


@require_POST
@project_view
def decide(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """Settle a unit with a merge of its versions, or a passage written afresh."""
    require_adjudicate(membership)
    article = _article(membership, article_id)
    return _decided(
        request,
        membership,
        article,
        DecisionForm(request.POST, project=membership.project),
        lambda form: adjudicating.decide(
            article=article,
            key=form.cleaned_data["key"],
            coding=form.coding(),
            adjudicator=request.user,
            merge=form.cleaned_data["kind"] == "merge",
            text_hash=form.cleaned_data["text_hash"] or None,
        ),
    )


@require_POST
@project_view
def drop(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """Settle a unit with no passage."""
    require_adjudicate(membership)
    article = _article(membership, article_id)
    return _decided(
        request,
        membership,
        article,
        UnitForm(request.POST),
        lambda form: adjudicating.drop_unit(
            article=article, key=form.cleaned_data["key"], adjudicator=request.user
        ),
    )


@require_POST
@project_view
def undo(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """Undo a decision: its gold passage goes (or the drop); nothing else changes."""
    require_adjudicate(membership)
    article = _article(membership, article_id)
    return _decided(
        request,
        membership,
        article,
        UndoForm(request.POST),
        lambda form: adjudicating.undo(
            article=article,
            adjudicator=request.user,
            gold=form.cleaned_data["gold"],
            key=form.cleaned_data["key"] or "",
        ),
    )


@require_POST
@project_view
def accept(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """Put every unit the coders agree on into the gold layer at once."""
    require_adjudicate(membership)
    article = _article(membership, article_id)
    return _decided(
        request,
        membership,
        article,
        AcceptForm(request.POST),
        lambda form: adjudicating.accept_agreed(
            article=article,
            keys=form.keys,
            adjudicator=request.user,
            text_hash=form.cleaned_data["text_hash"] or None,
        ),
    )


@require_POST
@project_view
def finish(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """Mark the article adjudicated (every unit settled), or (``reopen``) take it up
    again."""
    require_adjudicate(membership)
    article = _article(membership, article_id)
    if request.POST.get("reopen"):
        return _decided(
            request,
            membership,
            article,
            forms.Form(request.POST),
            lambda form: adjudicating.reopen(article=article),
        )
    return _decided(
        request,
        membership,
        article,
        forms.Form(request.POST),
        lambda form: adjudicating.finish(article=article, adjudicator=request.user),
    )


@require_safe
@project_view
def adjudicated(request: SignedInRequest, membership: Membership, article_id: int) -> HttpResponse:
    """The article's adjudicated version, read-only: its gold passages, highlighted."""
    article = _article(membership, article_id, versions=False)  # what they may see
    context = gold_context(request, membership, article, layer=Layer.GOLD)
    # Whether, and how far, an article one codes blind is adjudicated says that others
    # coded it otherwise: not said then.
    context["blind_here"] = visibility.hides_others_on(membership, article.pk)
    return render(request, "coding/adjudicated.html", context)
