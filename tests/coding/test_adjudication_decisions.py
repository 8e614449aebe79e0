"""Each decision of adjudication makes exactly its gold passage (span, quote, tags,
claim, actors, stance) linked to the coders' passages of its unit; undo removes only it;
a stale or forged decision is refused with a clear error and writes nothing."""

import pytest
from django.core.exceptions import ValidationError

from apps.annotations.annotating import StaleText
from apps.annotations.models import Annotation, AnnotationTag, Layer
from apps.coding import adjudicating
from apps.coding.adjudicating import Coding, StaleUnit
from apps.coding.models import Adjudication, DroppedPassage, GoldSource
from tests import factories
from tests.coding.adjudication_setup import code_article


@pytest.fixture
def coded(cast):
    return code_article(cast)


def _gold(annotation: Annotation) -> dict:
    return {
        "span": (annotation.start, annotation.end),
        "quote": annotation.quote,
        "tags": sorted(annotation.tags.values_list("name", flat=True)),
        "claim": annotation.claim_id,
        "speaker": annotation.speaker_id,
        "target": annotation.target_id,
        "stance": (annotation.voice, annotation.position),
        "note": annotation.note,
        "layer": annotation.layer,
    }


def _sources(gold: Annotation) -> set[int]:
    return set(GoldSource.objects.filter(gold=gold).values_list("source_id", flat=True))


def _everything() -> tuple:
    """Every row adjudication could write."""
    return (
        sorted(Annotation.objects.values_list("pk", "layer", "version")),
        AnnotationTag.objects.count(),
        Annotation.history.count(),
        GoldSource.objects.count(),
        DroppedPassage.objects.count(),
        list(Adjudication.objects.values_list("pk", "finished_at")),
    )


def test_taking_a_version_copies_it_into_the_gold_layer(coded):
    charlie = coded.units()["Charlie"]
    beths = charlie.versions[1]
    gold = adjudicating.take_version(
        article=coded.article, key=charlie.key, source=beths.pk, adjudicator=coded.adjudicator
    )
    text = coded.article.text
    start = text.index("Charlie")
    assert _gold(gold) == {
        "span": (start, start + len("Charlie seven eight nine.")),
        "quote": "Charlie seven eight nine.",
        "tags": [],
        "claim": coded.claims[0].pk,
        "speaker": coded.actors[1].pk,
        "target": coded.actors[2].pk,
        "stance": ("reported", "disputes"),
        "note": "",
        "layer": Layer.GOLD,
    }
    assert gold.annotator == coded.adjudicator
    assert _sources(gold) == {v.pk for v in charlie.versions}
    assert coded.units()["Charlie"].settled
    adjudication = Adjudication.objects.get(article=coded.article)
    assert adjudication.adjudicator == coded.adjudicator and adjudication.finished_at is None


def test_a_version_after_an_emoji_keeps_its_code_point_offsets(coded):
    foxtrot = coded.units()["Foxtrot"]
    gold = adjudicating.take_version(
        article=coded.article,
        key=foxtrot.key,
        source=foxtrot.versions[0].pk,
        adjudicator=coded.adjudicator,
        text_hash=coded.article.content_hash,
    )
    assert gold.quote == "Foxtrot 👨‍👩‍👧 fifteen" == coded.article.text[gold.start : gold.end]


def test_a_merge_takes_the_union_and_values_of_either_version(coded):
    charlie = coded.units()["Charlie"]
    union = dict(charlie.spans())["Beth Ames's = the union"]
    coding = Coding(
        *union,
        tags=[],
        claim=coded.claims[0],
        speaker=coded.actors[0],  # Anton's speaker
        target=coded.actors[2],  # Beth's target
        voice="reported",
        position="supports",  # Anton's position
        note="Anton's speaker, Beth's target.",
    )
    gold = adjudicating.decide(
        article=coded.article, key=charlie.key, coding=coding, adjudicator=coded.owner, merge=True
    )
    assert _gold(gold)["span"] == union
    assert (gold.speaker, gold.target, gold.position) == (
        coded.actors[0],
        coded.actors[2],
        "supports",
    )
    assert gold.note == "Anton's speaker, Beth's target."
    assert _sources(gold) == {v.pk for v in charlie.versions}


