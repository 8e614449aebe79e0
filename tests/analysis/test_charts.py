"""Charts: every number drawn equals the export of the same filter; the files are SVG
and CSV; access and bad input as on every screen."""

import csv
import io
from collections import Counter
from datetime import date, timedelta

import defusedxml.ElementTree as ET
import pytest
from django.urls import reverse

from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.access import assert_members_read_only
from tests.analysis.scale import queries_at_two_sizes
from tests.analysis.test_compare import _export_rows, _restore

HTMX = {"HTTP_HX_REQUEST": "true"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def generated(client, db):
    corpus = generate_corpus(project_slug="gen", articles=40, sources=5, annotations=500, seed=9)
    user = factories.make_user("reader")
    corpus.project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    return corpus.project


def _chart_csv(client, project, name, **params) -> list[dict]:
    url = reverse("analysis:chart-file", args=[project.slug, name, "csv"])
    response = client.get(url, {**params, "bom": "0"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _period(published: str, unit: str) -> str:
    day = date.fromisoformat(published)
    if unit == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.replace(day=1).isoformat()


@pytest.mark.parametrize("params", [{}, {"story": 1}, {"tag": 2, "voice": "reported"}])
def test_every_number_drawn_equals_the_export(client, generated, params):
    if "story" in params:
        params = {"story": generated.stories.order_by("pk").first().pk}
    if "tag" in params:
        params = {**params, "tag": generated.tags.order_by("pk")[1].pk}
    exported = _export_rows(client, generated, **params)
    # The timeline: passages per period and outlet (articles without a date left out).
    timeline = _chart_csv(client, generated, "timeline", **params)
    unit = "week" if "week_starting" in timeline[0] else "month"
    drawn = Counter({(r["outlet"], r[f"{unit}_starting"]): int(r["passages"]) for r in timeline})
    expected = Counter(
        (_restore(r["source"]), _period(r["published"], unit)) for r in exported if r["published"]
    )
    assert +drawn == expected
    # Voices and positions: passages with a claim, per outlet.
    with_claim = [r for r in exported if r["claim"]]
    voices = {r["outlet"]: r for r in _chart_csv(client, generated, "voices", **params)}
    for outlet, row in voices.items():
        mine = [r for r in with_claim if _restore(r["source"]) == outlet]
        assert int(row["own_voice"]) == sum(r["voice"] == "own" for r in mine)
        assert int(row["reporting"]) == sum(r["voice"] == "reported" for r in mine)
        assert int(row["not_given"]) == sum(r["voice"] == "" for r in mine)
        assert int(row["passages"]) == len(mine)
    assert set(voices) == {_restore(r["source"]) for r in with_claim}
    for row in _chart_csv(client, generated, "positions", **params):
        mine = [r for r in with_claim if _restore(r["source"]) == row["outlet"]]
        for position in ("supports", "disputes", "neutral"):
            assert int(row[position]) == sum(r["position"] == position for r in mine)


def test_the_heatmap_is_the_comparison_table(client, generated):
    heat = _chart_csv(client, generated, "heatmap", rows="claims")
    table = client.get(
        reverse("analysis:comparison-csv", args=[generated.slug]), {"rows": "claims", "bom": "0"}
    )
    rows = csv.DictReader(io.StringIO(b"".join(table.streaming_content).decode()))
    expected = {(r["row"], r["column"]): r["count"] for r in rows if r["count"] != "0"}
    assert {(r["row"], r["column"]): r["count"] for r in heat if r["count"] != "0"} == expected


def test_a_chart_downloads_as_an_svg_file_with_its_words_escaped(client, cast):
    source = factories.make_source('<script>alert("x")</script> & Co')
    claim = factories.make_claim(cast.project, "A claim")
    article = factories.make_article(
        cast.project, text="A claim is made.", source=source, published=date(2022, 3, 1)
    )
    factories.make_annotation(article, cast.analyst, "A claim", claim=claim, voice="own")
    client.force_login(cast.viewer)
    for name in ("timeline", "voices", "positions", "heatmap"):
        response = client.get(reverse("analysis:chart-file", args=[cast.project.slug, name, "svg"]))
        assert response["Content-Type"].startswith("image/svg+xml")
        assert "attachment" in response["Content-Disposition"]
        root = ET.fromstring(response.content)  # well-formed, and no entity tricks
        assert root.tag == f"{SVG}svg"
        assert not root.findall(f".//{SVG}script")
        texts = [t.text for t in root.iter(f"{SVG}text")]
        if name != "heatmap":
            assert '<script>alert("x")</script> & Co' in texts
        assert root.find(f"{SVG}title").text


def test_the_page_shows_each_chart_with_its_numbers(client, cast):
    claim = factories.make_claim(cast.project, "A claim")
    article = factories.make_article(cast.project, text="A claim.", published=date(2022, 3, 1))
    tags = [factories.make_tag(cast.project, "blame")]
    factories.make_annotation(
        article, cast.analyst, "A claim", claim=claim, position="disputes", tags=tags
    )
    client.force_login(cast.viewer)
    url = reverse("analysis:charts", args=[cast.project.slug])
    page = client.get(url).text
    assert page.count("<svg") == 4 and page.count("The numbers") == 4
    assert "<script" not in page.split("<main")[1]  # drawn on the server
    partial = client.get(url, {"rows": "claims"}, **HTMX)
    assert '<div id="chart-results"' in partial.text and "<html" not in partial.text
    empty = client.get(url, {"since": "2030-01-01"}).text
    assert empty.count("Nothing to draw in this selection.") == 4


@pytest.mark.parametrize("name", ["analysis:charts", "svg", "csv"])
def test_members_see_charts_outsiders_get_404(client, cast, name):
    if name == "analysis:charts":
        url = reverse(name, args=[cast.project.slug])
    else:
        url = reverse("analysis:chart-file", args=[cast.project.slug, "voices", name])
    assert_members_read_only(client, cast, url)


def test_a_broken_filter_or_an_unknown_chart_is_refused(client, cast):
    client.force_login(cast.viewer)
    url = reverse("analysis:chart-file", args=[cast.project.slug, "voices", "csv"])
    response = client.get(url, {"since": "2016-02-30"})
    assert response.status_code == 400 and "nothing was exported" in response.text
    assert client.get(url.replace("voices", "pie")).status_code == 404
    assert client.get(url.replace(".csv", ".png")).status_code == 404
    page = client.get(reverse("analysis:charts", args=[cast.project.slug]), {"tag": "x"}).text
    assert "This selection has a mistake" in page and "<svg" not in page


def test_query_count_does_not_grow_with_the_data(client, db):
    small, large = queries_at_two_sizes(client, "analysis:charts", seed=3)
    assert small == large


def test_names_xml_cannot_hold_and_dates_far_apart_do_not_break_a_chart(client, cast):
    odd = factories.make_source("Bad\x0bOutlet")
    tag = factories.make_tag(cast.project, "Tag\x0cname")
    for n, day in enumerate((date(2016, 3, 1), date(1016, 3, 1), date(9999, 12, 30))):
        article = factories.make_article(
            cast.project, text=f"{n} A claim.", source=odd, published=day
        )
        factories.make_annotation(article, cast.analyst, "A claim", tags=[tag])
    client.force_login(cast.viewer)
    for name in ("timeline", "voices", "positions", "heatmap"):
        url = reverse("analysis:chart-file", args=[cast.project.slug, name, "svg"])
        ET.fromstring(client.get(url).content)  # well-formed
    page = client.get(reverse("analysis:charts", args=[cast.project.slug]))
    assert page.status_code == 200 and "is a date mistyped?" in page.text
    assert len(page.content) < 200_000  # not a row per empty month of eight centuries
    narrowed = client.get(
        reverse("analysis:charts", args=[cast.project.slug]), {"since": "9000-01-01"}
    )
    assert narrowed.status_code == 200  # the calendar's last month is drawn, not a crash
    cell = client.get(
        reverse("analysis:cell", args=[cast.project.slug]),
        {"group": "month", "row": tag.pk, "column": "9999-12-01"},
    )
    assert cell.status_code == 200 and cell.text.count("<blockquote>") == 1
