"""Inter-coder agreement: how far the coders of a selection agree on its tags, and on the
claims, speakers and stances of the passages they both marked. The coefficients are in
``reliability.py``; this module decides what is compared, by these rules (the page's
"how to read this" says the same in plain words):

- **Unit**: a sentence of the article's canonical text (``corpus/sentences.py``:
  paragraphs on blank lines, then sentences), or, as an option, a character (every code
  point of the text). Runs of characters whose values are all equal are weighed by their
  length rather than listed one by one, which gives the same figures.
- **Value** of a coder for a unit and a tag: whether one of the coder's passages of the
  selection carrying the tag *or a tag under it* (the counting rule of the comparisons,
  ``annotations/trees.py``) shares at least one character with the unit.
- **Missing**: a coder who made no annotation in an article (whatever the filters on
  passages keep) is missing for all of its units, not "without the tag"; Krippendorff's
  alpha leaves out what is missing, and a unit with a value from one coder only. An
  orphaned passage has no place in the text: it marks its article as coded, no unit.
- **Coders**: on an article with assignments, its assigned coders (its coders of
  record: another member's passage there is not double coding); on any other article,
  whoever annotated it (the annotator filter keeps one coder only, and so leaves nothing
  to compare).
- **Overall** pools the (unit, tag) decisions of every tag someone used in the scope,
  each tag as itself (a parent only for passages coded with the parent itself), so no
  passage counts twice; a tag nobody used would add agreement on nothing.
- **Per outlet**: the same, on the outlet's articles alone.
- **Claims, speakers, stances** on passages both coders marked: the passages of two
  coders in an article are paired one to one, and each pair is a unit valued by its two
  coders (``agreement_pairs.py`` has the pairing rule and what is compared).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models.functions import Length

from apps.accounts.models import User
from apps.analysis import dimensions
from apps.analysis.agreement_pairs import (
    NONE,
    PASSAGE_FIELDS,
    CodedPassage,
    assigned_coders,
    of_record,
    passage_patterns,
)
from apps.analysis.reliability import (
    Coefficient,
    Pattern,
    Value,
    cohen_kappa,
    krippendorff_alpha,
    runs,
)
from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import AnchorStatus, Annotation, AnnotationTag, Layer
from apps.corpus.sentences import sentence_spans
from apps.projects import visibility
from apps.projects.models import Project

UNITS = {"sentence": "Sentences", "character": "Characters"}


@dataclass(frozen=True)
class Pair:
    """Two coders, on the units both coded."""

    first: str
    second: str
    kappa: Coefficient
    percent: Coefficient  # 0–100
    units: int


@dataclass(frozen=True)
class Figures:
    """The agreement on one tag (or on all tags, a claim, a speaker, a stance part)."""

    key: str  # "tag-<id>", "overall", or a passage field
    label: str
    alpha: Coefficient
    units: int  # units with values from two coders or more
    coders: int
    pairs: list[Pair]
    depth: int = 0
    parent: str = ""

    @property
    def tag_id(self) -> int | None:
        """The tag's id, for the figures of a tag."""
        return int(self.key[4:]) if self.key.startswith("tag-") else None


@dataclass(frozen=True)
class Scope:
    """The figures of the whole selection, or of one outlet's articles in it."""

    key: str  # "all" or "outlet-<id>"
    label: str
    articles: int
    double_coded: int  # articles two coders or more annotated
    tags: list[Figures]
    overall: Figures
    passages: list[Figures]

    @property
    def figures(self) -> list[Figures]:
        return [*self.tags, self.overall, *self.passages]


@dataclass(frozen=True)
class Agreement:
    unit: str
    coders: list[str]  # usernames, in the order of the patterns
    whole: Scope
    outlets: list[Scope]

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit]

    @property
    def scopes(self) -> list[Scope]:
        return [self.whole, *self.outlets]


def _counters() -> defaultdict:
    return defaultdict(Counter)


