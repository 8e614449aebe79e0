"""Rows by target and by each part of the stance, columns by month and week: every number equals the
export of the same filter, and time columns follow the calendar on both databases."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse

from apps.corpus.models import Source
from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.analysis.scale import queries_at_two_sizes
from tests.analysis.test_compare import _export_rows, _restore

CELL = re.compile(r'href="[^"]*row=([^&"]+)&amp;column=([^&"]+)"[^>]*><span class="n">(\d+)')


def _screen(client, project, dimension: str, grouping: str, **filters) -> Counter:
    """(row, column key) -> the number in each cell of the matrix."""
    url = reverse("analysis:matrix", args=[project.slug])
    html = client.get(url, {**filters, "rows": dimension, "group": grouping}).text
    actors = {str(a.pk): a.name for a in project.actors.all()}
    return Counter(
        {(actors.get(row, row), column): int(n) for row, column, n in CELL.findall(html)}
    )


def _column_key(row: dict, grouping: str) -> str:
    if grouping == "source":
        return str(Source.objects.get(name=_restore(row["source"])).pk)
    if not row["published"]:
        return "none"
    day = date.fromisoformat(row["published"])
    if grouping == "month":
        return day.replace(day=1).isoformat()
    return (day - timedelta(days=day.weekday())).isoformat()  # weeks begin on Monday


def _exported(client, project, dimension: str, grouping: str, **filters) -> Counter:
    counts: Counter = Counter()
    for row in _export_rows(client, project, **filters):
        value = _restore(row["target"]) if dimension == "targets" else row[dimension[:-1]]
        if value:
            counts[(value, _column_key(row, grouping))] += 1
    return counts


@pytest.fixture
def generated(client, db):
    corpus = generate_corpus(project_slug="gen", articles=40, sources=5, annotations=500, seed=5)
    user = factories.make_user("reader")
    corpus.project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    return corpus.project


@pytest.mark.parametrize("dimension", ["targets", "voices", "positions"])
@pytest.mark.parametrize("grouping", ["source", "month", "week"])
def test_every_number_equals_the_export(client, generated, dimension, grouping):
    story = generated.stories.first()
    for filters in ({}, {"story": story.pk}, {"tag": generated.tags.first().pk}):
        shown = _screen(client, generated, dimension, grouping, **filters)
        assert shown == _exported(client, generated, dimension, grouping, **filters)
    assert sum(_screen(client, generated, dimension, grouping).values()) > 100


def test_time_columns_follow_the_calendar_and_undated_articles_have_their_own(client, cast):
    claim = factories.make_claim(cast.project, "The US is to blame")
    days = [date(2022, 3, 6), date(2022, 3, 7), date(2022, 3, 31), date(2022, 4, 1), None]
    for n, day in enumerate(days):
        article = factories.make_article(
            cast.project, text=f"{n}: The US is to blame.", published=day
        )
        factories.make_annotation(article, cast.analyst, "The US is to blame", claim=claim)
    client.force_login(cast.viewer)
    url = reverse("analysis:compare", args=[cast.project.slug])
    months = client.get(url, {"rows": "claims", "group": "month"}).text
    head = months.split("<thead>")[1].split("</thead>")[0]
    assert re.findall(r'<th scope="col">([^<]+)<span', head) == ["Mar 2022", "Apr 2022", "No date"]
    weeks = client.get(url, {"rows": "claims", "group": "week"}).text
    head = weeks.split("<thead>")[1].split("</thead>")[0]
    # 6 March 2022 is a Sunday: its week began on Monday 28 February.
    assert re.findall(r'<th scope="col">([^<]+)<span', head) == [
        "Week of 28 Feb 2022",
        "Week of 7 Mar 2022",
        "Week of 28 Mar 2022",
        "No date",
    ]
    shown = _screen(client, cast.project, "claims", "week")
    assert shown == Counter(
        {
            (str(claim.pk), "2022-02-28"): 1,
            (str(claim.pk), "2022-03-07"): 1,
            (str(claim.pk), "2022-03-28"): 2,
            (str(claim.pk), "none"): 1,
        }
    )
    table = client.get(
        reverse("analysis:comparison-csv", args=[cast.project.slug]),
        {"rows": "claims", "group": "month", "bom": "0"},
    )
    lines = b"".join(table.streaming_content).decode().splitlines()
    assert lines[0].endswith(",column_key,counted")
    assert [line.split(",")[-2] for line in lines[1:]] == ["2022-03-01", "2022-04-01", "none"]
    # A cell's page lists the passages of its period only.
    cell = reverse("analysis:cell", args=[cast.project.slug])
    for column, n in (("2022-03-28", 2), ("none", 1)):
        page = client.get(
            cell, {"rows": "claims", "group": "week", "row": claim.pk, "column": column}
        ).text
        assert page.count("<blockquote>") == n


def test_voice_and_position_rows_name_them_and_link_to_their_passages(client, cast):
    claim = factories.make_claim(cast.project, "Russia is isolated")
    article = factories.make_article(cast.project, text="Officials said Russia is isolated.")
    factories.make_annotation(
        article,
        cast.analyst,
        "Russia is isolated",
        claim=claim,
        voice="reported",
        position="disputes",
    )
    client.force_login(cast.viewer)
    url = reverse("analysis:compare", args=[cast.project.slug])
    cell_url = reverse("analysis:cell", args=[cast.project.slug])
    for rows, value, label in (
        ("voices", "reported", "Reporting someone"),
        ("positions", "disputes", "Disputes"),
    ):
        page = client.get(url, {"rows": rows}).text.split('id="compare-results"')[1]
        assert f">\n          {label}\n" in page
        assert f"row={value}&amp;column={article.source_id}" in page
        cell = client.get(cell_url, {"rows": rows, "row": value, "column": article.source_id})
        assert cell.text.count("<blockquote>") == 1


@pytest.mark.parametrize(
    ("dimension", "grouping"), [("positions", "month"), ("voices", "week"), ("targets", "week")]
)
def test_query_count_does_not_grow_with_the_data(client, db, dimension, grouping):
    params = {"rows": dimension, "group": grouping}
    small, large = queries_at_two_sizes(client, "analysis:compare", params, seed=6)
    assert small == large