def test_a_merge_takes_the_intersection_and_any_of_the_tags(coded):
    bravo = coded.units()["Bravo"]
    span = bravo.versions[0].span
    coding = Coding(*span, tags=[coded.tags[1]])
    gold = adjudicating.decide(
        article=coded.article, key=bravo.key, coding=coding, adjudicator=coded.owner, merge=True
    )
    assert _gold(gold)["tags"] == ["tag 1"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tags": "tag 2"}, "tags"),
        ({"speaker": 2}, "speaker"),
        ({"claim": 1}, "claim"),
        ({"position": "neutral"}, "position"),
    ],
)
def test_a_merge_refuses_a_value_no_coder_gave(coded, change, field):
    charlie = coded.units()["Charlie"]
    coding = Coding(*charlie.versions[0].span, claim=coded.claims[0], voice="reported")
    coding.position = "supports"
    coding.speaker = coded.actors[0]
    if "tags" in change:
        coding.tags = [t for t in coded.tags if t.name == change["tags"]]
    if "speaker" in change:
        coding.speaker = coded.actors[change["speaker"]]
    if "claim" in change:
        coding.claim = coded.claims[change["claim"]]
    if "position" in change:
        coding.position = change["position"]
    before = _everything()
    with pytest.raises(ValidationError) as refused:
        adjudicating.decide(
            article=coded.article,
            key=charlie.key,
            coding=coding,
            adjudicator=coded.owner,
            merge=True,
        )
    assert field in refused.value.message_dict
    assert _everything() == before


def test_writing_the_final_one_takes_anything_of_the_codebook(coded):
    delta = coded.units()["Delta"]
    coding = Coding(
        *delta.versions[0].span,
        tags=[coded.tags[0], coded.tags[1]],
        claim=coded.claims[1],
        speaker=coded.actors[2],
        voice="own",
        position="neutral",
        note="Written afresh.",
    )
    gold = adjudicating.decide(
        article=coded.article, key=delta.key, coding=coding, adjudicator=coded.owner, merge=False
    )
    assert _gold(gold)["tags"] == ["tag 0", "tag 1"]
    assert (gold.claim, gold.speaker, gold.voice, gold.position) == (
        coded.claims[1],
        coded.actors[2],
        "own",
        "neutral",
    )
    assert _sources(gold) == {delta.versions[0].pk}


def test_no_passage_settles_a_unit_with_nothing_in_the_gold_layer(coded):
    echo = coded.units()["Echo"]
    adjudicating.drop_unit(article=coded.article, key=echo.key, adjudicator=coded.owner)
    assert coded.units()["Echo"].settled and coded.units()["Echo"].dropped
    assert not Annotation.objects.filter(layer=Layer.GOLD).exists()
    adjudicating.undo(article=coded.article, adjudicator=coded.owner, key=echo.key)
    assert not coded.units()["Echo"].settled
    assert not DroppedPassage.objects.exists()


def test_accepting_the_agreed_units_takes_each_at_once(coded):
    units = coded.units()
    made = adjudicating.accept_agreed(
        article=coded.article,
        keys=[units["Alpha"].key, units["Foxtrot"].key],
        adjudicator=coded.owner,
    )
    assert sorted(g.quote for g in made) == ["Alpha one two three.", "Foxtrot 👨‍👩‍👧 fifteen"]
    assert coded.units()["Alpha"].settled and coded.units()["Foxtrot"].settled
    again = adjudicating.accept_agreed(
        article=coded.article, keys=[units["Alpha"].key], adjudicator=coded.owner
    )
    assert again == []  # settled meanwhile: left as it is


def test_accepting_a_unit_that_is_not_agreed_is_refused(coded):
    units = coded.units()
    before = _everything()
    with pytest.raises(ValidationError):
        adjudicating.accept_agreed(
            article=coded.article,
            keys=[units["Alpha"].key, units["Bravo"].key],
            adjudicator=coded.owner,
        )
    assert _everything() == before


def test_undo_removes_the_gold_passage_and_its_links_only(coded):
    bravo = coded.units()["Bravo"]
    gold = adjudicating.take_version(
        article=coded.article, key=bravo.key, source=bravo.versions[0].pk, adjudicator=coded.owner
    )
    coders = sorted(Annotation.objects.filter(layer=Layer.CODER).values_list("pk", "version"))
    adjudicating.undo(article=coded.article, adjudicator=coded.owner, gold=gold.pk)
    assert not Annotation.objects.filter(pk=gold.pk).exists()
    assert not GoldSource.objects.exists()
    assert sorted(Annotation.objects.values_list("pk", "version")) == coders
    assert Annotation.history.filter(id=gold.pk).values_list("history_type", flat=True).count() == 2
    assert not coded.units()["Bravo"].settled