@dataclass
class _Tally:
    """The patterns of one scope. A tag's patterns are listed for the articles where
    someone used it; elsewhere every present coder said "no" to all of an article's
    units, which ``zeros`` holds once for every tag (``seen`` takes back the articles
    where the tag was listed)."""

    articles: int = 0
    double_coded: int = 0
    zeros: Counter[Pattern] = field(default_factory=Counter)
    listed: defaultdict[object, Counter[Pattern]] = field(default_factory=_counters)
    seen: defaultdict[object, Counter[Pattern]] = field(default_factory=_counters)
    passages: defaultdict[str, Counter[Pattern]] = field(default_factory=_counters)

    def patterns(self, key: object) -> Counter[Pattern]:
        found = self.listed[key] + self.zeros
        found.subtract(self.seen[key])
        return +found

    def used(self, key: object) -> bool:
        return any(True in pattern for pattern in self.listed.get(key, ()))

    def add(self, other: _Tally) -> None:
        self.articles += other.articles
        self.double_coded += other.double_coded
        self.zeros.update(other.zeros)
        for mine, theirs in ((self.listed, other.listed), (self.seen, other.seen)):
            for key, counts in theirs.items():
                mine[key].update(counts)
        for name, counts in other.passages.items():
            self.passages[name].update(counts)


def measure_agreement(
    *, project: Project, filters: AnnotationFilter, user, unit: str = "sentence"
) -> Agreement:
    """The agreement of the selection's coders, on the whole and per outlet, in the same
    number of queries whatever the size (five; six with filters on passages)."""
    if unit not in UNITS:
        raise ValueError(f"Unknown unit of analysis: {unit}")
    filters = filters.coders_only()
    meta = dimensions.row_meta(project, dimensions.ROW_KINDS["tags"])
    subtrees = trees.subtrees({pk: parent for pk, _, _, _, parent in meta})
    rows_of: defaultdict[int, list[object]] = defaultdict(list)  # tag -> the keys it counts in
    for row, members in subtrees.items():
        for tag in members:
            rows_of[tag].append(row)
    # Each tag as itself, for the overall figure: a leaf's own row already is that.
    exact: dict[int, object] = {
        pk: pk if len(subtrees.get(pk, ())) <= 1 else ("exact", pk) for pk, *_ in meta
    }
    for pk, key in exact.items():
        if key != pk:
            rows_of[pk].append(key)
    coders, coded, by_article = read_coders(filters, project, user)
    articles = filters.articles(project).order_by()
    if unit == "sentence":
        rows = articles.values_list("pk", "source_id", "source__name", "text")
    else:
        rows = articles.annotate(size=Length("text")).values_list(
            "pk", "source_id", "source__name", "size"
        )
    tallies: defaultdict[int, _Tally] = defaultdict(_Tally)
    outlets: dict[int, str] = {}
    for article_id, source_id, source_name, text_or_size in rows:
        outlets[source_id] = source_name
        tally = tallies[source_id]
        tally.articles += 1
        present = coded.get(article_id, set())
        if len(present) < 2:
            continue  # nothing in it can be paired
        tally.double_coded += 1
        placed = placed_passages(by_article, article_id)
        _tally_tags(tally, text_or_size, placed, present, len(coders), rows_of)
        for name, found in passage_patterns(placed, len(coders)).items():
            tally.passages[name].update(found)
    whole = _Tally()
    for tally in tallies.values():
        whole.add(tally)
    by_name = sorted(outlets.items(), key=lambda item: (item[1].casefold(), item[0]))
    return Agreement(
        unit=unit,
        coders=coders,
        whole=_scope("all", "All outlets", whole, meta, coders, exact),
        outlets=[
            _scope(f"outlet-{pk}", name, tallies[pk], meta, coders, exact) for pk, name in by_name
        ],
    )


