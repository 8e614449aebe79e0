"""Adjudication's pages: who may read and decide (owners and adjudicator analysts decide;
viewers read; other analysts neither; outsiders get 404), wrong methods, htmx and plain
answers, refusals, and query counts that do not grow with the units."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.annotations.models import Annotation, Layer
from apps.coding import adjudicating
from apps.coding.assigning import assign, mark_done
from apps.coding.models import Adjudication, DroppedPassage
from tests import factories
from tests.coding.adjudication_setup import code_article

HTMX = {"HTTP_HX_REQUEST": "true"}
READERS = ("owner", "adjudicator", "viewer")
DECIDERS = ("owner", "adjudicator")


@pytest.fixture
def coded(cast):
    return code_article(cast)


def _url(coded, name: str) -> str:
    if name == "coding:adjudication":
        return reverse(name, args=[coded.cast.project.slug])
    return reverse(name, args=[coded.cast.project.slug, coded.article.pk])


def _people(coded) -> dict:
    cast = coded.cast
    return {
        "owner": cast.owner,
        "adjudicator": coded.adjudicator,
        "analyst": cast.analyst,
        "viewer": cast.viewer,
    }


@pytest.mark.parametrize("name", ["coding:adjudication", "coding:adjudicate"])
def test_owners_adjudicators_and_viewers_read_the_pages_other_analysts_do_not(client, coded, name):
    url = _url(coded, name)
    for role, user in _people(coded).items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == (200 if role in READERS else 403), role
    client.force_login(coded.cast.analyst)
    assert "adjudicators" in client.get(url).text  # the 403 says who may
    client.force_login(coded.cast.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(coded.cast.owner)
    assert client.post(url).status_code == 405


def test_every_member_reads_the_adjudicated_version(client, coded):
    url = _url(coded, "coding:adjudicated")
    for user in _people(coded).values():
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.force_login(coded.cast.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(coded.cast.viewer)
    assert client.post(url).status_code == 405


def _decision(coded, name: str) -> dict:
    units = coded.units()
    bravo = units["Bravo"]
    base = {"key": bravo.key, "anchor": bravo.anchor, "text_hash": coded.article.content_hash}
    if name == "coding:adjudicate-take":
        return {**base, "source": bravo.versions[1].pk}
    if name == "coding:adjudicate-decide":
        start, end = bravo.versions[0].span
        return {**base, "kind": "merge", "span": f"{start}-{end}", "tags": [coded.tags[0].pk]}
    if name == "coding:adjudicate-accept":
        return {"key": [units["Alpha"].key, units["Foxtrot"].key]}
    return base


@pytest.mark.parametrize(
    "name",
    [
        "coding:adjudicate-take",
        "coding:adjudicate-decide",
        "coding:adjudicate-drop",
        "coding:adjudicate-accept",
    ],
)
def test_only_owners_and_adjudicators_decide(client, coded, name):
    url, data = _url(coded, name), _decision(coded, name)
    client.force_login(coded.cast.owner)
    assert client.get(url).status_code == 405
    for role in ("analyst", "viewer"):
        client.force_login(_people(coded)[role])
        assert client.post(url, data).status_code == 403, role
    client.force_login(coded.cast.outsider)
    assert client.post(url, data).status_code == 404
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not Adjudication.objects.exists()
    for role in DECIDERS:
        client.force_login(_people(coded)[role])
        assert client.post(url, data).status_code == 302, role
        assert Adjudication.objects.exists()
        # Undone, so that the next one decides the same units.
        Annotation.objects.filter(layer=Layer.GOLD).delete()
        DroppedPassage.objects.all().delete()


@pytest.mark.parametrize("name", ["coding:adjudicate-undo", "coding:adjudicate-finish"])
def test_only_owners_and_adjudicators_undo_and_finish(client, coded, name):
    url = _url(coded, name)
    client.force_login(coded.cast.owner)
    assert client.get(url).status_code == 405
    for role in ("analyst", "viewer"):
        client.force_login(_people(coded)[role])
        assert client.post(url, {"gold": 1}).status_code == 403, role
    client.force_login(coded.cast.outsider)
    assert client.post(url, {"gold": 1}).status_code == 404


def test_an_analyst_no_longer_adjudicator_may_not_decide(client, coded):
    coded.cast.project.memberships.filter(user=coded.adjudicator).update(adjudicator=False)
    client.force_login(coded.adjudicator)
    url = _url(coded, "coding:adjudicate-take")
    assert client.post(url, _decision(coded, "coding:adjudicate-take")).status_code == 403
    assert client.get(_url(coded, "coding:adjudicate")).status_code == 403


def test_the_page_shows_each_version_side_by_side_and_the_agreed_ones_folded(client, coded):
    client.force_login(coded.adjudicator)
    page = client.get(_url(coded, "coding:adjudicate")).text
    assert page.count('<section class="unit') == 6
    assert 'Where the coders differ <span class="muted">(4)</span>' in page
    assert '<details class="agreed-units">' in page
    bravo = coded.units()["Bravo"]
    unit = re.search(rf'<section class="unit[^"]*" id="{bravo.anchor}".*?</section>', page, re.S)
    html = unit.group(0)
    assert html.count('<article class="version"') == 2
    assert "Take anton's version" in html and "Take Beth Ames's version" in html
    assert "Anton&#x27;s note" in html and 'class="differs">Tags' in html
    assert "Accept the 2 agreed units" in page


def test_the_viewer_reads_without_any_way_to_decide(client, coded):
    client.force_login(coded.cast.viewer)
    page = client.get(_url(coded, "coding:adjudicate")).text
    assert "Take " not in page and "No passage here</button>" not in page
    assert "Mark the article adjudicated" not in page


def test_with_htmx_a_decision_swaps_its_unit_and_the_progress(client, coded):
    client.force_login(coded.adjudicator)
    data = _decision(coded, "coding:adjudicate-take")
    response = client.post(_url(coded, "coding:adjudicate-take"), data, **HTMX)
    assert response.status_code == 200
    html = response.text.strip()
    assert html.startswith(f'<section class="unit settled" id="{data["anchor"]}"')
    assert '<div id="adjudication-progress"' in html and 'hx-swap-oob="true"' in html
    assert "1</strong> of 6 units settled" in html
    assert "as Beth Ames's version" in html and ">Undo<" in html


def test_without_javascript_a_decision_goes_back_to_the_unit(client, coded):
    client.force_login(coded.cast.owner)
    data = _decision(coded, "coding:adjudicate-drop")
    response = client.post(_url(coded, "coding:adjudicate-drop"), data)
    assert response["Location"] == _url(coded, "coding:adjudicate") + f"#{data['anchor']}"
    page = client.get(response["Location"]).text
    assert "<strong>No passage</strong> here" in page


def test_undo_with_htmx_shows_the_unit_to_settle_again(client, coded):
    client.force_login(coded.cast.owner)
    data = _decision(coded, "coding:adjudicate-take")
    client.post(_url(coded, "coding:adjudicate-take"), data)
    gold = Annotation.objects.get(layer=Layer.GOLD)
    response = client.post(
        _url(coded, "coding:adjudicate-undo"), {"gold": gold.pk, "anchor": data["anchor"]}, **HTMX
    )
    assert response.status_code == 200
    assert "to settle" in response.text and not Annotation.objects.filter(pk=gold.pk).exists()


def test_a_stale_decision_is_refused_over_the_page_as_it_is_now(client, coded):
    client.force_login(coded.cast.owner)
    data = _decision(coded, "coding:adjudicate-take")
    Annotation.objects.filter(pk=data["source"]).update(version=5)
    response = client.post(_url(coded, "coding:adjudicate-take"), data, **HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#adjudication-body"
    assert "changed these passages since the page was loaded" in response.text
    plain = client.post(_url(coded, "coding:adjudicate-take"), data)
    assert plain.status_code == 409 and "changed these passages" in plain.text
    assert not Annotation.objects.filter(layer=Layer.GOLD).exists()


def test_a_forged_decision_is_refused_in_its_unit(client, coded):
    client.force_login(coded.cast.owner)
    data = {**_decision(coded, "coding:adjudicate-decide"), "span": "0-99999"}
    response = client.post(_url(coded, "coding:adjudicate-decide"), data, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#{data['anchor']}"
    assert "That span is not one of this unit" in response.text
    foreign = factories.make_tag(factories.make_project("Other"), "foreign")
    data = {**_decision(coded, "coding:adjudicate-decide"), "tags": [foreign.pk]}
    response = client.post(_url(coded, "coding:adjudicate-decide"), data, **HTMX)
    assert response.status_code == 422 and "Select a valid choice" in response.text
    data = {**_decision(coded, "coding:adjudicate-take"), "key": "not a key"}
    assert client.post(_url(coded, "coding:adjudicate-take"), data).status_code == 422
    assert not Annotation.objects.filter(layer=Layer.GOLD).exists()
    assert not Adjudication.objects.exists()


def test_the_write_form_opens_in_its_unit(client, coded):
    client.force_login(coded.cast.owner)
    delta = coded.units()["Delta"]
    url = _url(coded, "coding:adjudicate") + f"?write={delta.anchor}"
    unit = client.get(url, **HTMX).text.strip()
    assert unit.startswith(f'<section class="unit" id="{delta.anchor}"')
    assert unit.count('name="tags"') == 3  # the whole codebook
    assert 'value="write"' in unit
    page = client.get(url).text
    assert page.count('value="write"') == 1 and "<html" in page


def test_accepting_and_finishing_answer_with_the_whole_page_body(client, coded):
    client.force_login(coded.cast.owner)
    data = _decision(coded, "coding:adjudicate-accept")
    response = client.post(_url(coded, "coding:adjudicate-accept"), data, **HTMX)
    assert response["HX-Retarget"] == "#adjudication-body"
    assert "2</strong> of 6 units settled" in response.text
    response = client.post(_url(coded, "coding:adjudicate-finish"), {}, **HTMX)
    assert response.status_code == 422 and "4 units still to settle" in response.text
    for unit in coded.units().values():
        if not unit.settled:
            adjudicating.drop_unit(article=coded.article, key=unit.key, adjudicator=coded.owner)
    response = client.post(_url(coded, "coding:adjudicate-finish"), {}, **HTMX)
    assert response.status_code == 200 and ">Reopen<" in response.text
    assert "Take " not in response.text  # a finished adjudication is read-only
    response = client.post(_url(coded, "coding:adjudicate-finish"), {"reopen": "1"})
    assert response.status_code == 302
    assert Adjudication.objects.get().finished_at is None


def test_the_list_shows_where_coders_differ_and_the_status(client, coded):
    one = factories.make_article(coded.cast.project, text="Coded by one coder only.")
    factories.make_annotation(one, coded.cast.analyst, "Coded")
    story = factories.make_story(coded.cast.project, coded.article, name="The story")
    client.force_login(coded.cast.viewer)
    url = _url(coded, "coding:adjudication")
    page = client.get(url).text
    assert "The coded article" in page and one.title not in page
    row = re.search(r"The coded article.*?</tr>", page, re.S).group(0)
    assert re.findall(r'class="num"[^>]*>(\d+)', row) == ["6", "4"]
    assert "Not started" in row
    bravo = coded.units()["Bravo"]
    adjudicating.drop_unit(article=coded.article, key=bravo.key, adjudicator=coded.owner)
    assert "In progress" in client.get(url).text
    assert "The coded article" in client.get(url, {"story": story.pk}).text
    assert "The coded article" not in client.get(url, {"status": "done"}).text
    assert "The coded article" in client.get(url, {"status": "started"}).text


def _more_units(cast, sentences: int):
    """An article two coders coded, ``sentences`` units that differ."""
    second = cast.project.memberships.get(user__username="beth").user
    text = " ".join(f"Sentence number {n} here." for n in range(sentences))
    article = factories.make_article(cast.project, text=text)
    tag = factories.make_tag(cast.project)
    for n in range(sentences):
        quote = f"Sentence number {n} here."
        factories.make_annotation(article, cast.analyst, quote, tags=[tag])
        factories.make_annotation(article, second, quote)
    return article


def test_query_counts_do_not_grow_with_the_units(client, coded):
    client.force_login(coded.cast.owner)
    counts = []
    for sentences in (2, 20):
        article = _more_units(coded.cast, sentences)
        url = reverse("coding:adjudicate", args=[coded.cast.project.slug, article.pk])
        with CaptureQueriesContext(connection) as page:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert client.get(_url(coded, "coding:adjudication")).status_code == 200
        unit = adjudicating.article_units(article).units[0]
        take = reverse("coding:adjudicate-take", args=[coded.cast.project.slug, article.pk])
        data = {"key": unit.key, "anchor": unit.anchor, "source": unit.versions[0].pk}
        with CaptureQueriesContext(connection) as decision:
            assert client.post(take, data, **HTMX).status_code == 200
        counts.append((len(page), len(listing), len(decision)))
    assert counts[0] == counts[1]
    page, listing, decision = counts[0]
    assert page <= 15 and listing <= 12 and decision <= 40


def test_an_adjudicator_coding_blind_adjudicates_only_what_they_marked_done(client, coded):
    project = coded.cast.project
    project.blind_coding = True
    project.save()
    client.force_login(coded.adjudicator)
    page = _url(coded, "coding:adjudicate")
    take = _url(coded, "coding:adjudicate-take")
    listed = _url(coded, "coding:adjudication")
    data = _decision(coded, "coding:adjudicate-take")
    # Not one of its coders: nothing to be blind about.
    assert client.get(page).status_code == 200
    assert coded.article.title in client.get(listed).text
    # Given it to code (one of its coders of record now): blind until done.
    coders = [coded.cast.analyst, coded.second, coded.adjudicator]
    assign(project=project, articles=[coded.article.pk], coders=coders, by=coded.owner)
    response = client.get(page)
    assert response.status_code == 403 and "mark it done" in response.text
    assert client.post(take, data).status_code == 403
    listing = client.get(listed)
    assert listing.status_code == 200 and coded.article.title not in listing.text
    mark_done(article=coded.article, coder=coded.adjudicator)
    assert client.get(page).status_code == 200
    assert coded.article.title in client.get(listed).text
    assert client.post(take, data).status_code == 302
    client.force_login(coded.cast.owner)  # owners always see everything
    assert client.get(page).status_code == 200


def test_an_adjudicator_who_coded_an_article_unasked_is_not_told_to_mark_it_done(client, coded):
    project = coded.cast.project
    project.blind_coding = True
    project.save()
    factories.make_annotation(coded.article, coded.adjudicator, "Echo thirteen")
    client.force_login(coded.adjudicator)
    response = client.get(_url(coded, "coding:adjudicate"))
    assert response.status_code == 403
    assert "Leave its adjudication to an owner" in response.text
    assert "mark it done" not in response.text
    assert coded.article.title not in client.get(_url(coded, "coding:adjudication")).text
