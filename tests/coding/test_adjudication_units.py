"""The units of adjudication: an article's coders' passages paired as the agreement pairs
them, with what their versions differ on."""

import pytest

from apps.analysis.agreement_pairs import CodedPassage, pair_passages
from apps.annotations.models import AnchorStatus, Annotation, Layer
from apps.coding.units import read_units
from apps.sampledata.agreement_bench import generate_double_coded
from tests import factories
from tests.coding.adjudication_setup import code_article


@pytest.fixture
def coded(cast):
    return code_article(cast)


def test_each_kind_of_disagreement_is_named(coded):
    units = coded.units()
    assert list(units) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]
    assert units["Alpha"].agreed and units["Foxtrot"].agreed
    assert units["Bravo"].differences == ["tags"]
    assert units["Charlie"].differences == ["span", "speaker", "target", "position"]
    assert units["Delta"].differences == ["passage"] and units["Delta"].missing == ["Beth Ames"]
    assert units["Echo"].differences == ["passage"]
    assert [v.coder for v in units["Bravo"].versions] == ["anton", "Beth Ames"]


def test_a_unit_offers_each_coders_span_their_union_and_intersection(coded):
    charlie = coded.units()["Charlie"]
    text = coded.article.text
    spans = dict(charlie.spans())
    start = text.index("Charlie")
    short, long = (start, start + len("Charlie seven eight")), (start, text.index("Delta") - 1)
    assert spans == {"anton's = the intersection": short, "Beth Ames's = the union": long}
    assert charlie.tag_choices == []
    assert [label for _, label in charlie.speaker_choices] == ["Actor 0", "Actor 1"]
    assert charlie.target_choices == [("", "no target"), (str(coded.actors[2].pk), "Actor 2")]


def test_the_note_is_shown_not_compared(coded):
    bravo = coded.units()["Bravo"]
    assert bravo.versions[0].note == "Anton's note" and "note" not in bravo.differences


def test_with_two_coders_the_units_are_the_agreements_pairs(db):
    corpus = generate_double_coded(
        project_slug="pairs", articles=8, coders=2, tags=5, outlets=2, noise=0.5, seed=7
    )
    articles = list(corpus.project.articles.values_list("pk", flat=True))
    found = read_units(articles)  # every article at once
    compared = 0
    for article in articles:
        placed = Annotation.objects.filter(article_id=article).exclude(
            anchor_status=AnchorStatus.ORPHANED
        )
        coders = sorted({a.annotator_id for a in placed})
        if len(coders) < 2:
            continue
        first, second = ([_coded(a) for a in placed if a.annotator_id == c] for c in coders)
        expected = {frozenset((a.pk, b.pk)) for a, b in pair_passages(first, second)}
        units = found[article].units
        assert {frozenset(v.pk for v in u.versions) for u in units if len(u.versions) == 2} == (
            expected
        )
        alone = {v.pk for u in units if len(u.versions) == 1 for v in u.versions}
        assert alone == {a.pk for a in placed} - {pk for pair in expected for pk in pair}
        compared += len(expected)
    assert compared > 10


def _coded(a: Annotation) -> CodedPassage:
    return CodedPassage(
        a.pk, a.article_id, a.annotator_id, a.start, a.end, a.claim_id, a.speaker_id, "", ""
    )


def test_with_three_coders_a_unit_holds_one_passage_of_each(coded):
    third = factories.make_user("cleo")
    coded.cast.project.memberships.create(user=third, role="analyst")
    text = coded.article.text
    # Overlaps both of Beth's Charlie passage and Anton's: joins their unit.
    factories.make_annotation(coded.article, third, "seven eight nine. Delta")
    units = coded.units()
    assert [v.coder for v in units["Charlie"].versions] == ["anton", "Beth Ames", "cleo"]
    assert all(len({v.coder for v in u.versions}) == len(u.versions) for u in units.values())
    assert "cleo" in units["Alpha"].missing
    assert text  # the passages stay where they were


def test_adjudicated_and_orphaned_passages_make_no_unit(coded):
    gold = factories.make_annotation(coded.article, coded.adjudicator, "Echo thirteen fourteen.")
    Annotation.objects.filter(pk=gold.pk).update(layer=Layer.GOLD)
    orphan = factories.make_annotation(coded.article, coded.cast.analyst, "Echo thirteen")
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status=AnchorStatus.ORPHANED)
    found = read_units([coded.article.pk])[coded.article.pk]
    assert found.orphaned == 1
    assert found.coders == ["anton", "Beth Ames"]
    assert all(v.pk not in (gold.pk, orphan.pk) for u in found.units for v in u.versions)


def test_a_unit_is_named_by_its_passages_and_their_versions(coded):
    bravo = coded.units()["Bravo"]
    pks = sorted(v.pk for v in bravo.versions)
    assert bravo.key == f"{pks[0]}.1-{pks[1]}.1"
    Annotation.objects.filter(pk=pks[0]).update(version=2)
    assert coded.units()["Bravo"].key == f"{pks[0]}.2-{pks[1]}.1"