def read_coders(
    filters: AnnotationFilter, project: Project, user
) -> tuple[list[str], dict[int, set[int]], defaultdict[int, list[CodedPassage]]]:
    """The selection's coders (usernames, in the order of the patterns), the coders
    (by place) who annotated each article, and each article's passages (their coder
    by place). Only the coders' layer: adjudicated passages are nobody's coding."""
    filters = filters.coders_only()
    assigned = assigned_coders(filters.articles(project))
    passages = [
        p for p in _passages(filters, project, user) if of_record(p.article, p.coder, assigned)
    ]
    by_user = _coded(filters, project, user, passages)  # article -> its coders' user ids
    for article, coders_there in by_user.items():
        if article in assigned:
            coders_there &= assigned[article]
    names = dict(
        User.objects.filter(pk__in=set().union(*by_user.values())).values_list("pk", "username")
    )
    order = sorted(names, key=lambda pk: (names[pk], pk))
    place = {pk: i for i, pk in enumerate(order)}
    coders = [names[pk] for pk in order]
    coded = {article: {place[pk] for pk in found} for article, found in by_user.items()}
    by_article: defaultdict[int, list[CodedPassage]] = defaultdict(list)
    for passage in passages:
        passage.coder = place[passage.coder]
        by_article[passage.article].append(passage)
    return coders, coded, by_article


def placed_passages(by_article: dict[int, list[CodedPassage]], article: int) -> list[CodedPassage]:
    """An article's passages that have a place in its text."""
    return [p for p in by_article.get(article, ()) if p.start < p.end]


# ``CodedPassage``'s fields in order: whose passage and where, then what is compared.
_READ = ("pk", "article_id", "annotator_id", "start", "end")
_READ_VALUES = ("claim_id", "speaker_id", "voice", "position")


def _passages(filters: AnnotationFilter, project: Project, user) -> list[CodedPassage]:
    """The selection's passages with their tags, in two queries (the coder still as a
    user id). An orphaned passage keeps no place in the text: an empty span here."""
    found: dict[int, CodedPassage] = {}
    selected = filters.annotations(project, user).order_by()
    for *fields, status in selected.values_list(*_READ, *_READ_VALUES, "anchor_status"):
        passage = found[fields[0]] = CodedPassage(*fields)
        if status == AnchorStatus.ORPHANED:
            passage.end = passage.start
    links = AnnotationTag.objects.filter(filters.condition(project, user, "annotation__"))
    for annotation_id, tag_id in links.order_by().values_list("annotation_id", "tag_id"):
        if annotation_id in found:
            found[annotation_id].tags.append(tag_id)
    return list(found.values())


def _coded(
    filters: AnnotationFilter, project: Project, user, passages: list[CodedPassage]
) -> defaultdict[int, set[int]]:
    """Who annotated each article of the selection. Filters on passages hide some of a
    coder's annotations, not the fact that the coder annotated the article (a coder who
    coded it without the tag filtered on said "not this tag"), so then all of the
    articles' annotations are asked; the annotator filter keeps only its coder."""
    coded: defaultdict[int, set[int]] = defaultdict(set)
    for passage in passages:
        coded[passage.article].add(passage.coder)
    if filters.is_valid() and filters.active_on_passages and not filters.cleaned_data["annotator"]:
        # Blind coding: who else coded an article is not for an analyst to learn yet.
        seen = visibility.visible(user, project)
        asked = Annotation.objects.filter(
            seen, article__in=filters.articles(project), layer=Layer.CODER
        ).order_by()
        for article, coder in asked.values_list("article_id", "annotator_id").distinct():
            coded[article].add(coder)
    return coded


def _tally_tags(
    tally: _Tally,
    text_or_size: str | int,
    placed: list[CodedPassage],
    present: set[int],
    n: int,
    rows_of: dict[int, list[object]],
) -> None:
    """One article's patterns for every tag someone used in it, on its units (sentences
    if its text is given, else characters): each passage's span becomes the run of
    units it touches."""
    size, reach = units_of(text_or_size)
    zero = zero_pattern(present, n)
    tally.zeros[zero] += size
    for key, by_coder in tag_ranges(placed, reach, rows_of).items():
        tally.seen[key][zero] += size
        listed = tally.listed[key]
        for pattern, length in runs(size, by_coder, zero):
            listed[pattern] += length


Reach = Callable[[int, int], tuple[int, int]]


