"""The two counting rules of the comparisons: annotations (each analyst's) and distinct
passages (overlapping passages of a row merged in each article), on a hand-built corpus
with a known answer and against the export on generated data."""

import csv
import io
import re
from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from apps.analysis.counting import count_runs
from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.analysis.test_compare import _export_rows, _lineage, _restore, _screen_counts


@pytest.mark.parametrize(
    ("spans", "runs"),
    [
        ([], 0),
        ([(0, 5)], 1),
        ([(0, 5), (0, 5)], 1),  # the same span coded twice
        ([(0, 5), (3, 8)], 1),  # overlapping
        ([(0, 5), (5, 8)], 2),  # touching only
        ([(6, 9), (0, 4), (3, 7)], 1),  # a chain, in any order
        ([(0, 10), (2, 3), (11, 12)], 2),  # one inside another, then apart
    ],
)
def test_runs_of_overlapping_spans(spans, runs):
    assert count_runs(spans) == runs


@pytest.fixture
def coded_twice(cast):
    """Two analysts code the same sentence as blame on US (spans differing a little); the
    owner also codes a second sentence, and a third one under the parent tag only."""
    top = factories.make_tag(cast.project, "accusation", position=0)
    leaf = factories.make_tag(cast.project, "blame on US", parent=top, position=1)
    article = factories.make_article(
        cast.project,
        text="Lavrov blamed the US for the strike. Peskov blamed Washington. Kerry accused Moscow.",
    )
    factories.make_annotation(article, cast.analyst, "Lavrov blamed the US", tags=[leaf])
    factories.make_annotation(article, cast.owner, "blamed the US for the strike", tags=[leaf])
    factories.make_annotation(article, cast.owner, "Peskov blamed Washington", tags=[leaf])
    factories.make_annotation(article, cast.analyst, "Kerry accused Moscow", tags=[top])
    return article


def test_distinct_passages_merge_two_analysts_coding_the_same_sentence(client, cast, coded_twice):
    client.force_login(cast.viewer)
    outlet = coded_twice.source.name
    for view in ("analysis:compare", "analysis:matrix"):
        each = _screen_counts(client, cast.project, view, "tags")
        assert each == Counter({("accusation", outlet): 4, ("blame on US", outlet): 3})
        merged = _screen_counts(client, cast.project, view, "tags", count="distinct")
        assert merged == Counter({("accusation", outlet): 3, ("blame on US", outlet): 2})
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]), {"count": "distinct"}
    ).text
    assert "Counted as <strong>distinct passages</strong>" in page
    assert "count=distinct" in page.split('class="count"')[1]  # the cells keep the rule
    table = client.get(
        reverse("analysis:comparison-csv", args=[cast.project.slug]),
        {"count": "distinct", "bom": "0"},
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(table.streaming_content).decode())))
    assert {(r["row"], r["count"], r["counted"]) for r in rows} == {
        ("accusation", "3", "distinct"),
        ("blame on US", "2", "distinct"),
    }
    leaf = cast.project.tags.get(name="blame on US")
    cell = client.get(
        reverse("analysis:cell", args=[cast.project.slug]),
        {"row": leaf.pk, "column": coded_twice.source_id, "count": "distinct"},
    ).text
    assert "2 distinct passages (overlapping passages merged), from 3 annotations" in cell
    assert cell.count("<blockquote>") == 3


def _distinct_from_export(client, project, dimension: str, **filters) -> Counter:
    """The distinct rule worked out from the export on its own terms: per row (a value
    and each of its ancestors) and article, runs of overlapping [start, end) spans."""
    lineage = _lineage(project, dimension)
    spans = defaultdict(list)
    outlet_of = {}
    for row in _export_rows(client, project, **filters):
        cell = _restore(row["tags"] if dimension == "tags" else row["claim"])
        values = cell.split("; ") if cell else []
        outlet_of[row["article_id"]] = _restore(row["source"])
        for row_name in {a for v in values for a in lineage[v]}:
            spans[(row_name, row["article_id"])].append((int(row["start"]), int(row["end"])))
    counts: Counter = Counter()
    for (row_name, article), found in spans.items():
        found.sort()
        reach = None
        for start, end in found:
            if reach is None or start >= reach:
                counts[(row_name, outlet_of[article])] += 1
                reach = end
            else:
                reach = max(reach, end)
    return counts


@pytest.mark.parametrize("dimension", ["tags", "claims"])
def test_distinct_numbers_equal_the_rule_applied_to_the_export(client, db, dimension):
    corpus = generate_corpus(project_slug="gen", articles=20, sources=5, annotations=600, seed=7)
    user = factories.make_user("reader")
    corpus.project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    story = corpus.project.stories.first()
    for filters in ({}, {"story": story.pk}):
        shown = _screen_counts(
            client, corpus.project, "analysis:matrix", dimension, count="distinct", **filters
        )
        assert shown == _distinct_from_export(client, corpus.project, dimension, **filters)
    each = _screen_counts(client, corpus.project, "analysis:matrix", dimension)
    assert sum(shown.values()) < sum(each.values())  # the corpus has overlaps to merge


def test_an_unknown_rule_counts_annotations(client, cast, coded_twice):
    client.force_login(cast.viewer)
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]), {"count": "bogus"}
    ).text
    assert "Counted as <strong>annotations</strong>" in page
    assert re.search(r'<option value="annotations" selected>', page)
