"""What "take" and "accept agreed" copy into the gold layer: the version as the unit was
read (not the coder's row read again), never a passage a revision left in doubt, and a
note only where every coder wrote the same one."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.annotations.models import AnchorStatus, Annotation, Layer
from apps.coding import adjudicating
from tests.coding.adjudication_setup import code_article

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coded(cast):
    return code_article(cast)


def _coding(annotation: Annotation) -> dict:
    return {
        "span": (annotation.start, annotation.end),
        "tags": sorted(annotation.tags.values_list("pk", flat=True)),
        "claim": annotation.claim_id,
        "speaker": annotation.speaker_id,
        "target": annotation.target_id,
        "stance": (annotation.voice, annotation.position),
        "note": annotation.note,
    }


def test_take_copies_the_version_as_read_though_the_coder_saved_meanwhile(coded, monkeypatch):
    """A coder's save that lands between the reading of the unit and the gold passage
    (READ COMMITTED lets it on PostgreSQL) must not make a passage of two versions."""
    charlie = coded.units()["Charlie"]
    beths = charlie.versions[1]
    as_read = _coding(Annotation.objects.get(pk=beths.pk))
    read_unit = adjudicating._unit

    def then_the_coder_saves(article, key):
        unit = read_unit(article, key)
        Annotation.objects.filter(pk=beths.pk).update(
            claim=coded.claims[1], speaker=coded.actors[0], target=None, note="changed"
        )
        return unit

    monkeypatch.setattr(adjudicating, "_unit", then_the_coder_saves)
    gold = adjudicating.take_version(
        article=coded.article, key=charlie.key, source=beths.pk, adjudicator=coded.owner
    )
    assert _coding(gold) == as_read
    assert as_read["speaker"] == coded.actors[1].pk and as_read["target"] == coded.actors[2].pk


def _doubt(annotation_id: int) -> None:
    Annotation.objects.filter(pk=annotation_id).update(anchor_status=AnchorStatus.NEEDS_REVIEW)


def test_a_version_in_doubt_after_a_revision_is_not_taken(coded):
    bravo = coded.units()["Bravo"]
    doubtful, sound = bravo.versions
    _doubt(doubtful.pk)
    with pytest.raises(ValidationError, match="Confirm or re-attach") as refused:
        adjudicating.take_version(
            article=coded.article, key=bravo.key, source=doubtful.pk, adjudicator=coded.owner
        )
    assert refused.value.code == "needs_review"
    assert not Annotation.objects.filter(layer=Layer.GOLD).exists()
    # The other coder's version, which no revision put in doubt, may be.
    gold = adjudicating.take_version(
        article=coded.article, key=bravo.key, source=sound.pk, adjudicator=coded.owner
    )
    assert gold.anchor_status == AnchorStatus.ANCHORED


def test_agreed_units_with_a_passage_in_doubt_are_not_accepted(coded):
    units = coded.units()
    _doubt(units["Alpha"].versions[1].pk)
    keys = [units["Alpha"].key, units["Foxtrot"].key]
    with pytest.raises(ValidationError, match="Confirm or re-attach"):
        adjudicating.accept_agreed(article=coded.article, keys=keys, adjudicator=coded.owner)
    assert not Annotation.objects.filter(layer=Layer.GOLD).exists()


def test_the_page_marks_a_version_in_doubt_and_refuses_it_in_its_unit(client, coded):
    bravo = coded.units()["Bravo"]
    _doubt(bravo.versions[0].pk)
    client.force_login(coded.owner)
    slug, pk = coded.cast.project.slug, coded.article.pk
    page = client.get(reverse("coding:adjudicate", args=[slug, pk])).text
    assert "Needs review: the text was revised" in page
    data = {"key": bravo.key, "anchor": bravo.anchor, "source": bravo.versions[0].pk}
    response = client.post(reverse("coding:adjudicate-take", args=[slug, pk]), data, **HTMX)
    assert response.status_code == 422 and "Confirm or re-attach" in response.text
    assert response["HX-Retarget"] == f"#{bravo.anchor}"


def _notes(coded, unit_name: str, *notes: str) -> None:
    for version, note in zip(coded.units()[unit_name].versions, notes, strict=True):
        Annotation.objects.filter(pk=version.pk).update(note=note)


def _accept(coded, unit_name: str) -> Annotation:
    unit = coded.units()[unit_name]
    (gold,) = adjudicating.accept_agreed(
        article=coded.article, keys=[unit.key], adjudicator=coded.owner
    )
    return gold


def test_accepting_keeps_a_note_every_coder_wrote_alike(coded):
    _notes(coded, "Alpha", "The lead.", " The lead. ")
    assert _accept(coded, "Alpha").note == "The lead."


def test_accepting_leaves_the_note_empty_where_the_coders_notes_differ(client, coded):
    _notes(coded, "Alpha", "Anton's reading", "")
    alpha = coded.units()["Alpha"]
    client.force_login(coded.owner)
    url = reverse("coding:adjudicate", args=[coded.cast.project.slug, coded.article.pk])
    page = client.get(url).text
    unit = page[page.index(f'id="{alpha.anchor}"') :]
    unit = unit[: unit.index("</section>")]
    assert "The coders' notes differ: accepting this unit leaves" in unit
    assert _accept(coded, "Alpha").note == ""
    # Once settled, the page no longer says so.
    assert "The coders' notes differ" not in client.get(url).text
