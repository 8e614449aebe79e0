"""What the adjudication pages show: the articles two coders or more coded, with where
they differ and how far adjudication got; and one article's units, side by side."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from apps.annotations.models import Annotation, Layer, Position, Tag, Voice
from apps.coding.adjudicating import agreed_note
from apps.coding.models import Adjudication, Assignment
from apps.coding.units import ArticleUnits, Unit, Version, read_golds, read_units, with_context
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.models import Membership, Project

PER_PAGE = 50
# An article's adjudication, as the list names it (and filters by).
STATUSES = {"": "Any", "todo": "Not started", "started": "In progress", "done": "Done"}


def adjudication_status(adjudication: Adjudication | None) -> str:
    """``todo``, ``started`` or ``done``: an article's adjudication."""
    if adjudication is None:
        return "todo"
    return "done" if adjudication.finished_at else "started"


@dataclass
class ListedArticle:
    article: Article
    found: ArticleUnits

    @property
    def status(self) -> str:
        return adjudication_status(getattr(self.article, "adjudication", None))

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


def double_coded(project: Project) -> QuerySet[Article]:
    """The project's articles with the passages of two coders or more (their layer): on
    an article with assignments, two of its assigned coders (its coders of record, as
    for the agreement: ``agreement_pairs.assigned_coders``)."""
    # In the passages' subquery, a passage's own article and annotator.
    of_record = Assignment.objects.filter(article=OuterRef("article"), coder=OuterRef("annotator"))
    unassigned = ~Exists(Assignment.objects.filter(article=OuterRef("article")))
    passages = Annotation.objects.filter(article=OuterRef("pk"), layer=Layer.CODER).filter(
        Exists(of_record) | unassigned
    )
    coders = passages.order_by().values("article").annotate(n=Count("annotator", distinct=True))
    return project.articles.annotate(coders=Subquery(coders.values("n"))).filter(coders__gte=2)


def listing(
    project: Project, *, story: int | None, status: str, page: str | None, seen_by: Membership
) -> tuple[Page, list[ListedArticle]]:
    """One page of the articles to adjudicate, and its articles each with its units,
    in a fixed number of queries (the page, its count, and the units' four). An article
    blind coding hides others' work on from ``seen_by`` (one they code and have not
    marked done) is not listed: its row would say who else coded it, and how."""
    articles = double_coded(project).filter(visibility.seen_whole(seen_by))
    if story:
        articles = articles.filter(stories=story)
    if status == "todo":
        articles = articles.filter(adjudication__isnull=True)
    elif status == "started":
        articles = articles.filter(
            adjudication__finished_at__isnull=True, adjudication__isnull=False
        )
    elif status == "done":
        articles = articles.filter(adjudication__finished_at__isnull=False)
    ordered = (
        articles.select_related("source", "adjudication")
        .defer("text", "raw")
        .order_by("published", "source__name", "title", "pk")
    )
    shown = Paginator(ordered, PER_PAGE).get_page(page)
    listed = list(shown.object_list)
    found = read_units(a.pk for a in listed)
    return shown, [ListedArticle(a, found[a.pk]) for a in listed]


@dataclass
class Decided:
    """A gold passage as its unit shows it, and which coder's version it is, if one's."""

    gold: Version
    as_version_of: list[str]


def same(gold: Version, version: Version) -> bool:
    """Whether a gold passage says exactly what a coder's version says."""
    fields = ("span", "tag_ids", "claim_id", "speaker_id", "target_id", "voice", "position")
    return all(getattr(gold, name) == getattr(version, name) for name in fields)


def article_context(article: Article, *, writing: str = "") -> dict:
    """One article's units (disagreements first, then the agreed ones), each with its
    decision; the codebook is read only when a unit's passage is being written."""
    found = read_units([article.pk])[article.pk]
    golds = read_golds(article.pk)
    versions = [v for unit in found.units for v in unit.versions]
    with_context([*versions, *golds.values()], article.text)
    linked: set[int] = set()
    for number, unit in enumerate(found.units, start=1):
        unit.number = number
        unit.span_options = [
            (f"{start}-{end}", label, ends(article.text[start:end]))
            for label, (start, end) in unit.spans()
        ]
        unit.decided = [
            Decided(golds[pk], [v.coder for v in unit.versions if same(golds[pk], v)])
            for pk in unit.golds
            if pk in golds
        ]
        linked.update(unit.golds)
    # Read again: the article's may be of before the decision this page answers.
    adjudication = (
        Adjudication.objects.filter(article=article).select_related("adjudicator").first()
    )
    context = {
        "article": article,
        "found": found,
        "adjudication": adjudication,
        "status": adjudication_status(adjudication),
        "finished": bool(adjudication and adjudication.finished_at),
        # Gold passages no unit shows any more (their coders' passages changed since).
        "unlinked": [gold for pk, gold in golds.items() if pk not in linked],
        "agreed_open": [u.key for u in found.agreeing if not u.settled],
        # Agreed units whose coders' notes differ: accepting them leaves the note empty.
        "notes_differ": {u.anchor for u in found.agreeing if agreed_note(u) is None},
        "writing": writing,
        "voices": Voice.choices,
        "positions": Position.choices,
        "tag_styles": Tag.colour_rules(Tag.objects.filter(project=article.project_id)),
    }
    if writing:
        project = article.project
        context["codebook"] = {
            "tags": list(Tag.objects.filter(project=project, archived=False)),
            "claims": list(project.claims.for_coding().order_by("text")),
            "actors": list(project.actors.for_coding().order_by("name")),
        }
    return context


def ends(words: str, reach: int = 60) -> str:
    """A passage by its two ends, where spans of one passage differ."""
    words = " ".join(words.split())
    if len(words) <= 2 * reach + 10:
        return words
    head, tail = words[:reach].rsplit(" ", 1)[0], words[-reach:].split(" ", 1)[-1]
    return f"{head} … {tail}"


def unit_context(context: dict, anchor: str) -> Unit | None:
    """The unit of an article's context shown under ``anchor`` (``u<id>``)."""
    return next((u for u in context["found"].units if u.anchor == anchor), None)
