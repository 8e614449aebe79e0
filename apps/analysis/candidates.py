"""Finding where a claim (or a tag) is carried but nobody has coded it yet: passages of
the selection's articles ranked by how much they say what its coded passages say.

The method, stated on the page and in the user guide:

1. **Profile.** The claim's text (or the tag's name and rule) and the quotes of up to
   ``QUOTES`` passages already coded with it or with a claim or tag under it, in any
   outlet (the latest first).
2. **Retrieval.** The profile's most frequent content words (function words left out,
   each word's ending cut so that "bombing" finds "bombed", ``TERMS`` of them) are looked
   for with the search index (PostgreSQL full-text ranking or SQLite FTS5's bm25, through
   ``search.best_per_source``), any of them; each outlet's ``ARTICLES_PER_OUTLET``
   best articles are read (an outlet is judged on its own articles, not left out
   because others' rank higher).
3. **Re-ranking.** Each sentence of those articles, and each pair of neighbouring
   sentences of a paragraph, is scored against each text of the profile, keeping the
   best: ``WEIGHT`` of the score is how much of the text's words the passage has and how
   much of the passage is those words (the two shares' harmonic mean, each word weighted
   by how rare it is among the passages read), the rest rapidfuzz's token-set
   similarity, on content words only; a passage sharing fewer than two content words with
   a text scores 0 against it. A name (or other name) of an actor who speaks or is blamed
   in the coded passages adds ``ACTOR_BONUS`` (once per actor, at most twice).
4. **Candidates** are the passages scoring at least ``THRESHOLD`` that do not overlap a
   passage coded with the claim (or under it) nor one this analyst rejected for it: the
   best of each article, then the best ``PER_OUTLET`` of each outlet.

``find`` is the one entry point: a semantic model could replace steps 2 and 3 behind it
without changing the screens. Step 3 is ``candidate_scores.py``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.models import User
from apps.analysis import search
from apps.analysis.candidate_scores import (
    PER_OUTLET,
    STOP,
    WORD,
    Names,
    best,
    content,
    stem,
    units,
)
from apps.analysis.candidate_scores import THRESHOLD as THRESHOLD  # stated on the pages
from apps.analysis.models import RejectedCandidate
from apps.annotations import trees
from apps.annotations.models import (
    AnchorStatus,
    Annotation,
    AnnotationTag,
    Claim,
    Layer,
    Tag,
)
from apps.corpus.models import Article, Source
from apps.projects import visibility
from apps.projects.models import Membership

ORPHANED = AnchorStatus.ORPHANED
EMPTY = mark_safe("")
QUOTES = 10
NAMES_FROM = 500  # the latest coded passages whose speakers and targets are looked for
TERMS = 16
ARTICLES_PER_OUTLET = 4


@dataclass
class Candidate:
    article: Article
    start: int
    end: int
    score: float
    html: SafeString  # the passage, its words shared with the profile marked


@dataclass
class Outlet:
    """An outlet of the selection, and what it has of the claim or tag: passages coded
    with it, candidates, or neither (no candidate above the threshold)."""

    source: Source
    coded: int = 0
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.coded:
            return "coded"
        return "candidates" if self.candidates else "none"


@dataclass
class Found:
    """A claim's or a tag's candidates in a selection, by outlet (the best first)."""

    outlets: list[Outlet] = field(default_factory=list)
    searched: int = 0  # articles read
    profile: int = 0  # texts the passages were compared with

    @property
    def count(self) -> int:
        return sum(len(outlet.candidates) for outlet in self.outlets)

    @property
    def with_candidates(self) -> list[Outlet]:
        return [outlet for outlet in self.outlets if outlet.candidates]

    @property
    def by_state(self) -> dict[str, list[Outlet]]:
        """The outlets in each state, by name."""
        states: dict[str, list[Outlet]] = {"coded": [], "candidates": [], "none": []}
        for outlet in sorted(self.outlets, key=lambda o: o.source.name.casefold()):
            states[outlet.state].append(outlet)
        return states


def find(target: Claim | Tag, articles: QuerySet[Article], *, user: User | None) -> Found:
    """The candidates for ``target`` among ``articles`` (a selection of its project), for
    ``user`` (whose rejected candidates are left out)."""
    # annotation → article; blind coding hides others' from an analyst
    coded = _coded(target, seen_by=visibility.member(user, target.project_id))
    # Sorted, not a heap's largest: read nearly in id order, timsort takes 60,000 ids in
    # half a millisecond, heapq.nlargest in 12.
    latest = sorted(coded, reverse=True)[:NAMES_FROM]
    texts = _profile(target, latest[:QUOTES])
    stems = [content(text) for text in texts]
    query = _query(stems)
    found = Found(profile=len(texts))
    # Counted here: joined to the selection's articles, the database took 110 ms for a
    # claim of 7,000 passages among 10,000 articles; two plain reads take 15.
    outlet_of = dict(articles.values_list("pk", "source_id"))
    counts = Counter(outlet_of[article] for article in coded.values() if article in outlet_of)
    found.outlets = [
        Outlet(source, coded=counts[source.pk])
        for source in Source.objects.filter(pk__in=set(outlet_of.values())).order_by("name")
    ]
    if query is None or not outlet_of:  # nothing to look for, or nowhere to look
        return found
    # Each outlet's best articles, not the best of all: an outlet whose articles all rank
    # below the others' must still be read before "no candidate" is said of it.
    ranked = search.best_per_source(query, articles, per_source=ARTICLES_PER_OUTLET)
    found.searched = len(ranked)
    taken = _taken(target, coded, ranked, user)
    vocabulary = {word for text in stems for word in text}
    read = Article.objects.filter(pk__in=ranked).select_related("source").defer("raw")
    passages = [
        unit for article in read for unit in units(article, taken.get(article.pk, []), vocabulary)
    ]
    by_outlet: dict[int, list[Candidate]] = {}
    for value, unit in best(passages, stems, Names.of_coded(latest)):
        candidate = Candidate(unit.article, unit.start, unit.end, round(value, 1), EMPTY)
        by_outlet.setdefault(unit.article.source_id, []).append(candidate)  # marked below
    for outlet in found.outlets:
        mine = sorted(by_outlet.get(outlet.source.pk, []), key=lambda c: (-c.score, c.article.pk))
        outlet.candidates = mine[:PER_OUTLET]
        for candidate in outlet.candidates:
            passage = candidate.article.text[candidate.start : candidate.end]
            candidate.html = _marked(passage, vocabulary)
    found.outlets.sort(
        key=lambda o: (-(o.candidates[0].score if o.candidates else 0), o.source.name)
    )
    return found


def _coded(target: Claim | Tag, *, seen_by: Membership | None) -> dict[int, int]:
    """The passages coded with ``target`` or under it, as annotation → article ids
    (claims and tags belong to one project: their passages are its). An
    orphaned passage is not among them: its offsets are of a former text, and would
    hide what is there now. Nor is an adjudicated one: "coded" is the coders' work
    (their layer), and an adjudicated passage settles theirs, on the same words."""
    if isinstance(target, Claim):
        ids = trees.subtree_ids(Claim.objects.filter(project_id=target.project_id), target.pk)
        seen = visibility.condition(seen_by)
        coded = Annotation.objects.filter(seen, claim_id__in=ids, layer=Layer.CODER).exclude(
            anchor_status=ORPHANED
        )
        return dict(coded.order_by().values_list("pk", "article_id"))
    ids = trees.subtree_ids(Tag.objects.filter(project_id=target.project_id), target.pk)
    # The tag links hold the article: the annotations are not read, but for the few that
    # are orphaned (joined to the links, and made distinct, the query took 0.56 s on
    # PostgreSQL for a tag of 40,000 passages; this way 0.1 s).
    seen = visibility.condition(seen_by, "annotation__")  # no join unless blind coding hides
    links = AnnotationTag.objects.filter(seen, tag_id__in=ids).order_by()
    found = dict(links.values_list("annotation_id", "article_id"))  # once, whatever its tags
    in_project = Annotation.objects.filter(article__project_id=target.project_id)
    # Each through its partial index: the orphaned and the adjudicated are the few.
    orphaned = in_project.filter(anchor_status=ORPHANED).values_list("pk", flat=True)
    adjudicated = in_project.filter(layer=Layer.GOLD).values_list("pk", flat=True)
    for pk in [*orphaned, *adjudicated]:
        found.pop(pk, None)
    return found


def _profile(target: Claim | Tag, latest: list[int]) -> list[str]:
    own = target.text if isinstance(target, Claim) else f"{target.name}. {target.description}"
    quotes = Annotation.objects.filter(pk__in=latest).order_by("-pk")
    return [own, *dict.fromkeys(quotes.values_list("quote", flat=True))]


def _query(stems: list[list[str]]) -> search.Query | None:
    """The profile's most frequent content words (the claim's own count twice), any of
    them, each as a word beginning."""
    # Each text counts a word once; in order, so that ties between words fall the same
    # way in every process (a set's order changes with the hash seed).
    counts = Counter(stems[0] * 2 + [word for text in stems[1:] for word in dict.fromkeys(text)])
    # As the search index splits words ("al-Sham" is two, "moderate'" one).
    words = list(
        dict.fromkeys(
            parts[0]
            for word, _ in counts.most_common(TERMS)
            if len(parts := search.WORD.findall(word)) == 1 and len(parts[0]) >= 3
        )
    )
    if not words:
        return None
    terms = tuple(search.Term((word,), prefix=len(word) >= 4) for word in words)
    return search.Query(" ".join(words), terms, any_term=True)


def _taken(
    target: Claim | Tag, coded: dict[int, int], ids: list[int], user: User | None
) -> dict[int, list[tuple]]:
    """Spans a candidate may not overlap, by article of ``ids``: coded with the target
    (or under it), or rejected for it by ``user``."""
    taken: dict[int, list[tuple]] = {}
    read = set(ids)
    mine = [pk for pk, article in coded.items() if article in read]
    spans = Annotation.objects.filter(pk__in=mine).values_list("article_id", "start", "end")
    for article_id, start, end in spans:
        taken.setdefault(article_id, []).append((start, end))
    if user is not None:
        rejected = RejectedCandidate.objects.filter(
            Q(claim=target) if isinstance(target, Claim) else Q(tag=target),
            user=user,
            article_id__in=ids,
            text_hash=F("article__content_hash"),  # rejected in the text it still has
        )
        for article_id, start, end in rejected.values_list("article_id", "start", "end"):
            taken.setdefault(article_id, []).append((start, end))
    return taken


def _marked(passage: str, shared: set[str]) -> SafeString:
    """The passage, escaped, with its words shared with the profile in ``<mark>``."""
    pieces, at = [], 0
    for match in WORD.finditer(passage):
        word = match.group()
        if word.casefold() in STOP or stem(word) not in shared:
            continue
        pieces += [escape(passage[at : match.start()]), f"<mark>{escape(word)}</mark>"]
        at = match.end()
    pieces.append(escape(passage[at:]))
    return mark_safe("".join(pieces))  # every piece of text escaped above


def reject(
    *, user: User, claim: Claim | None, tag: Tag | None, article: Article, start: int, end: int
) -> None:
    """Remember that ``user`` says this passage does not carry ``claim`` (or ``tag``)."""
    RejectedCandidate.objects.update_or_create(
        user=user,
        claim=claim,
        tag=tag,
        article=article,
        start=start,
        end=end,
        defaults={"text_hash": article.content_hash},
    )
