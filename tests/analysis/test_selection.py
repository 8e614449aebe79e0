"""The one filter bar: every field of it narrows the comparisons, the claim page and the
exports alike (the numbers on screen equal the export of the same URL), keeps query counts
fixed, and judges blind spots within the selection only."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.annotations.models import AnchorStatus, Annotation
from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.analysis.scale import queries_at_two_sizes
from tests.analysis.test_compare import _csv_counts, _export_rows, _screen_counts

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def generated(client, db):
    corpus = generate_corpus(project_slug="gen", articles=40, sources=6, annotations=500, seed=4)
    project = corpus.project
    # Some passages whose anchoring is in doubt, to filter by.
    doubtful = list(Annotation.objects.filter(article__project=project)[:40:3])
    for annotation in doubtful:
        annotation.anchor_status = AnchorStatus.NEEDS_REVIEW
    Annotation.objects.bulk_update(doubtful, ["anchor_status"])
    user = factories.make_user("reader")
    project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    return project


def _filters(project) -> list[dict]:
    tags = list(project.tags.order_by("pk").values_list("pk", flat=True))
    actors = list(project.actors.order_by("pk").values_list("pk", flat=True))
    claim = project.claims.filter(parent=None).first()
    return [
        {"tag": [tags[0], tags[3]]},
        {"tag": [tags[0], tags[3]], "tag_mode": "all"},
        {"tag": f"{tags[1]},{tags[2]}"},
        {"speaker": actors[0]},
        {"target": actors[1]},
        {"speaker": actors[0], "target": actors[1]},
        {"claim": claim.pk, "voice": "reported"},
        {"position": "disputes", "voice": "own"},
        {"stance": "reports"},
        {"voice": "none"},
        {"position": "none"},
        {"kind": ["state_affiliated", "public_broadcaster"]},
        {"country": "gb"},
        {"status": "needs_review"},
        {"q": "the"},
        {"story": project.stories.first().pk, "kind": "commercial", "tag": tags[0]},
    ]


@pytest.mark.parametrize("dimension", ["tags", "claims", "actors"])
def test_every_filter_of_the_bar_gives_the_numbers_of_its_export(client, generated, dimension):
    nonempty = 0
    for filters in _filters(generated):
        shown = _screen_counts(client, generated, "analysis:matrix", dimension, **filters)
        assert shown == _csv_counts(client, generated, dimension, **filters), filters
        nonempty += bool(shown)
    # The filters do select something (in claim rows, "voice/position not given" and the
    # speaker-and-target pair may select nothing).
    assert nonempty >= len(_filters(generated)) - 4


def test_the_comparison_summary_counts_what_the_export_writes(client, generated):
    for filters in _filters(generated):
        page = client.get(reverse("analysis:compare", args=[generated.slug]), filters).text
        exported = len(_export_rows(client, generated, **filters))
        assert f"<strong>{exported}</strong> annotation" in page, filters


def test_several_tags_any_or_all_on_a_corpus_with_a_known_answer(client, cast):
    a = factories.make_tag(cast.project, "a")
    a_child = factories.make_tag(cast.project, "a child", parent=a)
    b = factories.make_tag(cast.project, "b")
    c = factories.make_tag(cast.project, "c")
    article = factories.make_article(cast.project, text="one two three four five six")
    factories.make_annotation(article, cast.analyst, "one", tags=[a])
    factories.make_annotation(article, cast.analyst, "two", tags=[b])
    factories.make_annotation(article, cast.analyst, "three", tags=[a, b])
    factories.make_annotation(article, cast.analyst, "four", tags=[a_child, b])
    factories.make_annotation(article, cast.analyst, "five", tags=[a_child])
    factories.make_annotation(article, cast.analyst, "six", tags=[c])
    client.force_login(cast.viewer)

    def quotes(**params):
        return sorted(row["quote"] for row in _export_rows(client, cast.project, **params))

    assert quotes(tag=[a.pk, b.pk]) == ["five", "four", "one", "three", "two"]
    assert quotes(tag=[a.pk, b.pk], tag_mode="all") == ["four", "three"]
    assert quotes(tag=[a_child.pk, b.pk], tag_mode="all") == ["four"]
    assert quotes(tag=[a.pk, c.pk], tag_mode="all") == []
    shown = _screen_counts(
        client, cast.project, "analysis:compare", "tags", tag=[a.pk, b.pk], tag_mode="all"
    )
    outlet = article.source.name
    assert shown == Counter({("a", outlet): 2, ("a child", outlet): 1, ("b", outlet): 2})


def test_speaker_target_and_either(client, cast):
    kerry, lavrov = (
        factories.make_actor(cast.project, "Kerry"),
        factories.make_actor(cast.project, "Lavrov"),
    )
    article = factories.make_article(cast.project, text="Kerry blamed Lavrov. Lavrov blamed Kerry.")
    factories.make_annotation(
        article, cast.analyst, "Kerry blamed Lavrov", speaker=kerry, target=lavrov
    )
    factories.make_annotation(
        article, cast.analyst, "Lavrov blamed Kerry", speaker=lavrov, target=kerry
    )
    client.force_login(cast.viewer)

    def quotes(**params):
        return sorted(row["quote"] for row in _export_rows(client, cast.project, **params))

    assert quotes(speaker=kerry.pk) == ["Kerry blamed Lavrov"]
    assert quotes(target=kerry.pk) == ["Lavrov blamed Kerry"]
    assert quotes(actor=kerry.pk) == ["Kerry blamed Lavrov", "Lavrov blamed Kerry"]
    assert quotes(speaker=kerry.pk, target=kerry.pk) == []


@pytest.mark.parametrize("view", ["analysis:compare", "analysis:matrix", "analysis:search"])
def test_query_count_of_every_filter_at_once_does_not_grow_with_the_data(client, db, view):
    def every_filter(project):
        return {
            "story": project.stories.first().pk,
            "since": "2000-01-01",
            "until": "2100-01-01",
            "kind": ["commercial", "state_affiliated"],
            "country": ["GB", "RU"],
            "tag": list(project.tags.values_list("pk", flat=True)[:3]),
            "tag_mode": "all",
            "claim": project.claims.first().pk,
            "speaker": project.actors.first().pk,
            "target": project.actors.last().pk,
            "voice": "own",
            "position": "supports",
            "annotator": "me",
            "status": "anchored",
            "q": "the",
        }

    small, large = queries_at_two_sizes(client, view, every_filter, seed=2)
    assert small == large


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "tabloid"},
        {"country": "GBR"},
        {"tag": "abc"},
        {"tag_mode": "some"},
        {"voice": "maybe"},
        {"position": "maybe"},
        {"stance": "asserts,reports"},
        {"status": "lost"},
        {"speaker": "x"},
        {"q": '"'},
        {"tag": ",".join(str(n) for n in range(1, 200))},
    ],
)
def test_a_broken_value_is_refused_where_the_user_acted(client, db, demo_project, params):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    for name in ("analysis:compare", "analysis:matrix"):
        response = client.get(reverse(name, args=[demo_project.slug]), params)
        assert "This selection has a mistake, so nothing is shown" in response.text
    export = client.get(reverse("analysis:annotations-csv", args=[demo_project.slug]), params)
    assert export.status_code == 400 and "nothing was exported" in export.text


@pytest.mark.parametrize(
    "name",
    [
        "analysis:compare",
        "analysis:matrix",
        "analysis:charts",
        "analysis:search",
        "analysis:claim",
        "analysis:actor",
    ],
)
def test_every_screen_has_the_same_filter_bar(client, db, demo_project, name):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    args = [demo_project.slug]
    if name == "analysis:claim":
        args.append(demo_project.claims.first().pk)
    if name == "analysis:actor":
        args.append(demo_project.actors.first().pk)
    page = client.get(reverse(name, args=args)).text
    bar = page.split('id="filter-bar"')[1].split("</form>")[0]
    own = {"analysis:claim": {"claim"}, "analysis:actor": {"speaker", "target"}}.get(name, set())
    for field in (
        "story",
        "since",
        "until",
        "source",
        "kind",
        "country",
        "tag",
        "tag_mode",
        "voice",
        "position",
        "annotator",
        "status",
        "q",
    ):
        assert f'name="{field}"' in bar, field
    for field in ("claim", "speaker", "target"):  # unless the page is about it
        assert (f'name="{field}"' in bar) is (field not in own), field


@pytest.fixture
def two_stories(cast):
    """A claim carried by the Bugle in the strike story; the Herald covered that story
    without it; the Courier published only in another story."""
    bugle, herald, courier = (factories.make_source(n) for n in ("Bugle", "Herald", "Courier"))
    claim = factories.make_claim(cast.project, "The US is to blame")
    carried = factories.make_article(
        cast.project, text="The US is to blame, it said.", source=bugle
    )
    silent = factories.make_article(cast.project, text="A convoy was hit.", source=herald)
    elsewhere = factories.make_article(cast.project, text="Talks went on.", source=courier)
    strike = factories.make_story(cast.project, carried, silent, name="Convoy strike")
    factories.make_story(cast.project, elsewhere, name="Earlier talks")
    factories.make_annotation(carried, cast.analyst, "The US is to blame", claim=claim)
    return claim, strike


def test_the_claim_page_judges_outlets_within_the_selection(client, cast, two_stories):
    claim, strike = two_stories
    client.force_login(cast.viewer)
    url = reverse("analysis:claim", args=[cast.project.slug, claim.pk])
    whole = client.get(url).text
    table = whole.split("Who carries it")[1].split("Timeline")[0]
    assert table.count("never mentions it") == 2  # Herald and Courier, in the whole project
    page = client.get(url, {"story": strike.pk}).text
    table = page.split("Who carries it")[1].split("</table>")[0]
    assert "Herald" in table and "Courier" not in table
    assert table.count("never mentions it") == 1
    assert 'never mentions it <span class="muted small">within this story</span>' in table
    no_coverage = page.split('class="no-coverage')[1].split("</p>")[0]
    assert "Courier" in no_coverage and "within the story" in no_coverage
    # The export links carry the selection.
    assert f"story={strike.pk}" in page.split("Export:")[1].split("</p>")[0]


def test_the_claim_page_filters_with_htmx_and_refuses_broken_values(client, cast, two_stories):
    claim, strike = two_stories
    client.force_login(cast.viewer)
    url = reverse("analysis:claim", args=[cast.project.slug, claim.pk])
    response = client.get(url, {"story": strike.pk}, **HTMX)
    assert response.text.lstrip().startswith('<div id="claim-results"')
    response = client.get(url, {"since": "2020-02-30"})
    assert response.status_code == 422 and "This selection has a mistake" in response.text


def test_the_comparison_says_no_coverage_for_an_outlet_without_articles_in_the_period(
    client, cast, two_stories
):
    _, strike = two_stories
    client.force_login(cast.viewer)
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]),
        {"story": strike.pk, "rows": "claims"},
    ).text
    results = page.split('id="compare-results"')[1]
    assert "not in Herald within this story" in results
    assert "Courier" not in results.split("</table>")[0]
    assert "Courier" in results.split('class="no-coverage')[1]


def test_with_filters_on_passages_an_outlet_is_not_said_to_never_mention_a_claim(
    client, cast, two_stories
):
    claim, _ = two_stories
    client.force_login(cast.viewer)
    url = reverse("analysis:claim", args=[cast.project.slug, claim.pk])
    page = client.get(url, {"position": "supports"}).text  # the Bugle's passage has none
    table = page.split("Who carries it")[1].split("</table>")[0]
    assert "never mentions it" not in table
    assert table.count("no passage that matches the filters") == 3
    summary = page.split('class="small export-links">')[1].split("Export:")[0]
    assert "among the passages that match the filters" in summary
    # In a comparison, a blind spot under passage filters says so too.
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]),
        {"rows": "claims", "speaker": factories.make_actor(cast.project, "Nobody").pk},
    ).text
    assert "No annotation in this selection." in page


def test_countries_match_whatever_case_they_were_stored_in(client, cast):
    lower = factories.make_source("Lower Case Times", country="gb")
    upper = factories.make_source("Upper Case Times", country="GB")
    other = factories.make_source("Elsewhere Times", country="FR")
    for n, source in enumerate((lower, upper, other)):
        factories.make_article(cast.project, text=f"Article {n}.", source=source)
    client.force_login(cast.viewer)
    url = reverse("analysis:compare", args=[cast.project.slug])
    page = client.get(url, {"country": "gb"}).text
    head = page.split('id="compare-results"')[1].split("</thead>")[0]
    assert "Lower Case Times" in head and "Upper Case Times" in head
    assert "Elsewhere Times" not in head
    bar = page.split('id="filter-bar"')[1].split("</form>")[0]
    assert bar.count('name="country" value="GB"') == 1  # one country, not two
    columns = client.get(url, {"group": "country"}).text.split("</thead>")[0]
    assert columns.count(">GB<") == 1


def test_the_codebook_is_read_once_however_many_tags_are_chosen(client, db):
    corpus = generate_corpus(project_slug="gen", articles=10, sources=3, annotations=80, seed=8)
    user = factories.make_user("reader")
    corpus.project.memberships.create(user=user, role="viewer")
    client.force_login(user)
    tags = list(corpus.project.tags.values_list("pk", flat=True))
    url = reverse("analysis:matrix", args=[corpus.project.slug])

    def queries(chosen):
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"tag": chosen, "tag_mode": "all"})
        return len(captured)

    assert len(tags) >= 6
    assert queries(tags[:1]) == queries(tags[:6])


def test_filters_the_bar_cannot_list_stay_visible_and_can_be_dropped(client, cast):
    article = factories.make_article(cast.project, text="Kerry spoke.")
    kerry = factories.make_actor(cast.project, "John Kerry")
    client.force_login(cast.viewer)
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]),
        {
            "annotator": "gone",
            "stance": "reports",
            "actor": kerry.pk,
            "article": article.pk,
        },
    ).text
    bar = page.split('id="filter-bar"')[1].split("</form>")[0]
    assert '<option value="gone" selected>' in bar
    assert 'name="stance" value="reports" checked' in bar
    assert f'name="actor" value="{kerry.pk}" checked> John Kerry as speaker or target' in bar
    assert 'name="article"' in bar and "1 article chosen" in bar
    assert 'type="hidden"' not in bar  # nothing filters unseen


def test_clear_shows_only_when_something_is_chosen(client, cast):
    client.force_login(cast.viewer)
    url = reverse("analysis:compare", args=[cast.project.slug])
    assert "Clear the filters" not in client.get(url, {"tag_mode": "any"}).text
    assert "Clear the filters" in client.get(url, {"since": "2020-01-01"}).text


def test_the_actor_page_judges_outlets_within_the_selection(client, cast, two_stories):
    _, strike = two_stories
    lavrov = factories.make_actor(cast.project, "Lavrov")
    carried = cast.project.articles.get(text__startswith="The US is to blame")
    annotation = carried.annotations.get()
    annotation.speaker = lavrov
    annotation.save()
    client.force_login(cast.viewer)
    url = reverse("analysis:actor", args=[cast.project.slug, lavrov.pk])
    page = client.get(url, {"story": strike.pk}).text
    table = page.split("Which outlets quote")[1].split("</table>")[0]
    assert "Bugle" in table and "Herald" in table and "Courier" not in table
    assert "Courier" in page.split('class="no-coverage')[1].split("</p>")[0]
    export = page.split("Export these passages:")[1].split("</p>")[0]
    assert f"actor={lavrov.pk}&amp;story={strike.pk}" in export
    partial = client.get(url, {"story": strike.pk}, HTTP_HX_REQUEST="true").text
    assert partial.lstrip().startswith('<div id="actor-results"')
    # The page's own actor is not a filter of the bar: a speaker= in the address is
    # dropped rather than emptying the page.
    other = factories.make_actor(cast.project, "Someone else")
    page = client.get(url, {"speaker": other.pk}).text
    assert "1 passage in Lavrov's voice" in page


def test_ids_that_name_nothing_of_the_project_are_pointed_out(client, cast):
    tag = factories.make_tag(cast.project, "blame")
    elsewhere = factories.make_tag(factories.make_project(), "other project's")
    client.force_login(cast.viewer)
    page = client.get(
        reverse("analysis:compare", args=[cast.project.slug]),
        {"tag": [tag.pk, elsewhere.pk, 999999], "story": 888888},
    ).text
    warning = page.split('role="alert">Not in this project')[1].split("</p>")[0]
    assert f"tag {elsewhere.pk}" in warning and "tag 999999" in warning
    assert "story 888888" in warning and f"tag {tag.pk}," not in warning
