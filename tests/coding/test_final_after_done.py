"""In a blind project, an analyst who marked an article done has seen the other coders'
work on it: their passages there are final. Creating, editing, deleting, confirming or
re-attaching one is refused (403, the reason said where they acted: in the form or under
the passage with htmx, on the page without), and the reader offers none of it; an owner's
reopen lifts it. Owners, and projects without blind coding, are not affected."""

import uuid

import pytest
from django.urls import reverse

from apps.annotations.models import Annotation
from apps.coding.assigning import assign, mark_done, reopen, set_blind_coding
from apps.coding.models import Assignment
from apps.projects.visibility import FINISHED_BLIND
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "Kerry said patience is not infinite.\n\nLavrov said the talks go on."


@pytest.fixture
def done(cast):
    """The analyst's passage on an article assigned to them and the owner, marked done
    by both, blind coding on."""
    article = factories.make_article(cast.project, text=TEXT)
    coders = [cast.analyst, cast.owner]
    assign(project=cast.project, articles=[article.pk], coders=coders, by=cast.owner)
    cast.mine = factories.make_annotation(article, cast.analyst, "Kerry said", note="first")
    cast.owners = factories.make_annotation(article, cast.owner, "patience", note="owner's")
    for coder in coders:
        mark_done(article=article, coder=coder)
    cast.project = set_blind_coding(project=cast.project, on=True, by=cast.owner)
    cast.article = article
    return cast


def _u(cast, name: str, pk: int) -> str:
    return reverse(name, args=[cast.project.slug, pk])


def _created(cast, quote: str = "Lavrov said") -> dict:
    start = cast.article.text.index(quote)
    return {
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "text_hash": cast.article.content_hash,
        "client_token": str(uuid.uuid4()),
    }


def _writes(cast) -> list[tuple[str, str, dict]]:
    """Every write an analyst can make on the article: (method, url, data)."""
    mine = cast.mine.pk
    return [
        ("post", _u(cast, "annotations:create", cast.article.pk), _created(cast)),
        ("get", _u(cast, "annotations:edit", mine), {}),
        ("post", _u(cast, "annotations:edit", mine), {"version": 1, "note": "changed"}),
        ("get", _u(cast, "annotations:delete", mine), {}),
        ("post", _u(cast, "annotations:delete", mine), {}),
        ("post", _u(cast, "annotations:confirm", mine), {"version": 1}),
        ("post", _u(cast, "annotations:reattach", mine), {**_created(cast), "version": 1}),
    ]


def _unchanged(cast) -> None:
    assert Annotation.objects.filter(article=cast.article).count() == 2
    cast.mine.refresh_from_db()
    assert cast.mine.note == "first" and cast.mine.version == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_every_write_on_a_finished_article_is_refused_with_the_reason(client, done, htmx):
    client.force_login(done.analyst)
    for method, url, data in _writes(done):
        response = getattr(client, method)(url, data, **(HTMX if htmx else {}))
        assert response.status_code == 403, (method, url)
        assert FINISHED_BLIND.replace("'", "&#x27;") in response.text, (method, url)
    _unchanged(done)


def test_htmx_gets_the_reason_where_the_analyst_acted(client, done):
    client.force_login(done.analyst)
    create = _u(done, "annotations:create", done.article.pk)
    response = client.post(create, _created(done), **HTMX)
    # In the popover form, as its other errors are (htmx-errors.js swaps a 403 that
    # names its target).
    assert response["HX-Retarget"] == "#annotation-form"
    assert response.text.lstrip().startswith('<form id="annotation-form"')
    edit = _u(done, "annotations:edit", done.mine.pk)
    response = client.post(edit, {"version": 1, "note": "changed"}, **HTMX)
    assert response["HX-Retarget"] == f"#a{done.mine.pk}" and "edit-form" in response.text
    for url in (edit, _u(done, "annotations:delete", done.mine.pk)):
        response = client.post(url, {}, **HTMX) if "delete" in url else client.get(url, **HTMX)
        assert response["HX-Retarget"] == f"#a{done.mine.pk}"
        assert response["HX-Reswap"] == "beforeend" and 'class="error"' in response.text
    reattach = _u(done, "annotations:reattach", done.mine.pk)
    response = client.post(reattach, {**_created(done), "version": 1}, **HTMX)
    assert response["HX-Retarget"] == "#annotation-form"


def test_the_reader_offers_no_write_on_a_finished_article(client, done):
    client.force_login(done.analyst)
    page = client.get(done.article.get_absolute_url()).text
    assert 'data-can-annotate="false"' in page
    assert 'id="annotation-form"' not in page
    assert _u(done, "annotations:edit", done.mine.pk) not in page
    assert _u(done, "annotations:delete", done.mine.pk) not in page
    assert FINISHED_BLIND.replace("'", "&#x27;") in page
    # Nor a re-attach form asked for by address.
    page = client.get(f"{done.article.get_absolute_url()}?reattach={done.mine.pk}").text
    assert _u(done, "annotations:reattach", done.mine.pk) not in page


def test_an_owners_reopen_lets_the_analyst_code_it_again(client, done):
    reopen(assignment=Assignment.objects.get(article=done.article, coder=done.analyst))
    client.force_login(done.analyst)
    page = client.get(done.article.get_absolute_url()).text
    assert 'data-can-annotate="true"' in page and FINISHED_BLIND[:20] not in page
    create = _u(done, "annotations:create", done.article.pk)
    assert client.post(create, _created(done)).status_code == 302


def test_owners_write_on_after_done(client, done):
    client.force_login(done.owner)
    create = _u(done, "annotations:create", done.article.pk)
    assert client.post(create, _created(done)).status_code == 302
    edit = _u(done, "annotations:edit", done.owners.pk)
    assert client.post(edit, {"version": 1, "note": "changed"}).status_code == 302


def test_without_blind_coding_done_changes_nothing(client, done):
    set_blind_coding(project=done.project, on=False, by=done.owner)
    client.force_login(done.analyst)
    create = _u(done, "annotations:create", done.article.pk)
    assert client.post(create, _created(done)).status_code == 302
    edit = _u(done, "annotations:edit", done.mine.pk)
    assert client.post(edit, {"version": 1, "note": "changed"}).status_code == 302
    delete = _u(done, "annotations:delete", done.mine.pk)
    assert client.post(delete).status_code == 302
