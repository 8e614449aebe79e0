"""Candidates: passages nobody coded with a claim (or a tag) that say what its coded
passages say, by outlet; coded spans and rejected passages left out; the page, its
actions and its access; the evaluation against the hand-read demo passages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.analysis import candidate_scores, candidates
from apps.analysis.models import RejectedCandidate
from apps.sampledata.candidates_eval import evaluate
from apps.sampledata.demo import load_demo
from tests import factories
from tests.access import assert_members_read_only

CODED = "Russian jets bombed hospitals and markets in eastern Aleppo, killing civilians."
CARRIES = "Witnesses said Russian jets bombed a hospital in Aleppo, and civilians died."
UNRELATED = "The central bank kept interest rates unchanged on Thursday."


@pytest.fixture
def setting(cast):
    """A claim coded in one outlet, carried but not coded in a second, absent from a
    third."""
    bbc = factories.make_source("BBC News")
    rt = factories.make_source("RT")
    bloomberg = factories.make_source("Bloomberg")
    coded = factories.make_article(cast.project, text=f"{CODED}\n\nTalks resumed.", source=bbc)
    carries = factories.make_article(
        cast.project, text=f"Fighting went on.\n\n{CARRIES} Talks resumed later.", source=rt
    )
    factories.make_article(cast.project, text=f"{UNRELATED}\n\nMarkets rose.", source=bloomberg)
    claim = factories.make_claim(cast.project, "Russia is bombing civilians in Aleppo")
    tag = factories.make_tag(cast.project, "civilian harm")
    factories.make_annotation(coded, cast.analyst, CODED, claim=claim, tags=[tag])
    cast.claim, cast.tag, cast.carries = claim, tag, carries
    cast.outlets = {"BBC News": bbc, "RT": rt, "Bloomberg": bloomberg}
    return cast


def _states(found):
    return {o.source.name: (o.state, [c.article.text[c.start : c.end] for c in o.candidates])
            for o in found.outlets}  # fmt: skip


def test_a_claim_is_found_where_it_is_carried_and_not_coded(setting):
    found = candidates.find(setting.claim, setting.project.articles.all(), user=setting.analyst)
    states = _states(found)
    assert states["BBC News"] == ("coded", [])  # its one passage is coded: nothing else
    assert states["RT"][0] == "candidates" and CARRIES in states["RT"][1][0]
    assert states["Bloomberg"] == ("none", [])
    best = found.outlets[0].candidates[0]
    assert best.score >= candidate_scores.THRESHOLD
    assert "<mark>bombed</mark>" in best.html and "<mark>Aleppo</mark>" in best.html


def test_a_tag_is_found_from_its_coded_passages(setting):
    found = candidates.find(setting.tag, setting.project.articles.all(), user=setting.analyst)
    assert _states(found)["RT"][0] == "candidates"


def test_a_rejected_passage_is_not_offered_again_to_that_analyst(setting):
    articles = setting.project.articles.all()
    first = candidates.find(setting.claim, articles, user=setting.analyst).outlets[0].candidates
    for candidate in first:
        candidates.reject(
            user=setting.analyst,
            claim=setting.claim,
            tag=None,
            article=candidate.article,
            start=candidate.start,
            end=candidate.end,
        )
    again = _states(candidates.find(setting.claim, articles, user=setting.analyst))
    assert again["RT"] == ("none", [])
    # Another analyst still sees it, and the tag's candidates are not the claim's.
    assert _states(candidates.find(setting.claim, articles, user=setting.owner))["RT"][1]
    assert _states(candidates.find(setting.tag, articles, user=setting.analyst))["RT"][1]


def test_a_story_narrows_where_candidates_are_looked_for(setting):
    story = factories.make_story(setting.project, name="Elsewhere")
    found = candidates.find(setting.claim, story.articles.all(), user=setting.analyst)
    assert found.outlets == [] and found.count == 0


def test_the_page_lists_outlets_by_state_and_its_candidates(client, setting):
    url = reverse("analysis:claim-candidates", args=[setting.project.slug, setting.claim.pk])
    client.force_login(setting.analyst)
    html = client.get(url).content.decode()
    assert "Find elsewhere" in html and "very likely does not carry it" in html
    assert "<strong>coded</strong>: 1 passage" in html and "1 candidate</a>, not coded" in html
    assert "Code it" in html and "Reject" in html
    hit = f"?hit={len('Fighting went on.') + 2}-"
    assert hit in html and "code-claim=Russia%20is%20bombing%20civilians%20in%20Aleppo" in html
    # The filter bar swaps the results in place.
    story = factories.make_story(setting.project, setting.carries, name="Aleppo")
    partial = client.get(url, {"story": story.pk}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="candidate-results"' in partial.content
    assert "Bloomberg" not in partial.content.decode()


def test_a_viewer_reads_candidates_but_cannot_code_or_reject_them(client, setting):
    url = reverse("analysis:tag-candidates", args=[setting.project.slug, setting.tag.pk])
    client.force_login(setting.viewer)
    html = client.get(url).content.decode()
    assert "More like “civilian harm”" in html and "Open in the reader" in html
    assert "Code it" not in html and ">Reject<" not in html


def test_the_pages_permission_matrix(client, setting):
    for name, pk in (("claim-candidates", setting.claim.pk), ("tag-candidates", setting.tag.pk)):
        url = reverse(f"analysis:{name}", args=[setting.project.slug, pk])
        assert_members_read_only(client, setting, url)


def test_rejecting_from_the_page(client, setting):
    url = reverse("analysis:reject-candidate", args=[setting.project.slug])
    found = candidates.find(setting.claim, setting.project.articles.all(), user=setting.analyst)
    best = found.outlets[0].candidates[0]
    data = {"claim": setting.claim.pk, "article": best.article.pk, "start": best.start,
            "end": best.end}  # fmt: skip
    client.force_login(setting.viewer)
    assert client.post(url, data).status_code == 403
    client.force_login(setting.outsider)
    assert client.post(url, data).status_code == 404
    client.force_login(setting.analyst)
    assert client.get(url).status_code == 405
    assert client.post(url, {**data, "end": 10_000}).status_code == 422
    assert client.post(url, {**data, "tag": setting.tag.pk}).status_code == 422  # both
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    response = client.post(url, data)  # again, without htmx: once, and back to the page
    assert response.status_code == 302 and response.url.endswith("/candidates/")
    assert RejectedCandidate.objects.filter(user=setting.analyst).count() == 1


def test_the_page_reads_a_fixed_number_of_queries(client, setting, django_assert_max_num_queries):
    for n in range(20):
        factories.make_article(
            setting.project, text=f"{CARRIES} Day {n}.", source=setting.outlets["RT"]
        )
    url = reverse("analysis:claim-candidates", args=[setting.project.slug, setting.claim.pk])
    client.force_login(setting.analyst)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_a_blind_spot_in_the_comparison_links_to_the_candidates(client, setting):
    client.force_login(setting.analyst)
    html = client.get(reverse("analysis:compare", args=[setting.project.slug]),
                      {"rows": "claims"}).content.decode()  # fmt: skip
    link = reverse("analysis:claim-candidates", args=[setting.project.slug, setting.claim.pk])
    assert f'href="{link}?' in html and "uncoded or absent?" in html


def _spots(client, setting, target, outlets, **params):
    name = "claim-blind-spots" if target == setting.claim else "tag-blind-spots"
    url = reverse(f"analysis:{name}", args=[setting.project.slug, target.pk])
    ids = [setting.outlets[name].pk for name in outlets]
    return client.get(url, {**params, "outlet": ids}, headers={"HX-Request": "true"})


def test_a_blind_spot_says_whether_it_has_candidates_or_none(client, setting):
    """The comparison's "not in RT, Bloomberg", said outlet by outlet: candidates (with
    how many, as the candidates page lists them, and a link there), or none."""
    client.force_login(setting.analyst)
    html = _spots(client, setting, setting.claim, ["RT", "Bloomberg"]).content.decode()
    page = reverse("analysis:claim-candidates", args=[setting.project.slug, setting.claim.pk])
    rt = setting.outlets["RT"].pk
    on_page = candidates.find(setting.claim, setting.project.articles.all(), user=setting.analyst)
    listed = {o.source.name: len(o.candidates) for o in on_page.outlets}
    assert f'Candidates, not coded: <a href="{page}?#outlet-{rt}">RT ({listed["RT"]})</a>' in html
    assert "No candidate above 30: Bloomberg" in html
    assert "BBC News" not in html  # not asked about: it carries the claim in the row
    tag_html = _spots(client, setting, setting.tag, ["RT", "Bloomberg"]).content.decode()
    assert "RT (1)" in tag_html and "No candidate above 30: Bloomberg" in tag_html


def test_a_blind_spot_made_by_a_filter_on_passages_says_it_is_coded(client, setting):
    """Under "by the owner", BBC News is a blind spot; an analyst coded it there."""
    client.force_login(setting.owner)
    html = _spots(
        client, setting, setting.claim, ["BBC News"], annotator=setting.owner.pk
    ).content.decode()
    assert "Coded, but not by these filters: BBC News (1)" in html
    assert "Candidates" not in html and "No candidate" not in html


def test_blind_spot_states_permission_matrix_and_plain_requests(client, setting):
    rt = setting.outlets["RT"].pk
    for name, pk in (("claim-blind-spots", setting.claim.pk), ("tag-blind-spots", setting.tag.pk)):
        url = reverse(f"analysis:{name}", args=[setting.project.slug, pk])
        for role in ("owner", "analyst", "viewer"):
            client.force_login(getattr(setting, role))
            response = client.get(url, {"outlet": rt}, headers={"HX-Request": "true"})
            assert response.status_code == 200 and b"<html" not in response.content, role
        client.force_login(setting.outsider)
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
        client.logout()
        anonymous = client.get(url, headers={"HX-Request": "true"})  # htmx: to the login page
        assert anonymous["HX-Redirect"].startswith(reverse("accounts:login"))
        assert client.get(url).status_code == 302
        client.force_login(setting.viewer)
        assert client.post(url, headers={"HX-Request": "true"}).status_code == 405
        # Without htmx: the candidates page, which says it for every outlet.
        response = client.get(url, {"outlet": rt, "story": "", "annotator": setting.owner.pk})
        page = reverse(f"analysis:{name.replace('blind-spots', 'candidates')}",
                       args=[setting.project.slug, pk])  # fmt: skip
        assert response.status_code == 302 and response.url.startswith(f"{page}?")
        assert "outlet=" not in response.url
    client.force_login(setting.analyst)
    broken = _spots(client, setting, setting.claim, ["RT"], since="not a date")
    assert broken.status_code == 204  # the comparison says what is wrong; the link stays


def test_blind_spot_states_read_as_many_queries_at_any_size(client, setting):
    client.force_login(setting.analyst)
    counts = []
    for size in (10, 30):  # more articles, coded passages and outlets: as many queries
        for n in range(size):
            source = factories.make_source() if n % 2 else setting.outlets["RT"]
            text = f"{CARRIES} {size}/{n}."
            article = factories.make_article(setting.project, text=text, source=source)
            factories.make_annotation(article, setting.owner, CARRIES, claim=setting.claim)
        with CaptureQueriesContext(connection) as queries:
            assert _spots(client, setting, setting.claim, ["RT", "Bloomberg"]).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 22


def test_a_note_that_names_no_outlet_or_a_wrong_one_keeps_its_link(client, setting):
    """The note is replaced only by an answer; 204 leaves its link to the page."""
    client.force_login(setting.analyst)
    url = reverse("analysis:claim-blind-spots", args=[setting.project.slug, setting.claim.pk])
    htmx = {"HX-Request": "true"}
    for outlets in ([], ["²"], ["x"], [10**30], [999_999]):
        response = client.get(url, {"outlet": outlets}, headers=htmx)
        assert response.status_code == 204, outlets


def test_an_invalid_filter_is_said_on_the_candidates_page(client, setting):
    url = reverse("analysis:claim-candidates", args=[setting.project.slug, setting.claim.pk])
    client.force_login(setting.analyst)
    response = client.get(url, {"since": "not a date"})
    assert response.status_code == 422 and "Find elsewhere" in response.content.decode()


def test_the_comparison_asks_for_the_states_of_its_blind_spot_outlets(client, setting):
    client.force_login(setting.analyst)
    for name, month in (("BBC News", 1), ("RT", 2), ("Bloomberg", 2)):
        setting.project.articles.filter(source__name=name).update(published=date(2016, month, 1))
    url = reverse("analysis:compare", args=[setting.project.slug])
    html = client.get(url, {"rows": "claims"}).content.decode()
    spots = reverse("analysis:claim-blind-spots", args=[setting.project.slug, setting.claim.pk])
    rt, bloomberg = setting.outlets["RT"].pk, setting.outlets["Bloomberg"].pk
    assert f'hx-get="{spots}?' in html and 'hx-trigger="intersect once"' in html
    asked = html.split(f'hx-get="{spots}?')[1].split('"')[0]
    assert sorted(asked.split("&amp;outlet=")[1:]) == sorted([str(rt), str(bloomberg)])
    # Columns by kind hold outlets: those of the kinds the claim is not in.
    setting.outlets["Bloomberg"].kind = "nonprofit"
    setting.outlets["Bloomberg"].save()
    by_kind = client.get(url, {"rows": "claims", "group": "kind"}).content.decode()
    asked = by_kind.split(f'hx-get="{spots}?')[1].split('"')[0]
    assert asked.split("&amp;outlet=")[1:] == [str(bloomberg)]
    # Columns by month are not outlets: the row links to the candidates page only.
    by_month = client.get(url, {"rows": "claims", "group": "month"}).content.decode()
    assert "uncoded or absent?" in by_month and "blind-spots" not in by_month


def test_the_demo_evaluation_finds_some_uncoded_passages(db):
    """The measure of docs/benchmarks.md, run: a floor under its numbers, so that a
    change to the method that loses what it finds fails here."""
    project = load_demo(with_users=True).project
    scores = evaluate(project)
    assert len(scores) == 12 and sum(s.gold for s in scores) == 23
    recalls = [s.recall for s in scores if s.recall is not None]
    assert sum(recalls) / len(recalls) >= 0.25
    assert sum(s.right for s in scores) >= 4


def test_an_orphaned_passage_neither_counts_as_coded_nor_hides_what_is_there_now(setting):
    from apps.annotations.anchoring import revise_article

    coded = setting.project.articles.get(source__name="BBC News")
    revise_article(
        article=coded, new_text=f"Nothing of it is left.\n\n{CARRIES}", author=setting.owner
    )
    found = candidates.find(setting.claim, setting.project.articles.all(), user=setting.analyst)
    state, passages = _states(found)["BBC News"]
    assert state == "candidates" and CARRIES in passages[0]


def test_a_rejection_lapses_when_the_text_is_revised(setting):
    from apps.annotations.anchoring import revise_article

    articles = setting.project.articles.all()
    best = candidates.find(setting.claim, articles, user=setting.analyst).outlets[0].candidates[0]
    for _ in range(2):  # said twice, kept once
        candidates.reject(user=setting.analyst, claim=setting.claim, tag=None,
                          article=best.article, start=best.start, end=best.end)  # fmt: skip
    assert RejectedCandidate.objects.count() == 1
    assert (
        _states(candidates.find(setting.claim, articles, user=setting.analyst))["RT"][0] == "none"
    )
    revise_article(
        article=best.article, new_text=f"{CARRIES} Talks resumed later.", author=setting.owner
    )
    assert (
        _states(candidates.find(setting.claim, articles, user=setting.analyst))["RT"][0]
        == "candidates"
    )


def test_the_filter_bar_offers_no_filter_on_passages_here(client, setting):
    url = reverse("analysis:claim-candidates", args=[setting.project.slug, setting.claim.pk])
    client.force_login(setting.analyst)
    html = client.get(url).content.decode()
    assert 'class="passage-filters"' not in html and 'name="story"' in html
    compare = client.get(reverse("analysis:compare", args=[setting.project.slug])).content.decode()
    assert 'class="passage-filters"' in compare


def test_a_claim_nobody_coded_is_looked_for_by_its_own_words(client, setting):
    claim = factories.make_claim(setting.project, "Russian jets bombed a hospital in Aleppo")
    url = reverse("analysis:claim-candidates", args=[setting.project.slug, claim.pk])
    client.force_login(setting.analyst)
    html = client.get(url).content.decode()
    assert "1 text: the claim, as nothing is coded with it yet" in html
    assert "candidates</a>, not coded" in html or "candidate</a>, not coded" in html
