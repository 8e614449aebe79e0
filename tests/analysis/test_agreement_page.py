"""The Agreement page and its CSV: access, htmx, queries, "not defined" said with its
reason, and every number on screen equal to the CSV of the same filter."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from apps.annotations.models import Tag
from apps.corpus.models import Source
from tests import factories
from tests.access import assert_members_read_only
from tests.analysis.scale import queries_at_two_sizes

HTMX = {"HTTP_HX_REQUEST": "true"}
THREE = "Russia bombed Aleppo. The US protested. Talks stopped."


def _url(project, name="analysis:agreement"):
    return reverse(name, args=[project.slug])


def _csv(client, project, **params) -> list[dict]:
    response = client.get(_url(project, "analysis:agreement-csv"), {**params, "bom": "0"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


FIGURE = re.compile(
    r'data-figure="([^"]+)">(?:<span class="undefined">not defined</span> '
    r'<span class="reason">\(([^<]*)\)</span>|([^<]*))'
)


def _screen(client, project, **params) -> dict[str, str]:
    """Each number on the page by its name (scope|row|coefficient[|coder|coder])."""
    page = client.get(_url(project), params).text
    found = {}
    for key, reason, value in FIGURE.findall(page):
        found[html.unescape(key)] = f"not defined: {html.unescape(reason)}" if reason else value
    return found


def _from_csv(rows, project) -> dict[str, str]:
    """The CSV written the page's way, under the page's names."""
    outlets = {s.name: f"outlet-{s.pk}" for s in Source.objects.all()}
    tags = {t.name: f"tag-{t.pk}" for t in Tag.objects.filter(project=project)}
    found = {}
    for r in rows:
        scope = "all" if r["outlet"] == "All outlets" else outlets[r["outlet"]]
        row = tags[r["label"]] if r["measure"] == "tag" else r["measure"]
        pair = f"|{r['coder_a']}|{r['coder_b']}" if r["coder_a"] else ""
        if r["value"] == "":
            shown = f"not defined: {r['not_defined']}"
        elif r["coefficient"] == "percent":
            shown = f"{float(r['value']):.1f}%"
        else:
            shown = f"{float(r['value']):.3f}"
        found[f"{scope}|{row}|{r['coefficient']}{pair}"] = shown
        found[f"{scope}|{row}|units{pair}"] = r["units"]
        if not pair:
            found[f"{scope}|{row}|coders"] = r["coders"]
    return found


@pytest.fixture
def viewer(client, generated):
    user = factories.make_user("reader")
    generated.project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    return generated


@pytest.mark.parametrize("params", [{}, {"unit": "character"}, {"tag": "first"}])
def test_every_number_on_the_page_equals_the_csv(client, viewer, params):
    project = viewer.project
    if params.get("tag"):
        params = {"tag": viewer.tags[0].pk, "story": viewer.story.pk}
    shown = _screen(client, project, **params)
    exported = _from_csv(_csv(client, project, **params), project)
    assert shown == exported
    assert len(shown) > 100


def test_every_number_on_the_demo_page_equals_the_csv(client, db, demo_project):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    for unit in ("sentence", "character"):
        shown = _screen(client, demo_project, unit=unit)
        assert shown == _from_csv(_csv(client, demo_project, unit=unit), demo_project)
        assert not shown["all|overall|alpha"].startswith("not defined") and len(shown) > 50


def test_the_page_says_not_defined_with_the_reason_never_nan(client, cast):
    used, unused = factories.make_tag(cast.project, "used"), factories.make_tag(cast.project, "x")
    article = factories.make_article(cast.project, text=THREE)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[used])
    factories.make_annotation(article, cast.owner, "Russia", tags=[used])
    client.force_login(cast.viewer)
    page = client.get(_url(cast.project)).text
    shown = _screen(client, cast.project)
    assert shown[f"all|tag-{unused.pk}|alpha"].startswith("not defined: nobody used this tag")
    assert shown[f"all|tag-{used.pk}|alpha"] == "1.000"
    assert not re.search(r"\b(?:nan|inf)\b", page, re.IGNORECASE)
    assert "How to read this" in page and "missing" in page


def test_the_unit_is_chosen_on_the_page_and_kept_in_the_export_link(client, cast):
    client.force_login(cast.viewer)
    page = client.get(_url(cast.project), {"unit": "character", "story": ""}).text
    assert 'value="character" checked' in page
    assert "unit=character" in page  # the CSV link, and "Clear the filters" keeps it
    assert 'value="sentence" checked' in client.get(_url(cast.project), {"unit": "x"}).text


def test_htmx_gets_the_results_alone_and_a_plain_request_the_page(client, cast):
    client.force_login(cast.viewer)
    partial = client.get(_url(cast.project), HTTP_HX_REQUEST="true")
    assert '<div id="agreement-results"' in partial.text and "<html" not in partial.text
    assert 'id="compare-tabs" aria-label="Comparison views" hx-swap-oob="true"' in partial.text
    page = client.get(_url(cast.project))
    assert "<html" in page.text and 'id="filter-bar"' in page.text


@pytest.mark.parametrize("name", ["analysis:agreement", "analysis:agreement-csv"])
def test_members_read_agreement_outsiders_get_404(client, cast, name):
    assert_members_read_only(client, cast, _url(cast.project, name))


def test_a_broken_filter_is_refused_by_the_csv_and_shown_on_the_page(client, cast):
    client.force_login(cast.viewer)
    response = client.get(_url(cast.project, "analysis:agreement-csv"), {"since": "2016-02-30"})
    assert response.status_code == 400 and "nothing was exported" in response.text
    page = client.get(_url(cast.project), {"tag": "x"}).text
    assert "This selection has a mistake" in page and "data-figure" not in page


def test_the_comparison_tabs_lead_to_agreement_with_the_selection(client, cast):
    story = factories.make_story(cast.project)
    client.force_login(cast.viewer)
    page = client.get(reverse("analysis:compare", args=[cast.project.slug]), {"story": story.pk})
    assert f'{_url(cast.project)}?story={story.pk}"' in page.text


def test_the_page_costs_a_fixed_number_of_queries(client, viewer, django_assert_max_num_queries):
    # Access (3), the codebook (1), passages, tags, coders, articles, assigned coders
    # (5), the filter bar's lists (6); a filter on passages adds the tag tree and who
    # coded what.
    with django_assert_max_num_queries(17):
        assert client.get(_url(viewer.project), {"tag": viewer.tags[0].pk}).status_code == 200
    with django_assert_max_num_queries(11):
        _csv(client, viewer.project, unit="character", tag=viewer.tags[0].pk)


def test_query_count_does_not_grow_with_the_data(client, db):
    small, large = queries_at_two_sizes(client, "analysis:agreement", seed=4)
    assert small == large


def test_the_app_computes_without_the_reference_packages():
    apps = Path(__file__).resolve().parents[2] / "apps"
    importing = re.compile(r"^\s*(?:from|import)\s+(?:krippendorff|sklearn|numpy)\b", re.M)
    assert [p.name for p in apps.rglob("*.py") if importing.search(p.read_text("utf-8"))] == []
