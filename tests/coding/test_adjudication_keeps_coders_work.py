"""Adjudication never changes or deletes a coder's annotation or its history: every coder
row, tag link and history record is the same after a whole adjudication, undoing
included, through the pages as a user makes it."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from apps.annotations.models import Annotation, AnnotationTag, Layer
from apps.coding.models import Adjudication
from tests.coding.adjudication_setup import code_article

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coded(cast):
    return code_article(cast)


def _coders_work() -> tuple:
    rows = [
        model_to_dict(a, exclude=["tags"])
        | {"created_at": a.created_at, "updated_at": a.updated_at}
        for a in Annotation.objects.filter(layer=Layer.CODER).order_by("pk")
    ]
    coder_ids = [row["id"] for row in rows]
    links = sorted(
        AnnotationTag.objects.filter(annotation_id__in=coder_ids).values_list(
            "annotation_id", "tag_id", "article_id"
        )
    )
    history = [
        {field.attname: getattr(record, field.attname) for field in record._meta.fields}
        for record in Annotation.history.filter(id__in=coder_ids).order_by("history_id")
    ]
    return rows, links, history


def test_a_whole_adjudication_with_undos_leaves_every_coder_row_and_record_as_it_was(client, coded):
    before = _coders_work()
    client.force_login(coded.adjudicator)
    slug, pk = coded.cast.project.slug, coded.article.pk

    def post(name, data, **extra):
        response = client.post(reverse(name, args=[slug, pk]), data, **extra)
        assert response.status_code in (200, 302), response.text[:300]
        return response

    units = coded.units()
    text_hash = coded.article.content_hash
    post("coding:adjudicate-accept", {"key": [units["Alpha"].key, units["Foxtrot"].key]}, **HTMX)
    bravo, charlie, delta, echo = (units[n] for n in ("Bravo", "Charlie", "Delta", "Echo"))
    post("coding:adjudicate-take", {"key": bravo.key, "source": bravo.versions[0].pk})
    # Undo it, and take the other version instead.
    gold = Annotation.objects.get(layer=Layer.GOLD, quote="Bravo four five six.")
    post("coding:adjudicate-undo", {"gold": gold.pk, "anchor": bravo.anchor}, **HTMX)
    post("coding:adjudicate-take", {"key": bravo.key, "source": bravo.versions[1].pk}, **HTMX)
    start, end = dict(charlie.spans())["Beth Ames's = the union"]
    merge = {
        "key": charlie.key,
        "kind": "merge",
        "span": f"{start}-{end}",
        "claim": coded.claims[0].pk,
        "speaker": coded.actors[0].pk,
        "target": coded.actors[2].pk,
        "voice": "reported",
        "position": "disputes",
        "text_hash": text_hash,
    }
    post("coding:adjudicate-decide", merge)
    start, end = delta.versions[0].span
    write = {
        "key": delta.key,
        "kind": "write",
        "span": f"{start}-{end}",
        "tags": [t.pk for t in coded.tags],
        "note": "Written.",
    }
    post("coding:adjudicate-decide", write, **HTMX)
    post("coding:adjudicate-drop", {"key": echo.key})
    post("coding:adjudicate-undo", {"key": echo.key})
    post("coding:adjudicate-drop", {"key": echo.key}, **HTMX)
    post("coding:adjudicate-finish", {})
    assert Adjudication.objects.get().finished_at is not None
    post("coding:adjudicate-finish", {"reopen": "1"}, **HTMX)
    post("coding:adjudicate-finish", {}, **HTMX)

    assert Annotation.objects.filter(layer=Layer.GOLD).count() == 5
    assert _coders_work() == before
