"""The filter bar: the one component through which every analysis screen takes its
selection (``forms.Selection``), and the words that say what a selection is."""

from __future__ import annotations

from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.utils.formats import date_format
from django.utils.text import Truncator

from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import Layer
from apps.projects import visibility
from apps.projects.models import Membership, Project

# The deepest level of a tree the stylesheet indents (``depth-3``): deeper ones are
# shown at it.
DEEPEST = 3


def picked(filters: AnnotationFilter) -> dict[str, list[str]]:
    """The values given for each parameter, as strings, to tick and select them again."""
    return {key: filters.given(key) for key in filters.KEYS}


def context(
    filters: AnnotationFilter,
    project: Project,
    *,
    seen_by: Membership,
    fixed: tuple[str, ...] = (),
) -> dict:
    """What ``analysis/_filter_bar.html`` shows to ``seen_by``; ``fixed`` parameters are
    the page's own (the claim of a claim page) and are not offered."""
    choices = AnnotationFilter.choices_for(project)
    given = picked(filters)
    on_passages = [key for key in filters.ON_PASSAGES if key not in fixed and given.get(key)]
    # The annotator is chosen beside the layer ("whose passages"), not among the folded
    # filters on passages, so that part does not count it.
    folded = [key for key in on_passages if key != "annotator"]
    usernames = {m.user.username for m in choices["annotators"]}
    gold = "layer" not in fixed and filters.selected_layer == Layer.GOLD
    annotator = (given.get("annotator") or [""])[0]
    return {
        **choices,
        # The lists as the bar's options (``projects.templatetags.choices``): trees in
        # depth-first order, a tag's depth as its class, a claim's as its indentation
        # (no CSS reaches inside a <select>).
        "story_choices": [(story.pk, story.name) for story in choices["stories"]],
        "annotator_choices": [
            (m.user.username, m.user.display_name) for m in choices["annotators"]
        ],
        "tag_boxes": [
            (tag.pk, tag.name, f"depth-{min(depth, DEEPEST)}")
            for tag, depth in trees.depth_first(choices["tags"])
        ],
        "claim_choices": [
            (claim.pk, "\u2003" * depth + Truncator(claim.text).chars(60))
            for claim, depth in trees.depth_first(choices["claims"])
        ],
        "actor_choices": [(actor.pk, actor.name) for actor in choices["actors"]],
        "filters": filters,
        "picked": given,
        "fixed": fixed,
        "query": filters.query_string(),
        "scope": scope(filters, choices, passages_filtered=bool(on_passages), gold=gold),
        "article_scope": scope(filters, choices),  # where an outlet has no coverage
        "scope_short": scope_short(filters, passages_filtered=bool(on_passages), gold=gold),
        "passage_filters": len(folded),
        "layers": filters.fields["layer"].choices,  # type: ignore[attr-defined]
        "adjudicated": adjudicated(filters, project, seen_by=seen_by) if gold else None,
        # A page about passages nobody coded (candidates) offers none of their filters.
        "passages_offered": any(key not in fixed for key in filters.ON_PASSAGES),
        "counts": _counts(given, choices, len(folded)),
        # Whether the bar narrows anything beyond the page's own subject.
        "narrowed": any(given.get(k) for k in filters.KEYS if k not in (*fixed, "tag_mode")),
        # A filter the lists cannot show (a former member, an old URL) is shown apart,
        # so it is neither hidden nor dropped by the next change.
        "annotator_elsewhere": annotator if annotator not in ("", "me", *usernames) else "",
        "not_in_project": not_in_project(given, choices),
        # Lazy: read only by the pages that list the outlets without coverage.
        "no_coverage": filters.outlets_without_articles(project),
    }


def _counts(given: dict[str, list[str]], choices: dict, passage_filters: int) -> dict:
    """What each folded part of the bar says is chosen in it ("2 chosen", "all"), by the
    id of its summary. The bar shows them, and every htmx answer sends them again out of
    band (``_filter_counts.html``), since it swaps only the results. A part the bar does
    not show (one kind of outlet in the project) has none."""

    def chosen(key: str, none: str = "all") -> str:
        return f"{len(given[key])} chosen" if given[key] else none

    counts = {
        "source": chosen("source"),
        "tag": chosen("tag", "any"),
        "passages": f"{passage_filters} filter{pluralize(passage_filters)}"
        if passage_filters
        else "all",
    }
    for key, listed in (("kind", "kinds"), ("country", "countries")):
        if len(choices[listed]) > 1 or given[key]:
            counts[key] = chosen(key)
    return counts


