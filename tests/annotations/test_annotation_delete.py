import pytest
from django.urls import reverse

from apps.annotations.models import Annotation
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def annotation(cast):
    return factories.make_annotation(factories.make_article(cast.project), cast.analyst, "Kremlin")


def _url(annotation):
    return reverse("annotations:delete", args=[annotation.article.project.slug, annotation.pk])


def test_without_javascript_deleting_asks_once_first(client, cast, annotation):
    client.force_login(cast.analyst)
    page = client.get(_url(annotation)).text
    assert "Delete this annotation?" in page and "Kremlin" in page
    assert Annotation.objects.exists()


def test_confirming_deletes_and_returns_to_the_reader(client, cast, annotation):
    client.force_login(cast.analyst)
    response = client.post(_url(annotation), follow=True)
    assert not Annotation.objects.exists()
    assert "Annotation deleted." in response.text


def test_with_htmx_the_reader_comes_back_without_it(client, cast, annotation):
    client.force_login(cast.analyst)
    response = client.post(_url(annotation), **HTMX)
    assert response["HX-Retarget"] == "#reader-body"
    assert f'id="a{annotation.pk}"' not in response.text
    assert not Annotation.objects.exists()


def test_the_delete_button_asks_for_confirmation_with_htmx(client, cast, annotation):
    client.force_login(cast.analyst)
    page = client.get(annotation.article.get_absolute_url()).text
    assert 'hx-confirm="Delete this annotation?"' in page


def test_others_cannot_delete(client, cast, annotation):
    for user in (cast.owner, cast.viewer):
        client.force_login(user)
        assert client.post(_url(annotation)).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(_url(annotation)).status_code == 404
    assert Annotation.objects.exists()


def test_deleting_twice_is_404_the_second_time(client, cast, annotation):
    client.force_login(cast.analyst)
    client.post(_url(annotation))
    assert client.post(_url(annotation)).status_code == 404
