"""Scoring the sentences of the articles read against a claim's (or a tag's) profile:
step 3 of the method that ``candidates.py`` states, and the words both steps use.

A passage's score against a text of the profile is ``WEIGHT`` of its dice (the harmonic
mean of how much of the text's words it has and how much of it is those words, each word
weighted by how rare it is among the passages read) and the rest rapidfuzz's token-set
similarity, on content words only; fewer than two words in common score 0. A name of an
actor of the coded passages adds ``ACTOR_BONUS`` (once per actor, at most twice)."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from apps.annotations.models import Actor, Annotation
from apps.corpus.models import Article
from apps.corpus.sentences import sentence_spans

THRESHOLD = 30.0
PER_OUTLET = 5
PER_ARTICLE = 3
ACTOR_BONUS = 5.0
WEIGHT = 0.7  # of the weighted word share in a score; the rest is token-set similarity

WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# Function words (English, the corpora's language so far): they say nothing of a claim.
_STOP_WORDS = """a about after against all also am an and any are as at be because been before
    being between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own said
    same says she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your mr ms told say according"""
STOP = frozenset(_STOP_WORDS.split())


def _bare(word: str) -> str:
    """A word as names are compared: case and a possessive aside ("Russia's")."""
    return word.casefold().replace("’", "'").removesuffix("'s")


@functools.lru_cache(maxsize=50_000)  # the same words, again and again
def stem(word: str) -> str:
    """A word without its ending, roughly: enough for "bombing" to meet "bombed", and
    "Russian" "Russia"."""
    word = _bare(word)
    for ending in ("ings", "ing", "edly", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    if word.endswith("ian") and len(word) > 5:
        return word[:-1]
    return word


def content(text: str) -> list[str]:
    """The stems of ``text``'s content words, in order."""
    return [found for word in WORD.findall(text) if (found := _content_stem(word))]


@functools.lru_cache(maxsize=100_000)  # one call a word: the units of 120 articles in 40 ms
def _content_stem(word: str) -> str:
    """A word's stem, or "" for a function word or one of two letters."""
    return "" if len(word) <= 2 or word.casefold() in STOP else stem(word)


class Names:
    """The names (and other names) of the actors who speak or are blamed in the coded
    passages, found in a passage word by word (a pattern of hundreds of names, tried at
    every letter, took 0.4 s for the passages of one search)."""

    def __init__(self, names: Iterable[tuple[str, int]]):
        """``names``: (a name or other name, the actor's id)."""
        self.starts: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for name, actor in names:
            words = tuple(_bare(w) for w in WORD.findall(name))
            if words and len(name) > 2:
                self.starts.setdefault(words[0], []).append((words, actor))

    @classmethod
    def of_coded(cls, coded: list[int]) -> Names:
        """Those of the speakers and targets of the annotations ``coded``."""
        ids: set[int] = set()
        people = Annotation.objects.filter(pk__in=coded).values_list("speaker_id", "target_id")
        for speaker, target in people:
            ids.update(pk for pk in (speaker, target) if pk)
        actors = Actor.objects.filter(pk__in=ids).only("pk", "name", "aliases")
        return cls((name, a.pk) for a in actors for name in [a.name, *a.alias_list])

    def count(self, passage: str) -> int:
        """How many of the actors the passage names."""
        if not self.starts:
            return 0
        words = WORD.findall(passage.casefold().replace("’", "'"))
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
class Unit:
    article: Article
    start: int
    end: int
    words: set[str]  # its content words' stems (rapidfuzz's token-set similarity, too,
    # compares sets: neither order nor repeats change a score)


def units(article: Article, taken: list[tuple], vocabulary: set[str]) -> list[Unit]:
    """The article's sentences, and pairs of neighbouring sentences of a paragraph, that
    overlap no span of ``taken``; a pair only if both of its sentences have a word of
    ``vocabulary`` (the profile's): a claim said across two sentences. Otherwise the
    pair shares no more words with it than one sentence, and scores no more."""
    text = article.text
    sentences = [(start, end, set(content(text[start:end]))) for start, end in sentence_spans(text)]
    units = [Unit(article, start, end, words) for start, end, words in sentences]
    for (s1, e1, w1), (s2, e2, w2) in itertools.pairwise(sentences):
        if "\n" not in text[e1:s2] and not (vocabulary.isdisjoint(w1) or vocabulary.isdisjoint(w2)):
            units.append(Unit(article, s1, e2, w1 | w2))
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


