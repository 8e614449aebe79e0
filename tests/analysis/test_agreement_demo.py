"""The demo's second coder (issue 15): analyst2 double-coded two of the analyst's
articles, with the disagreements of real coders, and the agreement figures show them."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.analysis.agreement import measure_agreement
from apps.analysis.agreement_tag import tag_disagreements
from apps.analysis.forms import Selection
from apps.annotations.models import Annotation, Layer, Tag
from apps.sampledata.demo import read_corpus

DOUBLE_CODED = {"rt-2016-06-21", "bbc-2016-09-29"}


@pytest.fixture
def demo(db, demo_project):
    titles = {row["key"]: row["title"] for row in read_corpus()["articles"]}
    articles = demo_project.articles.filter(title__in=[titles[k] for k in DOUBLE_CODED])
    viewer = demo_project.memberships.get(role="viewer").user
    filters = Selection({"article": ",".join(str(a.pk) for a in articles)})
    assert filters.is_valid()
    return demo_project, viewer, filters


def test_analyst2_is_a_member_who_coded_two_of_the_analysts_articles(demo):
    project, _, _ = demo
    coder = User.objects.get(username="analyst2")
    assert coder.get_full_name() == "Maya Okafor" and coder.check_password("demo")
    assert project.memberships.get(user=coder).role == "analyst"
    theirs = Annotation.objects.filter(annotator=coder)
    assert theirs.count() == 13
    articles = set(theirs.values_list("article_id", flat=True))
    assert len(articles) == 2
    assert articles <= set(
        Annotation.objects.filter(annotator__username="analyst").values_list(
            "article_id", flat=True
        )
    )
    # The first coders' annotations are those the demo always had (the owner's
    # adjudicated passages of the BBC article are another layer).
    assert Annotation.objects.filter(layer=Layer.CODER).exclude(annotator=coder).count() == 36


@pytest.mark.parametrize("unit", ["sentence", "character"])
def test_the_double_coded_articles_have_defined_figures_that_show_the_disagreements(demo, unit):
    project, viewer, filters = demo
    found = measure_agreement(project=project, filters=filters, user=viewer, unit=unit)
    assert found.whole.double_coded == 2 and "analyst2" in found.coders
    assert len(found.outlets) == 2 and all(o.overall.alpha.defined for o in found.outlets)
    figures = {f.label: f for f in found.whole.figures}
    assert 0 < figures["All tags"].alpha.value < 1

    def pair(label):
        return next(
            p for p in figures[label].pairs if (p.first, p.second) == ("analyst", "analyst2")
        )

    # A tag only analyst2 used in these articles.
    assert figures["military operations"].alpha.value < 1
    assert pair("military operations").kappa.value == 0
    # Many passages the same, or nearly: "blame on Russia" is on the same sentence, a
    # few characters apart.
    same = pair("blame on Russia").percent.value
    assert same == 100 if unit == "sentence" else 99 < same < 100
    assert pair("terrorist-list dispute").percent.value < 100  # a passage missed
    # On the passages both marked: a different claim, speaker and stance once each.
    for label in ("Claim", "Speaker", "Position"):
        assert figures[label].alpha.defined, label
        assert figures[label].alpha.value < 1 and pair(label).percent.value < 100, label
    assert pair("Claim").units >= 8  # most passages were paired


def test_the_training_aid_lists_the_tag_only_one_coder_used(demo, client):
    project, viewer, filters = demo
    tag = Tag.objects.get(project=project, name="military operations")
    found = tag_disagreements(project=project, filters=filters, user=viewer, tag=tag)
    units = [u for a in found.articles for u in a.units]
    assert found.disagreeing == len(units) == 2
    for u in units:
        values = {c.coder: c.value for c in u.coders}
        assert values["analyst2"] is True and values["analyst"] is False
    assert any(u.text.startswith("Kremlin spokesman Dmitry Peskov") for u in units)
    client.force_login(viewer)
    url = reverse("analysis:agreement-tag", args=[project.slug, tag.pk])
    page = client.get(url, {"article": filters.data["article"]}).text
    assert page.count('class="disagreement"') == 2 and tag.description in page
