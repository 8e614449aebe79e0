"""The claim candidates on a generated corpus with planted paraphrases, where the right
answer is known in every outlet: an outlet that carries a claim is never called
"no candidate" (a false blind spot), a paraphrase close to the claim's words is always
in its outlet's list, and nothing planted survives the evaluation."""

import json

import pytest

from apps.corpus.models import Article, Source
from apps.sampledata.candidates_planted import PLANTED_FILE, evaluate_planted, planted_table
from apps.sampledata.demo import load_demo


@pytest.fixture
def demo(db):
    return load_demo(with_users=True).project


def test_the_planted_set_covers_every_demo_claim(demo):
    entries = json.loads(PLANTED_FILE.read_text(encoding="utf-8"))
    assert sorted(e["claim"] for e in entries) == sorted(demo.claims.values_list("text", flat=True))
    assert all(len(e["paraphrases"]) == 3 and e["near_misses"] for e in entries)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_false_blind_spot_where_the_words_are_shared(demo, seed):
    articles, outlets = Article.objects.count(), Source.objects.count()
    scores = evaluate_planted(demo, outlets=12, articles_per_outlet=6, seed=seed)
    assert len(scores) == 12
    # An outlet carrying a close paraphrase is never called "no candidate". One that
    # says it in other words can be (the method is lexical): in these three corpora,
    # once, a child claim's paraphrase under its umbrella (docs/benchmarks.md).
    missed = [kind for s in scores for kind in s.false_blind_spots]
    assert "close" not in missed
    assert len(missed) <= 1
    # The close paraphrase of each claim is in its outlet's list (the others, in other
    # words, are what a lexical method misses: measured, not asserted).
    assert all(s.in_outlet >= 1 for s in scores)
    assert sum(s.planted for s in scores) == 36
    assert "| **all** |" in planted_table(scores)
    # Rolled back: the demo is as it was.
    assert (Article.objects.count(), Source.objects.count()) == (articles, outlets)
