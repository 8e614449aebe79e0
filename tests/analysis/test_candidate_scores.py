"""Scoring passages against a profile: scoring only as far as needed gives each outlet
exactly the candidates that scoring every passage gives."""

import random
from types import SimpleNamespace

import pytest
from rapidfuzz import fuzz

from apps.analysis import candidate_scores as scores

WORDS = [
    "russian",
    "jets",
    "bombed",
    "hospital",
    "aleppo",
    "civilians",
    "killed",
    "market",
    "ceasefire",
    "rebels",
    "talks",
    "geneva",
    "moscow",
    "washington",
    "opposition",
    "convoy",
    "strike",
    "blame",
    "denied",
    "truce",
    "violated",
]


def _articles(rng: random.Random, *, outlets: int, per_outlet: int) -> list[SimpleNamespace]:
    articles = []
    for pk in range(1, outlets * per_outlet + 1):
        paragraphs = [
            " ".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))).capitalize() + "."
                for _ in range(rng.randint(1, 4))
            )
            for _ in range(rng.randint(2, 5))
        ]
        text = "\n\n".join(paragraphs)
        articles.append(SimpleNamespace(pk=pk, source_id=pk % outlets, text=text))
    return articles


def _every_unit_scored(units, stems, names) -> dict[int, list[tuple]]:
    """The rule, written out: every unit scored against every text, the bonus added, each
    article's best that overlap no better one, an outlet's best by rounded score."""
    frequency: dict[str, int] = {}
    for unit in units:
        for word in unit.words:
            frequency[word] = frequency.get(word, 0) + 1
    idf = {w: scores.math.log((len(units) + 1) / (n + 1)) + 1 for w, n in frequency.items()}
    scored = []
    for unit in units:
        best = 0.0
        for text in stems:
            words = set(text)
            shared = unit.words & words
            if len(shared) < 2:
                continue
            common = sum(idf.get(w, 1.0) for w in shared)
            coverage = common / (sum(idf.get(w, 1.0) for w in words) or 1.0)
            focus = common / sum(idf[w] for w in unit.words)
            dice = 2 * coverage * focus / (coverage + focus)
            similar = fuzz.token_set_ratio(" ".join(unit.words), " ".join(text)) / 100
            best = max(best, 100 * (scores.WEIGHT * dice + (1 - scores.WEIGHT) * similar))
        if not best:
            continue
        passage = unit.article.text[unit.start : unit.end]
        best += scores.ACTOR_BONUS * min(2, names.count(passage))
        if best >= scores.THRESHOLD:
            scored.append((min(best, 100.0), unit))
    by_outlet: dict[int, list[tuple]] = {}
    for value, unit in scores._picked(scored):
        by_outlet.setdefault(unit.article.source_id, []).append((value, unit))
    return {outlet: _shown(found) for outlet, found in by_outlet.items()}


def _shown(found: list[tuple]) -> list[tuple]:
    ordered = sorted(found, key=lambda f: (-round(f[0], 1), f[1].article.pk))
    return [(round(v, 1), u.article.pk, u.start, u.end) for v, u in ordered[: scores.PER_OUTLET]]


@pytest.mark.parametrize("seed", range(8))
def test_scoring_as_far_as_needed_gives_what_scoring_everything_gives(seed):
    rng = random.Random(seed)
    articles = _articles(rng, outlets=3, per_outlet=15)
    profile = [" ".join(rng.sample(WORDS, rng.randint(3, 8))) for _ in range(rng.randint(1, 5))]
    stems = [scores.content(text) for text in profile]
    vocabulary = {word for text in stems for word in text}
    units = [unit for article in articles for unit in scores.units(article, [], vocabulary)]
    names = scores.Names.__new__(scores.Names)  # no database: the names set by hand
    names.starts = {"moscow": [(("moscow",), 1)], "geneva": [(("geneva", "talks"), 2)]}

    found: dict[int, list[tuple]] = {}
    for value, unit in scores.best(units, stems, names):
        found.setdefault(unit.article.source_id, []).append((value, unit))

    expected = _every_unit_scored(units, stems, names)
    assert {outlet: _shown(f) for outlet, f in found.items()} == expected
    assert sum(map(len, expected.values())) > 0  # the seeds do find candidates
