"""The codebook training aid (issue 15 §5): a tag's disagreements beside its coding rule.
The units listed are exactly those where the coders' values differ, by the agreement's
own rule, and the figures shown are the Agreement page's for the tag."""

from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from apps.analysis import agreement_tag
from apps.analysis.agreement import measure_agreement
from apps.analysis.agreement_tag import tag_disagreements
from apps.analysis.forms import Selection
from apps.analysis.reliability import krippendorff_alpha
from apps.annotations import trees
from apps.annotations.models import Annotation, Tag
from apps.corpus.sentences import sentence_spans
from apps.sampledata.agreement_bench import generate_double_coded
from tests import factories
from tests.access import assert_members_read_only

TEXT = "Russia bombed Aleppo. The US protested. Talks stopped."


def _url(project, tag) -> str:
    return reverse("analysis:agreement-tag", args=[project.slug, tag.pk])


@pytest.fixture
def coded(cast):
    """Two coders of one article who agree on the first sentence only."""
    tag = factories.make_tag(cast.project, "bombing", description="An air strike is reported.")
    article = factories.make_article(cast.project, text=TEXT, title="Aleppo")
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[tag])
    factories.make_annotation(article, cast.owner, "Aleppo. The US protested.", tags=[tag])
    cast.tag, cast.article = tag, article
    return cast


def test_members_read_it_outsiders_get_404(client, coded):
    assert_members_read_only(client, coded, _url(coded.project, coded.tag))


def test_a_tag_of_another_project_is_not_found(client, coded):
    elsewhere = factories.make_tag(factories.make_project("Other", owner=coded.outsider))
    client.force_login(coded.viewer)
    assert client.get(_url(coded.project, elsewhere)).status_code == 404


def test_the_page_shows_the_rule_the_figures_and_each_disagreeing_unit(client, coded):
    client.force_login(coded.viewer)
    page = client.get(_url(coded.project, coded.tag)).text
    assert "An air strike is reported." in page and "Where coders differ on" in page
    assert f'data-figure="all|tag-{coded.tag.pk}|alpha"' in page
    assert page.count('class="disagreement"') == 1  # "The US protested." only
    start = TEXT.index("The US")
    end = start + len("The US protested.")
    hit = f"?hit={start}-{end}&amp;text={coded.article.content_hash[:12]}"
    assert hit in page
    assert "did not tag it" in page and "tagged it" in page
    assert "Aleppo. The US protested." in page  # the quote of the passage that touches it
    characters = client.get(_url(coded.project, coded.tag), {"unit": "character"}).text
    assert 'value="character" checked' in characters


def test_htmx_gets_the_results_alone_and_a_plain_request_the_page(client, coded):
    client.force_login(coded.viewer)
    partial = client.get(_url(coded.project, coded.tag), HTTP_HX_REQUEST="true").text
    assert '<div id="agreement-tag-results"' in partial and "<html" not in partial
    assert 'hx-swap-oob="true"' in partial
    page = client.get(_url(coded.project, coded.tag)).text
    assert "<html" in page and 'id="filter-bar"' in page and "Coding rule" in page


def test_the_agreement_page_and_the_codebook_link_to_it(client, coded):
    client.force_login(coded.viewer)
    page = client.get(
        reverse("analysis:agreement", args=[coded.project.slug]), {"unit": "character"}
    )
    assert f'{_url(coded.project, coded.tag)}?unit=character"' in page.text
    codebook = client.get(reverse("annotations:codebook", args=[coded.project.slug])).text
    assert f'href="{_url(coded.project, coded.tag)}"' in codebook


def test_a_broken_filter_is_shown_not_listed(client, coded):
    client.force_login(coded.viewer)
    page = client.get(_url(coded.project, coded.tag), {"since": "2016-02-30"}).text
    assert "This selection has a mistake" in page and 'class="disagreement"' not in page


@pytest.fixture
def generated(db):
    return generate_double_coded(
        project_slug="agree-tag", articles=10, tags=8, outlets=3, noise=0.4, seed=3
    )


