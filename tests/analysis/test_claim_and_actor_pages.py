import datetime

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def corpus(cast):
    rt, bbc = factories.make_source("RT"), factories.make_source("BBC News")
    rt_article = factories.make_article(
        cast.project,
        text="Gerasimov said the US shields terrorists.",
        source=rt,
        title="RT piece",
        published=datetime.date(2016, 6, 21),
    )
    bbc_article = factories.make_article(
        cast.project,
        text="Peskov said bombing goes on. Kirby blamed Russia.",
        source=bbc,
        title="BBC piece",
        published=datetime.date(2016, 9, 29),
    )
    gerasimov = factories.make_actor(cast.project, "Valery Gerasimov")
    us = factories.make_actor(cast.project, "United States government")
    narrative = factories.make_claim(cast.project, "The West is to blame")
    claim = factories.make_claim(cast.project, "The US shields terrorists", parent=narrative)
    shields = factories.make_annotation(
        rt_article,
        cast.analyst,
        "the US shields terrorists",
        speaker=gerasimov,
        target=us,
        claim=claim,
        voice="reported",
        position="supports",
    )
    blamed = factories.make_annotation(bbc_article, cast.owner, "Kirby blamed Russia", target=us)
    return {
        "claim": claim,
        "narrative": narrative,
        "gerasimov": gerasimov,
        "us": us,
        "shields": shields,
        "blamed": blamed,
    }


def _get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=[user.memberships.first().project.slug, *args])).text


def test_the_claim_page_lists_passages_grouped_by_outlet_with_links_into_the_reader(
    client, cast, corpus
):
    page = _get(client, cast.viewer, "analysis:claim", corpus["claim"].pk)
    assert '<span class="source">RT</span>' in page
    assert "the US shields terrorists" in page
    assert f'href="{corpus["shields"].get_absolute_url()}"' in page
    assert "Valery Gerasimov" in page and "reports" in page
    assert "Part of the narrative" in page and "The West is to blame" in page


def test_a_narrative_page_gathers_the_passages_of_its_claims(client, cast, corpus):
    page = _get(client, cast.viewer, "analysis:claim", corpus["narrative"].pk)
    assert "the US shields terrorists" in page
    assert "Includes:" in page


def test_a_claim_nobody_carries_says_so(client, cast, corpus):
    lonely = factories.make_claim(cast.project, "Only Russia can end the war")
    page = _get(client, cast.viewer, "analysis:claim", lonely.pk)
    assert "No passage carries this claim in the whole project." in page


def test_the_actor_page_lists_what_they_say_and_where_they_are_blamed(client, cast, corpus):
    page = _get(client, cast.viewer, "analysis:actor", corpus["us"].pk)
    spoken, blamed = page.split("Blamed in")
    assert "No passage quotes this actor yet." in spoken
    assert "the US shields terrorists" in blamed and "Kirby blamed Russia" in blamed
    assert blamed.index("BBC News") < blamed.index("RT")  # outlets in name order


def test_the_actor_page_of_a_speaker_shows_their_claims(client, cast, corpus):
    page = _get(client, cast.viewer, "analysis:actor", corpus["gerasimov"].pk)
    speaks = page.split("Blamed in")[0]
    assert "The US shields terrorists" in speaks


@pytest.mark.parametrize("name", ["analysis:claim", "analysis:actor"])
def test_pages_of_another_projects_claims_and_actors_are_404(client, cast, name):
    other = factories.make_project()
    thing = factories.make_claim(other) if name.endswith("claim") else factories.make_actor(other)
    client.force_login(cast.owner)
    assert client.get(reverse(name, args=[cast.project.slug, thing.pk])).status_code == 404


@pytest.mark.parametrize(("name", "key"), [("analysis:claim", "claim"), ("analysis:actor", "us")])
def test_query_count_does_not_grow_with_passages(client, cast, corpus, name, key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(name, args=[cast.project.slug, corpus[key].pk])
    client.force_login(cast.viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(20):
        article = factories.make_article(
            cast.project,
            text=f"Text {n}: the US shields terrorists.",
            source=factories.make_source(),
        )
        factories.make_annotation(
            article,
            cast.analyst,
            "the US shields terrorists",
            claim=corpus["claim"],
            target=corpus["us"],
            tags=[factories.make_tag(cast.project)],
        )
    # The filter bar's lists (stories, outlets, kinds, countries, tags, claims, actors,
    # annotators) are a fixed number of queries too.
    assert queries() == before <= 30


def test_long_lists_show_the_first_five_per_outlet_and_link_to_the_rest(client, cast, corpus):
    source = factories.make_source("Busy Wire")
    for n in range(25):
        article = factories.make_article(
            cast.project, text=f"Wire {n}: the US shields terrorists.", source=source
        )
        factories.make_annotation(
            article, cast.analyst, "the US shields terrorists", claim=corpus["claim"]
        )
    page = _get(client, cast.viewer, "analysis:claim", corpus["claim"].pk)
    busy = page.split("Busy Wire</span>")[-1]
    assert "25 passages" in busy and "and 20 more from Busy Wire" in busy
    assert f"claim={corpus['claim'].pk}&amp;source={source.pk}" in busy


def test_the_claim_page_tells_how_each_outlet_carries_the_claim(client, cast, corpus):
    factories.make_article(
        cast.project, text="Silent outlet text.", source=factories.make_source("Silent")
    )
    page = _get(client, cast.viewer, "analysis:claim", corpus["claim"].pk)
    table = page.split("Who carries it")[1].split("Timeline")[0]
    assert "reports others asserting it" in table  # RT reports Gerasimov
    assert table.count("never mentions it") == 2  # BBC News and Silent


def test_the_actor_pages_more_links_export_exactly_that_list(client, cast, corpus):
    source = factories.make_source("Busy Wire")
    peskov = factories.make_actor(cast.project, "Peskov")
    for n in range(7):
        article = factories.make_article(
            cast.project, text=f"Wire {n}: Peskov spoke.", source=source
        )
        factories.make_annotation(article, cast.analyst, "Peskov spoke", speaker=peskov)
    for n in range(7):
        article = factories.make_article(
            cast.project, text=f"Wire {n}: blamed Peskov.", source=source
        )
        factories.make_annotation(article, cast.analyst, "blamed Peskov", target=peskov)
    page = _get(client, cast.viewer, "analysis:actor", peskov.pk)
    speaks, blamed = page.split("Blamed in")
    assert f"speaker={peskov.pk}&amp;source={source.pk}" in speaks.split("Speaks in")[1]
    assert f"target={peskov.pk}&amp;source={source.pk}" in blamed
