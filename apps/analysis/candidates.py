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
without changing the screens."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.models import User
from apps.analysis import search
from apps.analysis.models import RejectedCandidate
from apps.annotations import trees
from apps.annotations.models import (
    Actor,
    AnchorStatus,
    Annotation,
    AnnotationTag,
    Claim,
    Layer,
    Tag,
)
from apps.corpus.models import Article, Source
from apps.corpus.sentences import sentence_spans
from apps.projects import visibility
from apps.projects.models import Membership

ORPHANED = AnchorStatus.ORPHANED
EMPTY = mark_safe("")
THRESHOLD = 30.0
PER_OUTLET = 5
PER_ARTICLE = 3
QUOTES = 10
TERMS = 16
ARTICLES_PER_OUTLET = 4
ACTOR_BONUS = 5.0
WEIGHT = 0.7  # of the weighted word share in a score; the rest is token-set similarity

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# Function words (English, the corpora's language so far): they say nothing of a claim.
_STOP_WORDS = """a about after against all also am an and any are as at be because been before
    being between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own said
    same says she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your mr ms told say according"""
_STOP = frozenset(_STOP_WORDS.split())


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


def find(target: Claim | Tag, articles: QuerySet[Article], *, user: User | None) -> Found:
    """The candidates for ``target`` among ``articles`` (a selection of its project), for
    ``user`` (whose rejected candidates are left out)."""
    # (annotation, article), the latest first; blind coding hides others' from an analyst
    coded = _coded(target, seen_by=visibility.member(user, target.project_id))
    texts = _profile(target, [pk for pk, _ in coded[:QUOTES]])
    stems = [_content(text) for text in texts]
    query = _query(stems)
    found = Found(profile=len(texts))
    # Counted here: joined to the selection's articles, the database took 110 ms for a
    # claim of 7,000 passages among 10,000 articles; two plain reads take 15.
    outlet_of = dict(articles.values_list("pk", "source_id"))
    counts = Counter(outlet_of[article] for _, article in coded if article in outlet_of)
    found.outlets = [
        Outlet(source, coded=counts[source.pk])
        for source in Source.objects.filter(pk__in=set(outlet_of.values())).order_by("name")
    ]
    if query is None:
        return found
    # Each outlet's best articles, not the best of all: an outlet whose articles all rank
    # below the others' must still be read before "no candidate" is said of it.
    ranked = search.best_per_source(query, articles, per_source=ARTICLES_PER_OUTLET)
    found.searched = len(ranked)
    taken = _taken(target, coded, ranked, user)
    vocabulary = {word for text in stems for word in text}
    units = [
        unit
        for article in Article.objects.filter(pk__in=ranked).select_related("source")
        for unit in _units(article, taken.get(article.pk, []), vocabulary)
    ]
    best: dict[int, list[Candidate]] = {}
    for candidate in _ranked(units, stems, _Names([pk for pk, _ in coded[:500]])):
        best.setdefault(candidate.article.source_id, []).append(candidate)
    for outlet in found.outlets:
        mine = sorted(best.get(outlet.source.pk, []), key=lambda c: (-c.score, c.article.pk))
        outlet.candidates = mine[:PER_OUTLET]
        for candidate in outlet.candidates:
            passage = candidate.article.text[candidate.start : candidate.end]
            candidate.html = _marked(passage, vocabulary)
    found.outlets.sort(
        key=lambda o: (-(o.candidates[0].score if o.candidates else 0), o.source.name)
    )
    return found


def _coded(target: Claim | Tag, *, seen_by: Membership | None) -> list[tuple[int, int]]:
    """The passages coded with ``target`` or under it, as (annotation, article) ids, the
    latest first (claims and tags belong to one project: their passages are its). An
    orphaned passage is not among them: its offsets are of a former text, and would
    hide what is there now. Nor is an adjudicated one: "coded" is the coders' work
    (their layer), and an adjudicated passage settles theirs, on the same words."""
    if isinstance(target, Claim):
        ids = trees.subtree_ids(Claim.objects.filter(project_id=target.project_id), target.pk)
        seen = visibility.condition(seen_by)
        coded = Annotation.objects.filter(seen, claim_id__in=ids, layer=Layer.CODER).exclude(
            anchor_status=ORPHANED
        )
        return sorted(coded.order_by().values_list("pk", "article_id"), reverse=True)
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
    return sorted(found.items(), reverse=True)


def _profile(target: Claim | Tag, latest: list[int]) -> list[str]:
    own = target.text if isinstance(target, Claim) else f"{target.name}. {target.description}"
    quotes = Annotation.objects.filter(pk__in=latest).order_by("-pk")
    return [own, *dict.fromkeys(quotes.values_list("quote", flat=True))]


def _bare(word: str) -> str:
    """A word as names are compared: case and a possessive aside ("Russia's")."""
    return word.casefold().replace("’", "'").removesuffix("'s")


@functools.lru_cache(maxsize=50_000)  # the same words, again and again
def _stem(word: str) -> str:
    """A word without its ending, roughly: enough for "bombing" to meet "bombed", and
    "Russian" "Russia"."""
    word = _bare(word)
    for ending in ("ings", "ing", "edly", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    if word.endswith("ian") and len(word) > 5:
        return word[:-1]
    return word


def _content(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text) if w.casefold() not in _STOP and len(w) > 2]


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
    target: Claim | Tag, coded: list[tuple[int, int]], ids: list[int], user: User | None
) -> dict[int, list[tuple]]:
    """Spans a candidate may not overlap, by article of ``ids``: coded with the target
    (or under it), or rejected for it by ``user``."""
    taken: dict[int, list[tuple]] = {}
    read = set(ids)
    mine = [pk for pk, article in coded if article in read]
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


