"""The re-anchoring benchmark (apps/sampledata/anchoring_bench.py) as a test: realistic
edits through the revision path, on the demo and on a generated corpus, and nothing is
ever reported anchored at the wrong place."""

import random

import pytest

from apps.annotations.models import AnchorStatus, Annotation
from apps.corpus.text import canonicalize
from apps.sampledata import anchoring_bench as bench
from apps.sampledata.demo import load_demo
from apps.sampledata.synthetic import generate_corpus


def _check(rows):
    wrong = {row.scenario: row.wrong for row in rows if row.counts["silently_wrong"]}
    assert wrong == {}, bench.table(rows)
    assert all(row.revisions for row in rows), bench.table(rows)  # every scenario ran


def test_nothing_is_silently_wrong_on_the_demo(db):
    project = load_demo(with_users=True).project
    rows = {row.scenario: row for row in bench.run(project.articles.order_by("pk"))}
    _check(list(rows.values()))
    # Edits away from every passage keep every annotation anchored where it was.
    for untouched in (
        "typo fixed outside the quotes",
        "update appended",
        "sentence deleted elsewhere",
    ):
        row = rows[untouched]
        assert row.counts["anchored"] == row.total > 0
    # A passage whose words were edited or cut is always brought to its analyst.
    for touched in ("typo fixed inside a quote", "quoted passage deleted"):
        row = rows[touched]
        assert row.counts["flagged"] + row.counts["orphaned"] >= row.revisions


def test_nothing_is_silently_wrong_on_a_generated_corpus(db):
    corpus = generate_corpus(
        project_slug="anchoring-truth", articles=25, sources=4, annotations=200, seed=7
    )
    _check(bench.run(corpus.project.articles.order_by("pk"), seed=7, per_article=2))


def test_the_benchmark_catches_an_annotation_anchored_at_the_wrong_place():
    anchored_elsewhere = Annotation(start=10, end=20, anchor_status=AnchorStatus.ANCHORED)
    assert bench.judge(anchored_elsewhere, ("intact", (10, 20))) == "anchored"
    assert bench.judge(anchored_elsewhere, ("intact", (30, 40))) == "silently_wrong"
    assert bench.judge(anchored_elsewhere, ("gone", None)) == "silently_wrong"
    assert bench.judge(anchored_elsewhere, ("changed", None)) == "silently_wrong"
    review = Annotation(start=10, end=20, anchor_status=AnchorStatus.NEEDS_REVIEW)
    assert bench.judge(review, ("changed", None)) == "flagged"
    assert bench.judge(review, ("intact", (10, 20))) == "cautious"


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([bench.Edit(0, 0, "New. ")], ("intact", (15, 20))),  # inserted before
        ([bench.Edit(20, 20, " more")], ("intact", (10, 15))),  # inserted after
        ([bench.Edit(12, 12, "x")], ("changed", None)),  # inserted inside
        ([bench.Edit(10, 12, "")], ("changed", None)),  # cut into
        ([bench.Edit(9, 16, "")], ("gone", None)),  # removed whole
        ([bench.Edit(0, 3, ""), bench.Edit(16, 18, "ab")], ("intact", (7, 12))),
    ],
)
def test_the_truth_of_an_edit_is_computed_from_its_replacements(edits, expected):
    assert bench.truth((10, 15), edits) == expected


def test_every_scenario_keeps_the_text_canonical():
    text = (
        'He said "no". The talks failed.\n\nKerry\'s aides were quiet. Lavrov spoke.'
        "\n\nA last paragraph here."
    )
    rng = random.Random(1)
    for name, (scenario, per_annotation, _) in bench.SCENARIOS.items():
        edits = scenario(text, [(14, 31)], rng, (14, 31) if per_annotation else None)
        new = bench.apply(text, edits)
        assert canonicalize(new) == new, name