def units_of(text_or_size: str | int) -> tuple[int, Reach]:
    """An article's number of units (its sentences if its text is given, else its
    characters), and the run of units ``[low, high)`` that a span of characters
    ``[start, end)`` touches: those sharing at least one character with it."""
    if isinstance(text_or_size, str):
        spans = sentence_spans(text_or_size)
        starts, ends = [s for s, _ in spans], [e for _, e in spans]

        def sentences(start: int, end: int) -> tuple[int, int]:
            return bisect_right(ends, start), bisect_left(starts, end)

        return len(spans), sentences
    size = text_or_size

    def characters(start: int, end: int) -> tuple[int, int]:
        return max(0, start), min(size, end)

    return size, characters


def zero_pattern(present: set[int], n: int) -> Pattern:
    """The pattern of a unit no passage touches: "no" from the article's coders."""
    return tuple(False if i in present else None for i in range(n))


def tag_ranges(
    placed: list[CodedPassage], reach: Reach, rows_of: dict[int, list[object]]
) -> defaultdict[object, defaultdict[int, list[tuple[int, int]]]]:
    """The value of a coder for a unit and a tag (a row key of ``rows_of``), as the runs
    of units where it is "yes": those their passages with the tag (or one counted in
    its row) touch. A unit no run covers is "no" for the article's coders."""
    ranges: defaultdict[object, defaultdict[int, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for passage in placed:
        low, high = reach(passage.start, passage.end)
        if low >= high:
            continue  # only the space between two sentences
        for tag in passage.tags:
            for key in rows_of.get(tag, ()):
                ranges[key][passage.coder].append((low, high))
    return ranges


def why_empty(coders: list[str], double_coded: int) -> str:
    """Why no figure of a scope can be defined, or ""."""
    if len(coders) < 2:
        return "the selection has passages of fewer than two coders"
    if not double_coded:
        return "no article here was annotated by two coders"
    return ""


def _scope(
    key: str,
    label: str,
    tally: _Tally,
    meta: list[tuple],
    coders: list[str],
    exact: dict[int, object],
) -> Scope:
    empty = why_empty(coders, tally.double_coded)
    tags = [
        figures_of(f"tag-{pk}", name, tally.patterns(pk), coders, same_tag, empty, depth, parent)
        for pk, name, depth, parent, _ in meta
    ]
    pooled: Counter[Pattern] = Counter()
    for pk, *_ in meta:
        if tally.used(exact[pk]):
            pooled.update(tally.patterns(exact[pk]))
    overall = figures_of(
        "overall",
        "All tags",
        pooled,
        coders,
        same_tag,
        empty or "nobody used a tag in the articles two coders annotated",
    )
    passages = [
        figures_of(
            name,
            what,
            tally.passages[name],
            coders,
            _same(what.lower()),
            empty or "no passages of two coders overlap",
        )
        for name, what in PASSAGE_FIELDS.items()
    ]
    return Scope(key, label, tally.articles, tally.double_coded, tags, overall, passages)


def figures_of(
    key: str,
    label: str,
    patterns: Counter[Pattern],
    coders: list[str],
    same_value: Callable[[Value], str],
    empty: str,
    depth: int = 0,
    parent: str = "",
) -> Figures:
    if not patterns:
        return Figures(key, label, Coefficient(None, empty), 0, 0, [], depth, parent)
    alpha = krippendorff_alpha(patterns, same_value=same_value)
    pairs = []
    for i, j in combinations(range(len(coders)), 2):
        found = cohen_kappa(patterns, i, j, same_value=same_value)
        if found.units:  # pairs of coders who never coded the same article are left out
            pairs.append(Pair(coders[i], coders[j], found.kappa, found.percent, found.units))
    return Figures(key, label, alpha.coefficient, alpha.units, alpha.coders, pairs, depth, parent)


def same_tag(value: Value) -> str:
    if value:
        return "every unit carries this tag for every coder"
    return "nobody used this tag in the articles two coders annotated"


def _same(what: str) -> Callable[[Value], str]:
    def phrase(value: Value) -> str:
        if value == NONE:
            return f"no paired passage has a {what}"
        return f"every paired passage has the same {what}"

    return phrase
