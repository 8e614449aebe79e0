"""The comparison screens: numbers equal to what the CSV export of the same filter gives."""

import csv
import io
import re
from collections import Counter

import pytest
from django.urls import reverse

from apps.annotations.models import Actor, Claim, Tag
from apps.corpus.models import Source
from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.access import assert_members_read_only
from tests.analysis.scale import queries_at_two_sizes

HTMX = {"HTTP_HX_REQUEST": "true"}
ROW_MODEL = {"tags": Tag, "claims": Claim, "actors": Actor}


def _restore(cell: str) -> str:
    return cell[1:] if cell[:2] in {"'" + c for c in "=+-@\t\r\n＝＋－＠"} else cell


def _export_rows(client, project, **params) -> list[dict]:
    url = reverse("analysis:annotations-csv", args=[project.slug])
    response = client.get(url, {**params, "bom": "0"})
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _csv_counts(client, project, dimension: str, **filters) -> Counter:
    """(row name, outlet) -> passages, from the annotations export of the same filter.

    The roll-up is done here on its own terms: an annotation counts once in the row of
    each of its values and of each of their ancestors."""
    rows = _export_rows(client, project, **filters)
    counts: Counter = Counter()
    if dimension == "actors":
        for row in rows:
            if row["speaker"]:
                counts[(_restore(row["speaker"]), _restore(row["source"]))] += 1
        return counts
    lineage = _lineage(project, dimension)
    for row in rows:
        cell = _restore(row["tags"] if dimension == "tags" else row["claim"])
        values = cell.split("; ") if cell else []
        for row_name in {a for v in values for a in lineage[v]}:
            counts[(row_name, _restore(row["source"]))] += 1
    return counts


def _lineage(project, dimension: str) -> dict[str, list[str]]:
    """Each tag's (or claim's) name -> its name and its ancestors', on its own terms."""
    items = {i.pk: i for i in ROW_MODEL[dimension].objects.filter(project=project)}
    name = (lambda i: i.name) if dimension == "tags" else (lambda i: i.text)
    lineage = {}
    for item in items.values():
        chain, parent = [name(item)], item.parent_id
        while parent is not None:
            chain.append(name(items[parent]))
            parent = items[parent].parent_id
        lineage[name(item)] = chain
    return lineage


def _screen_counts(client, project, view: str, dimension: str, **filters) -> Counter:
    """(row name, outlet) -> the number shown in each cell of the screen."""
    response = client.get(
        reverse(view, args=[project.slug]), {**filters, "rows": dimension, "group": "source"}
    )
    html = response.text
    pattern = (
        r'href="[^"]*row=(\d+)&amp;column=(\d+)"[^>]*>(?:<span class="n">)?(\d+)'
        if view == "analysis:matrix"
        else r'class="count" href="[^"]*row=(\d+)&amp;column=(\d+)"[^>]*>(\d+)<'
    )
    model = ROW_MODEL[dimension]
    names = {
        str(o.pk): (o.name if hasattr(o, "name") else o.text)
        for o in model.objects.filter(project=project)
    }
    outlets = {str(s.pk): s.name for s in Source.objects.all()}
    return Counter(
        {(names[row], outlets[col]): int(n) for row, col, n in re.findall(pattern, html)}
    )


@pytest.fixture
def demo(client, db, demo_project):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    return demo_project


@pytest.mark.parametrize("view", ["analysis:compare", "analysis:matrix"])
@pytest.mark.parametrize("dimension", ["tags", "claims", "actors"])
def test_every_number_equals_the_export_on_the_demo(client, demo, view, dimension):
    shown = _screen_counts(client, demo, view, dimension)
    assert shown == _csv_counts(client, demo, dimension)
    assert sum(shown.values()) > 0


@pytest.mark.parametrize("view", ["analysis:compare", "analysis:matrix"])
@pytest.mark.parametrize("dimension", ["tags", "claims", "actors"])
def test_every_number_equals_the_export_on_generated_data(client, db, view, dimension):
    corpus = generate_corpus(project_slug="gen", articles=30, sources=6, annotations=400, seed=3)
    user = factories.make_user("reader")
    corpus.project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    story = corpus.project.stories.first()
    for filters in ({}, {"story": story.pk}):
        shown = _screen_counts(client, corpus.project, view, dimension, **filters)
        assert shown == _csv_counts(client, corpus.project, dimension, **filters)