# What each parameter names, and where the filter bar's lists hold the project's ones.
NAMED = [
    ("story", "story", "stories"),
    ("source", "outlet", "sources"),
    ("tag", "tag", "tags"),
    ("claim", "claim", "claims"),
    ("speaker", "speaker", "actors"),
    ("target", "target", "actors"),
    ("actor", "actor", "actors"),
]


def not_in_project(given: dict[str, list[str]], choices: dict) -> list[str]:
    """Ids in the address that name nothing of the project (a tag merged or deleted
    since a view was saved, a link from elsewhere): they match nothing, and the bar says
    so rather than show an empty result without a reason. The lists are the bar's own,
    read once for both."""
    found = []
    for key, what, listed in NAMED:
        known = {str(item[0] if isinstance(item, tuple) else item.pk) for item in choices[listed]}
        found += [f"{what} {value}" for value in given.get(key, []) if value not in known]
    return found


def adjudicated(
    filters: AnnotationFilter, project: Project, *, seen_by: Membership
) -> dict[str, int]:
    """How many of the selection's articles are adjudicated (finished), and how many
    are being adjudicated: on the adjudicated layer, the others have no passage at all,
    which the screens must not let pass for a blind spot. Counted among the articles
    whose adjudicated passages the screens show ``seen_by`` (blind coding: those they
    marked done), so that the count matches them and says nothing of an article they
    are blind on (that it is adjudicated would say others coded it otherwise). One
    query."""
    # ``adjudication`` is the coding app's reverse relation, reached by name (that app
    # sits above this one).
    whole = visibility.others_shown(seen_by)
    counted = filters.articles(project).aggregate(
        articles=Count("pk"),
        done=Count("pk", filter=Q(adjudication__finished_at__isnull=False) & whole),
        started=Count("pk", filter=Q(adjudication__isnull=False) & whole),
    )
    return {**counted, "in_progress": counted["started"] - counted["done"]}


def scope(
    filters: AnnotationFilter,
    choices: dict,
    *,
    passages_filtered: bool = False,
    gold: bool = False,
) -> str:
    """The selection in words ("within the story “Convoy strike”, from 1 Mar 2022"): a
    blind spot is only ever a blind spot within it, and with filters on the passages,
    only among the passages they keep (the adjudicated ones, with ``gold``)."""
    if not filters.is_valid():
        return ""
    data = filters.cleaned_data
    parts = []
    if data["story"]:
        name = next((s.name for s in choices["stories"] if s.pk == data["story"]), "")
        parts.append(f"within the story “{name}”")
    if data["since"] and data["until"]:
        parts.append(f"from {_day(data['since'])} to {_day(data['until'])}")
    elif data["since"]:
        parts.append(f"from {_day(data['since'])}")
    elif data["until"]:
        parts.append(f"until {_day(data['until'])}")
    kinds = dict(choices["kinds"])
    if data["kind"]:
        parts.append(
            "among " + " and ".join(str(kinds.get(k, k)) for k in data["kind"]) + " outlets"
        )
    if data["country"]:
        parts.append("in " + ", ".join(data["country"]))
    if data["source"]:
        n = len(data["source"])
        parts.append(f"among the {n} outlet{'s' if n != 1 else ''} chosen")
    if data["article"]:
        n = len(data["article"])
        parts.append(f"in the {n} article{'s' if n != 1 else ''} chosen")
    if passages_filtered:
        parts.append("among the passages that match the filters")
    if gold:
        parts.append("in the adjudicated layer")
    return ", ".join(parts) or "in the whole project"


def scope_short(
    filters: AnnotationFilter, *, passages_filtered: bool = False, gold: bool = False
) -> str:
    """The selection in two or three words, beside each blind spot ("within this story")."""
    if not filters.is_valid():
        return ""
    data = filters.cleaned_data
    if data["story"]:
        words = "within this story"
    elif data["since"] or data["until"]:
        words = "in this period"
    elif any(data[key] for key in ("article", "source", "kind", "country")):
        words = "in this selection"
    else:
        words = "in the project"
    if gold:
        words += ", adjudicated"
    return f"{words}, among the passages filtered" if passages_filtered else words


def _day(value) -> str:
    return date_format(value, "j M Y")
