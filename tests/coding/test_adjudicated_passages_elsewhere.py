"""An adjudicated passage elsewhere in the app: recorded in the history as one (never as
a coder's), changed only through adjudication (not the reader's edit, delete or
restore), shown on its article's read-only adjudicated page, not in the reader."""

import pytest
from django.urls import reverse

from apps.annotations.models import Annotation, Layer
from apps.coding import adjudicating
from tests.coding.adjudication_setup import code_article


@pytest.fixture
def decided(cast):
    coded = code_article(cast)
    bravo = coded.units()["Bravo"]
    coded.gold = adjudicating.take_version(
        article=coded.article, key=bravo.key, source=bravo.versions[1].pk, adjudicator=cast.owner
    )
    return coded


def test_the_activity_names_it_an_adjudicated_passage(client, decided):
    client.force_login(decided.cast.viewer)
    page = client.get(reverse("annotations:activity", args=[decided.cast.project.slug])).text
    page = " ".join(page.split())
    assert "created adjudicated passage" in page
    assert page.count("created annotation") == Annotation.objects.filter(layer=Layer.CODER).count()


def test_the_reader_shows_the_coders_passages_and_links_to_the_adjudicated_version(client, decided):
    client.force_login(decided.cast.viewer)
    reader = reverse("annotations:reader", args=[decided.cast.project.slug, decided.article.pk])
    page = client.get(reader).text
    assert f'id="a{decided.gold.pk}"' not in page
    assert f'data-a="{decided.gold.pk}"' not in page
    gold_page = reverse("coding:adjudicated", args=[decided.cast.project.slug, decided.article.pk])
    assert gold_page in page
    page = client.get(gold_page).text
    assert f'id="a{decided.gold.pk}"' in page and "Adjudicated passages <span" in page
    assert f'id="a{decided.gold.pk - 1}"' not in page  # a coder's is not here
    assert "edit-link" not in page  # read-only


@pytest.mark.parametrize("name", ["annotations:edit", "annotations:delete"])
def test_it_is_not_edited_nor_deleted_from_the_reader_even_by_its_adjudicator(
    client, decided, name
):
    client.force_login(decided.cast.owner)
    url = reverse(name, args=[decided.cast.project.slug, decided.gold.pk])
    response = client.post(url, {"version": decided.gold.version})
    assert response.status_code == 403
    assert "adjudication page" in response.text
    assert Annotation.objects.filter(pk=decided.gold.pk, version=decided.gold.version).exists()


def test_an_undone_decision_is_not_restored_from_the_history(client, decided):
    adjudicating.undo(article=decided.article, adjudicator=decided.cast.owner, gold=decided.gold.pk)
    client.force_login(decided.cast.owner)
    url = reverse("annotations:history", args=[decided.cast.project.slug, decided.gold.pk])
    response = client.post(url, follow=True)
    assert "decide its unit again" in response.text
    assert not Annotation.objects.filter(pk=decided.gold.pk).exists()