@pytest.mark.parametrize(("dimension", "key"), [("tags", "tag"), ("claims", "claim")])
def test_each_row_equals_the_export_filtered_by_its_value(client, demo, dimension, key):
    shown = _screen_counts(client, demo, "analysis:matrix", dimension)
    for item in ROW_MODEL[dimension].objects.filter(project=demo):
        name = item.name if dimension == "tags" else item.text
        exported = Counter(
            (name, _restore(row["source"])) for row in _export_rows(client, demo, **{key: item.pk})
        )
        assert exported == Counter({k: n for k, n in shown.items() if k[0] == name})


def test_the_table_csv_gives_the_same_numbers_as_the_screen(client, demo):
    response = client.get(reverse("analysis:comparison-csv", args=[demo.slug]), {"bom": "0"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    table = Counter({(r["row"], r["column"]): int(r["count"]) for r in rows if r["count"] != "0"})
    assert table == _csv_counts(client, demo, "tags")


def test_an_outlet_without_annotations_still_has_a_column_of_gaps(client, cast):
    quiet = factories.make_source("Quiet Times")
    loud = factories.make_source("Loud News")
    factories.make_article(cast.project, text="Nothing annotated here.", source=quiet)
    article = factories.make_article(cast.project, text="Kerry warned Russia.", source=loud)
    tag = factories.make_tag(cast.project, "diplomatic threat")
    factories.make_annotation(article, cast.analyst, "Kerry warned", tags=[tag])
    client.force_login(cast.viewer)
    page = client.get(reverse("analysis:compare", args=[cast.project.slug])).text
    assert "Quiet Times" in page
    assert 'title="diplomatic threat: not in Quiet Times in the whole project"' in page
    assert "not in Quiet Times" in page


def test_a_multi_tag_annotation_counts_in_each_of_its_rows(client, cast):
    article = factories.make_article(cast.project, text="Kerry warned Russia again.")
    tags = [factories.make_tag(cast.project, "a"), factories.make_tag(cast.project, "b")]
    factories.make_annotation(article, cast.analyst, "Kerry warned", tags=tags)
    factories.make_annotation(article, cast.owner, "warned Russia", tags=tags[:1])  # overlaps
    client.force_login(cast.viewer)
    shown = _screen_counts(client, cast.project, "analysis:matrix", "tags")
    source = article.source.name
    assert shown == Counter({("a", source): 2, ("b", source): 1})


def test_rows_sort_by_total_or_spread(client, demo):
    def first_rows(sort):
        page = client.get(reverse("analysis:compare", args=[demo.slug]), {"sort": sort}).text
        return re.findall(r'<th scope="row" class="row-head depth-\d">\s*([^<\n]+?)\s*<', page)[:2]

    # "accusation" stands for its four kinds of accusation; of those, "blame on US" has
    # the most passages (13).
    assert first_rows("total") == ["accusation", "blame on US"]
    assert first_rows("codebook") == ["accusation", "blame on US"]


def test_columns_can_be_outlet_kinds_or_countries(client, demo):
    page = client.get(reverse("analysis:matrix", args=[demo.slug]), {"group": "kind"}).text
    assert "State-affiliated" in page and "Commercial" in page
    page = client.get(reverse("analysis:matrix", args=[demo.slug]), {"group": "country"}).text
    assert ">GB<" in page and ">RU<" in page and ">US<" in page


def test_a_story_filter_limits_columns_to_its_outlets(client, demo):
    story = demo.stories.get(name__startswith="Gerasimov")
    page = client.get(reverse("analysis:compare", args=[demo.slug]), {"story": story.pk}).text
    head = page.split('id="compare-results"')[1].split("</thead>")[0]
    assert "RFE/RL" in head and "RT" in head
    assert "Bloomberg" not in head
    # Bloomberg published nothing in this story: no coverage, not a blind spot.
    no_coverage = page.split('class="no-coverage')[1].split("</p>")[0]
    assert "within the story" in no_coverage and "Bloomberg" in no_coverage
    assert "Bloomberg" not in page.split("gap-note")[1].split("</span>")[0]


def test_the_cell_page_lists_every_passage_behind_a_number(client, demo):
    tag = demo.tags.get(name="blame on US")
    rt = Source.objects.get(name="RT")
    page = client.get(
        reverse("analysis:cell", args=[demo.slug]), {"row": tag.pk, "column": rt.pk}
    ).text
    # The analyst's five, and four by the demo's second coder of the RT article.
    assert "9 passages" in page
    assert page.count("<blockquote>") == 9


def test_the_cell_page_of_a_row_not_in_the_selection_says_so(client, demo):
    page = client.get(reverse("analysis:cell", args=[demo.slug]), {"row": 999999, "column": 1})
    assert "not in the selection any more" in page.text


def test_with_htmx_a_filter_change_returns_only_the_results(client, demo):
    response = client.get(reverse("analysis:compare", args=[demo.slug]), {"rows": "claims"}, **HTMX)
    assert '<div id="compare-results"' in response.text and "<html" not in response.text
    # The tabs come along out of band, their links carrying the new layout.
    tabs = response.text.split('<nav class="tabs" id="compare-tabs"')[1].split("</nav>")[0]
    assert 'hx-swap-oob="true"' in tabs and "rows=claims" in tabs
    response = client.get(reverse("analysis:matrix", args=[demo.slug]), **HTMX)
    assert '<div id="matrix-results"' in response.text and "<html" not in response.text


def test_the_url_keeps_the_whole_state_for_a_colleague(client, demo):
    story = demo.stories.first()
    url = reverse("analysis:compare", args=[demo.slug])
    page = client.get(url, {"story": story.pk, "rows": "claims", "group": "kind", "sort": "spread"})
    html = page.text
    assert f'<option value="{story.pk}" selected>' in html
    assert 'value="claims" checked' in html and 'value="kind" checked' in html
    assert '<option value="spread" selected>' in html


def test_side_by_side_lists_shared_and_own_tags_and_dims_the_rest(client, demo):
    rt = demo.articles.get(source__name="RT")
    bbc = demo.articles.get(source__name="BBC News")
    url = reverse("analysis:side-by-side", args=[demo.slug])
    page = client.get(f"{url}?a={rt.pk}&a={bbc.pk}").text
    assert "In every article:" in page and "blame on US" in page.split("In every article:")[1]
    assert "Only in RT, 21 Jun 2016:" in page
    assert page.count('class="reader side-column"') == 2
    tag = demo.tags.get(name="ceasefire violation accusation")
    focused = client.get(f"{url}?a={rt.pk}&a={bbc.pk}&focus=tag-{tag.pk}").text
    assert "dim" in focused and "everything else is dimmed" in focused


def test_side_by_side_needs_two_articles(client, demo):
    page = client.get(reverse("analysis:side-by-side", args=[demo.slug])).text
    assert "Choose at least two articles" in page


@pytest.mark.parametrize(
    "name",
    [
        "analysis:compare",
        "analysis:matrix",
        "analysis:cell",
        "analysis:side-by-side",
        "analysis:comparison-csv",
    ],
)
def test_members_read_and_export_outsiders_get_404(client, cast, name):
    assert_members_read_only(client, cast, reverse(name, args=[cast.project.slug]))


@pytest.mark.parametrize("view", ["analysis:compare", "analysis:matrix"])
def test_query_count_does_not_grow_with_articles_annotations_or_outlets(client, db, view):
    small, large = queries_at_two_sizes(client, view)
    assert small == large


def _three_levels(cast):
    """accusation > blame > blame on US, coded in one article: the grandchild twice, the
    middle tag once, and one annotation with both the grandchild and the grandparent."""
    top = factories.make_tag(cast.project, "accusation", position=0)
    middle = factories.make_tag(cast.project, "blame", parent=top, position=1)
    leaf = factories.make_tag(cast.project, "blame on US", parent=middle, position=2)
    article = factories.make_article(
        cast.project, text="Kerry blamed Russia. Lavrov blamed the US. Peskov agreed."
    )
    factories.make_annotation(article, cast.analyst, "Kerry blamed", tags=[middle])
    factories.make_annotation(article, cast.analyst, "Lavrov blamed the US", tags=[leaf])
    factories.make_annotation(article, cast.owner, "blamed the US", tags=[leaf, top])
    return top, middle, leaf, article


def test_a_parent_row_counts_its_whole_subtree_once_per_passage(client, cast):
    top, _, _, article = _three_levels(cast)
    client.force_login(cast.viewer)
    outlet = article.source.name
    for view in ("analysis:compare", "analysis:matrix"):
        shown = _screen_counts(client, cast.project, view, "tags")
        assert shown == Counter(
            {("accusation", outlet): 3, ("blame", outlet): 3, ("blame on US", outlet): 2}
        )
        assert shown == _csv_counts(client, cast.project, "tags")
    page = client.get(reverse("analysis:compare", args=[cast.project.slug])).text
    rows = re.findall(r'class="row-head depth-(\d)">\s*([^<\n]+?)\s*<', page)
    assert rows == [("0", "accusation"), ("1", "blame"), ("2", "blame on US")]
    cell = client.get(
        reverse("analysis:cell", args=[cast.project.slug]),
        {"row": top.pk, "column": article.source_id},
    ).text
    assert "3 passages" in cell and cell.count("<blockquote>") == 3


def test_a_parent_claim_row_counts_its_narrative_at_any_depth(client, cast):
    narrative = factories.make_claim(cast.project, "Russia is isolated")
    claim = factories.make_claim(cast.project, "The West isolates Russia", parent=narrative)
    detail = factories.make_claim(cast.project, "The EU isolates Russia", parent=claim)
    article = factories.make_article(cast.project, text="The EU shuns Russia. Kerry agreed.")
    factories.make_annotation(article, cast.analyst, "The EU shuns Russia", claim=detail)
    factories.make_annotation(article, cast.analyst, "Kerry agreed", claim=claim)
    client.force_login(cast.viewer)
    shown = _screen_counts(client, cast.project, "analysis:matrix", "claims")
    outlet = article.source.name
    assert shown == Counter(
        {
            ("Russia is isolated", outlet): 2,
            ("The West isolates Russia", outlet): 2,
            ("The EU isolates Russia", outlet): 1,
        }
    )
    assert shown == _csv_counts(client, cast.project, "claims")


def test_the_tabs_carry_the_layout_from_one_view_to_the_other(client, demo):
    page = client.get(
        reverse("analysis:compare", args=[demo.slug]), {"rows": "claims", "group": "kind"}
    ).text
    assert (
        "rows=claims&amp;group=kind&amp;sort=codebook"
        in page.split('aria-label="Comparison views"')[1]
    )


def test_a_reported_claim_without_a_speaker_says_the_speaker_is_not_named(client, cast):
    claim = factories.make_claim(cast.project, "Russia is isolated")
    article = factories.make_article(cast.project, text="Officials said Russia is isolated.")
    factories.make_annotation(
        article,
        cast.analyst,
        "Russia is isolated",
        claim=claim,
        voice="reported",
        position="supports",
    )
    client.force_login(cast.viewer)
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]), {"rows": "claims"}
    ).text.split('id="compare-results"')[1]
    assert "speaker not named" in page and "outlet&#x27;s own voice" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"source": "²"},
        {"article": "²"},
        {"story": "99999999999999999999"},
        {"tag": "99999999999999999999"},
        {"source": "99999999999999999999"},
        {"since": "2016-02-30"},
    ],
)
def test_a_broken_filter_shows_nothing_and_says_why(client, demo, params):
    for name in ("analysis:compare", "analysis:matrix"):
        response = client.get(reverse(name, args=[demo.slug]), params)
        assert response.status_code == 200
        assert "This selection has a mistake, so nothing is shown" in response.text
    export = client.get(reverse("analysis:annotations-csv", args=[demo.slug]), params)
    assert export.status_code == 400 and "nothing was exported" in export.text


def test_garbage_article_ids_side_by_side_are_ignored(client, demo):
    url = reverse("analysis:side-by-side", args=[demo.slug])
    assert client.get(url, {"a": ["²", "99999999999999999999", "x"]}).status_code == 200