class _Names:
    """The names (and other names) of the actors who speak or are blamed in the coded
    passages, found in a passage word by word (a pattern of hundreds of names, tried at
    every letter, took 0.4 s for the passages of one search)."""

    def __init__(self, coded: list[int]):
        ids: set[int] = set()
        people = Annotation.objects.filter(pk__in=coded).values_list("speaker_id", "target_id")
        for speaker, target in people:
            ids.update(pk for pk in (speaker, target) if pk)
        self.starts: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for actor in Actor.objects.filter(pk__in=ids).only("pk", "name", "aliases"):
            for name in [actor.name, *actor.alias_list]:
                words = tuple(_bare(w) for w in _WORD.findall(name))
                if words and len(name) > 2:
                    self.starts.setdefault(words[0], []).append((words, actor.pk))

    def count(self, passage: str) -> int:
        """How many of the actors the passage names."""
        if not self.starts:
            return 0
        words = _WORD.findall(passage.casefold().replace("’", "'"))
        found = set()
        for i, word in enumerate(words):
            for name, actor in self.starts.get(word.removesuffix("'s"), ()):
                following = words[i : i + len(name)]
                if len(following) == len(name) and all(
                    w.removesuffix("'s") == n for w, n in zip(following, name, strict=True)
                ):
                    found.add(actor)
        return len(found)


@dataclass
class _Unit:
    article: Article
    start: int
    end: int
    words: list[str]


def _units(article: Article, taken: list[tuple], vocabulary: set[str]) -> list[_Unit]:
    """The article's sentences, and pairs of neighbouring sentences of a paragraph, that
    overlap no span of ``taken``; a pair only if one of its sentences has a word of
    ``vocabulary`` (the profile's), or it could not score."""
    text = article.text
    sentences = [(start, end, _content(text[start:end])) for start, end in sentence_spans(text)]
    units = [_Unit(article, start, end, words) for start, end, words in sentences]
    for (s1, e1, w1), (s2, e2, w2) in itertools.pairwise(sentences):
        if "\n" not in text[e1:s2] and not (vocabulary.isdisjoint(w1) or vocabulary.isdisjoint(w2)):
            units.append(_Unit(article, s1, e2, w1 + w2))
    return [
        unit
        for unit in units
        if not any(unit.start < t_end and t_start < unit.end for t_start, t_end in taken)
    ]


@dataclass
class _Text:
    """A text of the profile, ready to be compared with: its words, their weight, and
    them joined for rapidfuzz."""

    words: set[str]
    weight: float
    joined: str


def score(words: list[str], profile: list[_Text], idf: dict[str, float]) -> float:
    """How much a passage (its content words) says what a text of the profile says,
    0–100, the best over the profile: the weighted share of the text's words it has,
    with rapidfuzz's token-set similarity; 0 with fewer than two words in common."""
    own = set(words)
    return _best(own, " ".join(words), _weight(own, idf), profile, idf)


def _weight(words: set[str], idf: dict[str, float]) -> float:
    return sum(idf.get(w, 1.0) for w in words) or 1.0


def _best(
    own: set[str], joined: str, weight: float, profile: list[_Text], idf: dict[str, float]
) -> float:
    from rapidfuzz import fuzz  # on use: a worker that never looks for candidates spares it

    best = 0.0
    for text in profile:
        shared = own & text.words
        if len(shared) < 2:
            continue
        common = sum(idf.get(w, 1.0) for w in shared)
        coverage, focus = common / text.weight, common / weight
        dice = 2 * coverage * focus / (coverage + focus)
        similar = fuzz.token_set_ratio(joined, text.joined) / 100
        best = max(best, 100 * (WEIGHT * dice + (1 - WEIGHT) * similar))
    return best


def _ranked(units: list[_Unit], stems: list[list[str]], actors: _Names) -> list[Candidate]:
    """The units scoring at least the threshold, best first, each article's best that
    overlap no better one (at most ``PER_ARTICLE``)."""
    frequency = Counter(word for unit in units for word in set(unit.words))
    idf = {word: math.log((len(units) + 1) / (n + 1)) + 1 for word, n in frequency.items()}
    profile = [
        _Text(set(text), sum(idf.get(w, 1.0) for w in set(text)) or 1.0, " ".join(text))
        for text in stems
    ]
    shared = {word for text in stems for word in text}
    scored = []
    for unit in units:
        words = set(unit.words)
        if len(words & shared) < 2:  # cannot score: spares most of the comparing
            continue
        value = _best(words, " ".join(unit.words), _weight(words, idf), profile, idf)
        if not value:
            continue
        passage = unit.article.text[unit.start : unit.end]
        # A name can only add 2 × ACTOR_BONUS: a passage further below is not looked at.
        if value + 2 * ACTOR_BONUS >= THRESHOLD:
            value += ACTOR_BONUS * min(2, actors.count(passage))
        if value >= THRESHOLD:
            scored.append((min(value, 100.0), unit))
    kept: dict[int, list[Candidate]] = {}
    for value, unit in sorted(scored, key=lambda x: (-x[0], x[1].article.pk, x[1].start)):
        mine = kept.setdefault(unit.article.pk, [])
        if len(mine) < PER_ARTICLE and all(
            unit.end <= c.start or c.end <= unit.start for c in mine
        ):
            # Marked later, for the candidates shown only.
            mine.append(Candidate(unit.article, unit.start, unit.end, round(value, 1), EMPTY))
    return [c for mine in kept.values() for c in mine]


def _marked(passage: str, shared: set[str]) -> SafeString:
    """The passage, escaped, with its words shared with the profile in ``<mark>``."""
    pieces, at = [], 0
    for match in _WORD.finditer(passage):
        word = match.group()
        if word.casefold() in _STOP or _stem(word) not in shared:
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