def test_a_unit_a_coder_changed_since_is_refused(coded):
    bravo = coded.units()["Bravo"]
    mine = Annotation.objects.get(pk=bravo.versions[0].pk)
    Annotation.objects.filter(pk=mine.pk).update(version=mine.version + 1)
    before = _everything()
    with pytest.raises(StaleUnit, match="changed these passages"):
        adjudicating.take_version(
            article=coded.article, key=bravo.key, source=mine.pk, adjudicator=coded.owner
        )
    assert _everything() == before


def test_a_unit_decided_meanwhile_is_refused(coded):
    bravo = coded.units()["Bravo"]
    adjudicating.drop_unit(article=coded.article, key=bravo.key, adjudicator=coded.owner)
    before = _everything()
    with pytest.raises(StaleUnit, match="decided meanwhile"):
        adjudicating.take_version(
            article=coded.article,
            key=bravo.key,
            source=bravo.versions[0].pk,
            adjudicator=coded.owner,
        )
    assert _everything() == before


@pytest.mark.parametrize("span", [(0, 10_000), (5, 3), (2, 9)])
def test_a_span_that_is_not_the_units_is_refused(coded, span):
    bravo = coded.units()["Bravo"]
    before = _everything()
    with pytest.raises(ValidationError, match="not one of this unit's"):
        adjudicating.decide(
            article=coded.article,
            key=bravo.key,
            coding=Coding(*span),
            adjudicator=coded.owner,
            merge=False,
        )
    assert _everything() == before


def test_a_version_of_another_unit_is_refused(coded):
    units = coded.units()
    before = _everything()
    with pytest.raises(ValidationError, match="not one of this unit's"):
        adjudicating.take_version(
            article=coded.article,
            key=units["Bravo"].key,
            source=units["Delta"].versions[0].pk,
            adjudicator=coded.owner,
        )
    assert _everything() == before


def test_a_tag_of_another_project_is_refused(coded):
    elsewhere = factories.make_tag(factories.make_project("Elsewhere"), "foreign")
    delta = coded.units()["Delta"]
    before = _everything()
    with pytest.raises(ValidationError) as refused:
        adjudicating.decide(
            article=coded.article,
            key=delta.key,
            coding=Coding(*delta.versions[0].span, tags=[elsewhere]),
            adjudicator=coded.owner,
            merge=False,
        )
    assert "another project" in str(refused.value)
    assert _everything() == before


def test_a_page_of_a_former_text_is_refused(coded):
    delta = coded.units()["Delta"]
    before = _everything()
    with pytest.raises(StaleText):
        adjudicating.take_version(
            article=coded.article,
            key=delta.key,
            source=delta.versions[0].pk,
            adjudicator=coded.owner,
            text_hash="0" * 64,
        )
    assert _everything() == before


def test_finishing_needs_every_unit_settled_and_freezes_the_decisions(coded):
    units = coded.units()
    with pytest.raises(ValidationError, match=r"6 units still to settle \(2 of them agreed"):
        adjudicating.finish(article=coded.article, adjudicator=coded.owner)
    adjudicating.accept_agreed(
        article=coded.article,
        keys=[units["Alpha"].key, units["Foxtrot"].key],
        adjudicator=coded.owner,
    )
    for name in ("Bravo", "Charlie", "Delta", "Echo"):
        unit = units[name]
        adjudicating.take_version(
            article=coded.article,
            key=unit.key,
            source=unit.versions[0].pk,
            adjudicator=coded.owner,
        )
    adjudicating.finish(article=coded.article, adjudicator=coded.owner)
    assert Adjudication.objects.get(article=coded.article).finished_at is not None
    gold = Annotation.objects.filter(layer=Layer.GOLD).first()
    with pytest.raises(ValidationError, match="finished"):
        adjudicating.undo(article=coded.article, adjudicator=coded.owner, gold=gold.pk)
    adjudicating.reopen(article=coded.article)
    adjudicating.undo(article=coded.article, adjudicator=coded.owner, gold=gold.pk)
    assert Annotation.objects.filter(layer=Layer.GOLD).count() == 5


def test_an_article_of_one_coder_is_not_adjudicated(cast):
    article = factories.make_article(cast.project, text="Only one coder here.")
    factories.make_annotation(article, cast.analyst, "Only one coder")
    unit = adjudicating.article_units(article).units[0]
    with pytest.raises(ValidationError, match="two coders or more"):
        adjudicating.take_version(
            article=article, key=unit.key, source=unit.versions[0].pk, adjudicator=cast.owner
        )
    assert not Adjudication.objects.exists()
