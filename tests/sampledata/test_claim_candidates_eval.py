"""The hand-written evaluation set for "find the claim elsewhere" (issue 17) agrees with
the demo it was read from: every claim and article it names exists, every quote is found
exactly once in its article's canonical text (so its offsets follow), and ``coded`` says
truly whether an annotation with that claim already overlaps the passage."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from apps.annotations.models import Annotation, Claim
from apps.corpus.models import Article
from apps.corpus.text import canonicalize
from apps.sampledata.demo import DEMO_DIR, article_text, load_demo, read_corpus

EVAL_FILE = Path(settings.BASE_DIR) / "fixtures" / "claim_candidates" / "demo.json"
DATA = read_corpus()
ENTRIES = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
PASSAGES = [(entry["claim"], passage) for entry in ENTRIES for passage in entry["passages"]]
# An article is named by the key corpus.json uses or by its title.
KEYS = {row["key"]: row["key"] for row in DATA["articles"]} | {
    row["title"]: row["key"] for row in DATA["articles"]
}


def _id(item) -> str:
    claim, passage = item
    return f"{claim[:30]}|{passage['article']}|{passage['quote'][:30]}"


def _span(passage) -> tuple[str, int, int]:
    key = KEYS[passage["article"]]
    text = canonicalize(article_text(DEMO_DIR, key))
    start = text.index(passage["quote"])
    return key, start, start + len(passage["quote"])


@pytest.fixture
def demo(db):
    return load_demo(with_users=True)


def _demo_texts(project) -> dict[str, str]:
    """The demo's articles as loaded, by the key corpus.json uses."""
    titles = {row["title"]: row["key"] for row in DATA["articles"]}
    return {titles[a.title]: a.text for a in Article.objects.filter(project=project)}


def test_the_file_has_one_entry_per_demo_claim_in_the_corpus_order():
    assert [entry["claim"] for entry in ENTRIES] == [row["text"] for row in DATA["claims"]]
    for entry in ENTRIES:
        assert set(entry) == {"claim", "passages"}
        for passage in entry["passages"]:
            assert set(passage) == {"article", "quote", "coded", "note"}
            assert isinstance(passage["coded"], bool)
            assert passage["quote"].strip() == passage["quote"] and "\n" not in passage["quote"]
            assert passage["note"].strip()


def test_no_passage_is_listed_twice_for_a_claim():
    for entry in ENTRIES:
        spans = [_span(passage) for passage in entry["passages"]]
        assert len(spans) == len(set(spans)), entry["claim"]


def test_every_claim_named_exists_in_the_demo_project(demo):
    names = set(Claim.objects.filter(project=demo.project).values_list("text", flat=True))
    assert {entry["claim"] for entry in ENTRIES} <= names


@pytest.mark.parametrize("item", PASSAGES, ids=_id)
def test_every_quote_occurs_exactly_once_in_its_articles_canonical_text(item):
    _, passage = item
    assert passage["article"] in KEYS, f"unknown article {passage['article']!r}"
    text = canonicalize(article_text(DEMO_DIR, KEYS[passage["article"]]))
    assert text.count(passage["quote"]) == 1


def test_the_loaded_articles_hold_the_canonical_texts_the_quotes_were_checked_in(demo):
    texts = _demo_texts(demo.project)
    assert set(texts) == {row["key"] for row in DATA["articles"]}
    for key, text in texts.items():
        assert text == canonicalize(article_text(DEMO_DIR, key))
    for _, passage in PASSAGES:
        assert texts[KEYS[passage["article"]]].count(passage["quote"]) == 1


def test_coded_says_whether_an_annotation_with_the_claim_overlaps(demo):
    titles = {row["key"]: row["title"] for row in DATA["articles"]}
    wrong = []
    for claim, passage in PASSAGES:
        key, start, end = _span(passage)
        overlapping = Annotation.objects.filter(
            article__project=demo.project,
            article__title=titles[key],
            claim__text=claim,
            start__lt=end,
            end__gt=start,
        ).exists()
        if overlapping != passage["coded"]:
            wrong.append((claim, key, passage["quote"], overlapping))
    assert wrong == []


def test_every_annotation_with_a_claim_is_covered_by_a_coded_passage(demo):
    listed: dict[str, list[tuple[str, int, int]]] = {}
    for claim, passage in PASSAGES:
        key, start, end = _span(passage)
        title = next(row["title"] for row in DATA["articles"] if row["key"] == key)
        listed.setdefault(claim, []).append((title, start, end))
    annotations = Annotation.objects.filter(
        article__project=demo.project, claim__isnull=False
    ).select_related("article", "claim")
    assert annotations.exists()
    for annotation in annotations:
        spans = listed.get(annotation.claim.text, [])
        assert any(
            title == annotation.article.title and start < annotation.end and annotation.start < end
            for title, start, end in spans
        ), f"{annotation.claim.text!r} coded at {annotation.article.title}@{annotation.start}"


def test_every_article_carries_at_least_one_listed_passage():
    assert {KEYS[passage["article"]] for _, passage in PASSAGES} == {
        row["key"] for row in DATA["articles"]
    }
