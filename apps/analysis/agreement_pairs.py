"""Claims, speakers and stances on passages both coders marked (``agreement.py``).

In each article, the passages of two coders are paired one to one: the two that share
most characters first (ties: the earlier starts, then the older passages); a passage
that overlaps none of the other coder's is not compared. Claim and speaker are compared
on every pair (no claim, or no speaker, is a value); voice and position on the pairs
where both gave a claim (a part not given is a value), since a stance needs a claim.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import QuerySet

from apps.analysis.reliability import Pattern, Value
from apps.corpus.models import Article

# What is compared on paired passages: the field, and its label.
PASSAGE_FIELDS = {"claim": "Claim", "speaker": "Speaker", "voice": "Voice", "position": "Position"}
NONE = ""  # no claim, no speaker, a part of the stance not given: a value like another


def assigned_coders(articles: QuerySet[Article] | list[int]) -> dict[int, set[int]]:
    """The coders of record of the articles that have assignments (``coding``'s
    ``Assignment``, reached by its relation's name): there, only their passages are
    compared and adjudicated; someone else's passage on such an article (an owner's
    example, a passing correction) is not part of the double coding. An article nobody
    was assigned is coded by whoever annotated it."""
    found: defaultdict[int, set[int]] = defaultdict(set)
    rows = Article.objects.filter(pk__in=articles, assignments__isnull=False).order_by()
    for article, coder in rows.values_list("pk", "assignments__coder_id"):
        found[article].add(coder)
    return found


def of_record(article: int, coder: int, assigned: dict[int, set[int]]) -> bool:
    """Whether ``coder``'s passages on ``article`` are compared (``assigned_coders``)."""
    return article not in assigned or coder in assigned[article]


@dataclass(slots=True)
class CodedPassage:
    """A passage as the figures read it."""

    pk: int
    article: int
    coder: int
    start: int
    end: int  # start == end: no place in the text (orphaned)
    claim: int | None
    speaker: int | None
    voice: str
    position: str
    tags: list[int] = field(default_factory=list)


def passage_patterns(placed: list[CodedPassage], n: int) -> dict[str, Counter[Pattern]]:
    """One article's paired passages as patterns of its ``n`` coders (by place), per
    field compared: each pair is a unit valued by its two coders."""
    found: dict[str, Counter[Pattern]] = {name: Counter() for name in PASSAGE_FIELDS}
    by_coder: defaultdict[int, list[CodedPassage]] = defaultdict(list)
    for passage in placed:
        by_coder[passage.coder].append(passage)
    for first, second in combinations(sorted(by_coder), 2):
        for a, b in pair_passages(by_coder[first], by_coder[second]):
            for name in PASSAGE_FIELDS:
                if name in ("voice", "position") and None in (a.claim, b.claim):
                    continue  # a stance is only given with a claim
                pattern: list[Value | None] = [None] * n
                pattern[first], pattern[second] = _value(a, name), _value(b, name)
                found[name][tuple(pattern)] += 1
    return found


def _value(passage: CodedPassage, name: str) -> Value:
    value = getattr(passage, name)
    return NONE if value is None else value


def pair_passages(
    first: list[CodedPassage], second: list[CodedPassage]
) -> list[tuple[CodedPassage, CodedPassage]]:
    """Two coders' passages of one article, paired one to one: the two that share most
    characters first, then the earlier starts, then the older passages."""
    ordered = sorted(second, key=lambda p: p.start)
    starts = [p.start for p in ordered]
    candidates = []
    for a in first:
        for b in ordered[: bisect_left(starts, a.end)]:
            shared = min(a.end, b.end) - max(a.start, b.start)
            if shared > 0:
                candidates.append(((-shared, a.start, b.start, a.pk, b.pk), a, b))
    candidates.sort(key=lambda c: c[0])
    taken: set[tuple[int, int]] = set()
    pairs = []
    for _, a, b in candidates:
        if (0, a.pk) not in taken and (1, b.pk) not in taken:
            taken.update(((0, a.pk), (1, b.pk)))
            pairs.append((a, b))
    return pairs