def _by_hand(project, tag, unit):
    """The units where the coders' values differ, from the annotations themselves: a
    coder's value is whether a passage of theirs with the tag or one under it shares a
    character with the unit, and a coder who annotated nothing in an article is missing."""
    parents = dict(Tag.objects.filter(project=project).values_list("pk", "parent_id"))
    subtree = trees.subtrees(parents)[tag.pk]
    coders: defaultdict[int, set[int]] = defaultdict(set)
    spans: defaultdict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for a in Annotation.objects.filter(article__project=project).prefetch_related("tags"):
        coders[a.article_id].add(a.annotator_id)
        if subtree & {t.pk for t in a.tags.all()}:
            spans[a.article_id, a.annotator_id].append((a.start, a.end))
    differing, patterns = set(), Counter()
    for article in project.articles.all():
        present = sorted(coders[article.pk])
        if len(present) < 2:
            continue
        if unit == "sentence":
            units = sentence_spans(article.text)
        else:
            units = [(i, i + 1) for i in range(len(article.text))]
        for low, high in units:
            values = tuple(
                any(s < high and e > low for s, e in spans[article.pk, c]) for c in present
            )
            patterns[values] += 1
            if len(set(values)) > 1:
                differing.add((article.pk, low, high))
    return differing, patterns


@pytest.mark.parametrize("unit", ["sentence", "character"])
def test_the_units_listed_are_exactly_those_where_the_values_differ(generated, unit, monkeypatch):
    monkeypatch.setattr(agreement_tag, "SHOWN", 10**6)
    project, user = generated.project, generated.coders[0]
    filters = Selection({})
    assert filters.is_valid()
    whole = measure_agreement(project=project, filters=filters, user=user, unit=unit).whole
    figures = {f.key: f for f in whole.tags}
    checked = 0
    for tag in Tag.objects.filter(project=project):
        found = tag_disagreements(project=project, filters=filters, user=user, tag=tag, unit=unit)
        assert found.figures == figures[f"tag-{tag.pk}"]
        differing, patterns = _by_hand(project, tag, unit)
        listed = set()
        for article in found.articles:
            for u in article.units:
                if unit == "sentence":
                    listed.add((article.pk, u.start, u.end))
                else:
                    listed.update((article.pk, i, i + 1) for i in range(u.start, u.end))
                assert len({c.value for c in u.coders if c.value is not None}) == 2
        assert listed == differing
        assert (
            found.disagreeing
            == len(differing)
            == sum(n for values, n in patterns.items() if len(set(values)) > 1)
        )
        # The alpha is computed from these very units (and the agreeing ones).
        assert found.figures.units == sum(patterns.values())
        if found.figures.alpha.defined:
            by_hand = krippendorff_alpha(patterns).coefficient.value
            assert found.figures.alpha.value == pytest.approx(by_hand, abs=1e-9)
        checked += bool(differing)
    assert checked >= 3


def test_the_listing_is_cut_but_the_count_is_not(generated, monkeypatch):
    monkeypatch.setattr(agreement_tag, "SHOWN", 2)
    tag = generated.tags[0]
    filters = Selection({})
    assert filters.is_valid()
    found = tag_disagreements(
        project=generated.project, filters=filters, user=generated.coders[0], tag=tag
    )
    assert found.shown == 2 < found.listed == found.disagreeing


def test_the_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries, db):
    counts = []
    for slug, articles in (("small-tag", 3), ("large-tag", 20)):
        corpus = generate_double_coded(project_slug=slug, articles=articles, tags=6, seed=5)
        client.force_login(corpus.coders[0])
        url = reverse("analysis:agreement-tag", args=[slug, corpus.tags[0].pk])
        # Access (3), the tag, the codebook, passages, tags, coders, articles (6), the
        # filter bar's lists (6); a filter on passages adds who coded what.
        with django_assert_max_num_queries(17) as captured:
            assert client.get(url, {"unit": "character"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