class _Profile:
    """The profile's texts, and which of them have each word."""

    def __init__(self, stems: list[list[str]], idf: dict[str, float]):
        self.idf = idf
        self.texts = [_Text(set(t), _weight(set(t), idf), " ".join(t)) for t in stems]
        self.having: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            for word in text.words:
                self.having.setdefault(word, []).append(i)

    def dices(self, words: set[str]) -> list[tuple[float, int]]:
        """The weighted share of words a passage (its content words) has in common with
        each text it shares two words or more with (the harmonic mean of how much of the
        text's words it has and how much of it is those words), the best first."""
        shared = words.intersection(self.having)
        if len(shared) < 2:  # cannot score: spares most of the comparing
            return []
        common: dict[int, list[float]] = {}
        for word in shared:
            weight = self.idf[word]
            for i in self.having[word]:
                common.setdefault(i, []).append(weight)
        # fsum: a set's order changes with the process's hash seed, and a plain sum's
        # last bit with it (two workers would show different candidates on a tie).
        own = math.fsum(map(self.idf.__getitem__, words))  # every unit's word has its idf
        found = []
        for i, weights in common.items():
            if len(weights) >= 2:
                value = math.fsum(weights)
                coverage, focus = value / self.texts[i].weight, value / own
                found.append((2 * coverage * focus / (coverage + focus), i))
        return sorted(found, reverse=True)

    def score(self, joined: str, dices: list[tuple[float, int]]) -> float:
        """How much a passage says what a text of the profile says, 0–100, the best over
        the texts of ``dices``: its dice with rapidfuzz's token-set similarity."""
        from rapidfuzz import fuzz  # on use: a worker that never looks for candidates spares it

        best = 0.0
        for dice, i in dices:  # the best dice first: the rest can only score less
            if _at_most(dice) <= best:
                break
            similar = fuzz.token_set_ratio(joined, self.texts[i].joined) / 100
            best = max(best, 100 * (WEIGHT * dice + (1 - WEIGHT) * similar))
        return best


def _weight(words: set[str], idf: dict[str, float]) -> float:
    return math.fsum(idf.get(w, 1.0) for w in words) or 1.0


def _at_most(dice: float) -> float:
    """The highest score a passage with this dice can have: the score's own expression
    with the similarity at 1, so that no score is above it, not even by a rounding."""
    return 100 * (WEIGHT * dice + (1 - WEIGHT) * 1.0)


@dataclass
class _Bounded:
    unit: Unit
    dices: list[tuple[float, int]]
    bound: float  # no score of the unit can be higher, a name's bonus included


def best(units: list[Unit], stems: list[list[str]], actors: Names) -> list[tuple[float, Unit]]:
    """Each outlet's best units with their scores: those scoring at least the threshold,
    best first, each article's best that overlap no better one (at most
    ``PER_ARTICLE``); the first ``PER_OUTLET`` of an outlet, by rounded score, are exact."""
    frequency = Counter(itertools.chain.from_iterable(unit.words for unit in units))
    idf = {word: math.log((len(units) + 1) / (n + 1)) + 1 for word, n in frequency.items()}
    profile = _Profile(stems, idf)
    by_outlet: dict[int, list[_Bounded]] = {}
    for unit in units:
        if dices := profile.dices(unit.words):
            bound = min(100.0, _at_most(dices[0][0]) + 2 * ACTOR_BONUS)
            by_outlet.setdefault(unit.article.source_id, []).append(_Bounded(unit, dices, bound))
    return [
        found for bounded in by_outlet.values() for found in _outlet_best(bounded, profile, actors)
    ]


def _outlet_best(
    units: list[_Bounded], profile: _Profile, actors: Names
) -> list[tuple[float, Unit]]:
    """An outlet's best units with their scores. Scored in the order of the highest score
    each could have, and no further than needed: once the outlet has ``PER_OUTLET``
    scoring higher (rounded) than any unit not yet scored could, the rest cannot change
    them. (Scoring every unit of the 120 articles read for a claim among 10,000 took
    130 ms on PostgreSQL; this way, 50.)"""
    units.sort(key=lambda b: (-b.bound, b.unit.article.pk, b.unit.start, b.unit.end))
    scored: list[tuple[float, Unit]] = []
    for n, bounded in enumerate(units):
        if bounded.bound < THRESHOLD:
            break
        if n % 8 == 0 and _enough(_picked(scored), above=bounded.bound + 0.1):
            break
        unit = bounded.unit
        value = profile.score(" ".join(unit.words), bounded.dices)
        # A name can only add 2 × ACTOR_BONUS: a passage further below is not looked at.
        if value + 2 * ACTOR_BONUS >= THRESHOLD:
            value += ACTOR_BONUS * min(2, actors.count(unit.article.text[unit.start : unit.end]))
        if value >= THRESHOLD:
            scored.append((min(value, 100.0), unit))
    return _picked(scored)


def _enough(picked: list[tuple[float, Unit]], *, above: float) -> bool:
    return sum(1 for value, _ in picked if value > above) >= PER_OUTLET


def _picked(scored: list[tuple[float, Unit]]) -> list[tuple[float, Unit]]:
    """The best first, each article's that overlap no better one (``PER_ARTICLE``)."""
    kept: dict[int, list[Unit]] = {}
    picked = []
    # A sentence and the pair it begins can score the same: the sentence first.
    ordered = sorted(scored, key=lambda x: (-x[0], x[1].article.pk, x[1].start, x[1].end))
    for value, unit in ordered:
        mine = kept.setdefault(unit.article.pk, [])
        if len(mine) < PER_ARTICLE and all(
            unit.end <= u.start or u.end <= unit.start for u in mine
        ):
            mine.append(unit)
            picked.append((value, unit))
    return picked
