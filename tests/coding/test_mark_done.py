"""Marking an article done from the reader: who may, what htmx and a plain form get, the
reader's "previous / next in my queue", only an owner undoing it, only an article
assigned to the coder, and blind coding lifting once it is done and closing again when
undone."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.coding.assigning import assign, mark_done, set_blind_coding
from apps.coding.models import Assignment
from tests import factories
from tests.coding.access import assert_a_write_for_roles

HTMX = {"HTTP_HX_REQUEST": "true"}
THEIRS = "a note only Beth wrote"


@pytest.fixture
def coded(cast):
    """Three articles in the analyst's queue; on the middle one, a second analyst's
    passage with a note."""
    cast.second = factories.make_user("beth")
    cast.project.memberships.create(user=cast.second, role="analyst")
    cast.articles = [
        factories.make_article(
            cast.project, text=f"Text number {n}.", published=datetime.date(2020, 1, n + 1)
        )
        for n in range(3)
    ]
    assign(
        project=cast.project,
        articles=[a.pk for a in cast.articles],
        coders=[cast.analyst, cast.second],
        by=cast.owner,
    )
    factories.make_annotation(cast.articles[1], cast.analyst, "Text")
    factories.make_annotation(cast.articles[1], cast.second, "number", note=THEIRS)
    return cast


def _done_url(project, article):
    return reverse("coding:done", args=[project.slug, article.pk])


def _reader(client, article, **extra):
    return client.get(article.get_absolute_url(), **extra).text


def test_coders_mark_done_and_viewers_cannot(client, coded):
    article = coded.articles[1]
    response = assert_a_write_for_roles(
        client, coded, _done_url(coded.project, article), {}, ("analyst", "owner")
    )
    assert response.status_code == 302
    done = Assignment.objects.get(article=article, coder=coded.analyst)
    assert done.done_at is not None
    assert Assignment.objects.get(article=article, coder=coded.second).done_at is None


def test_the_reader_shows_the_place_in_the_queue_and_the_button(client, coded):
    first, middle, last = coded.articles
    client.force_login(coded.analyst)
    page = _reader(client, middle)
    slug = coded.project.slug
    assert "My queue</a>: 2 of 3" in page
    before = reverse("annotations:reader", args=[slug, first.pk])
    after = reverse("annotations:reader", args=[slug, last.pk])
    assert f'href="{before}" title="{first.title}">← Previous in my queue' in page
    assert f'href="{after}" title="{last.title}">Next in my queue →' in page
    assert f'hx-post="{_done_url(coded.project, middle)}"' in page
    first_page = _reader(client, first)
    assert "Previous in my queue" not in first_page and "1 of 3" in first_page
    client.force_login(coded.viewer)
    assert "queue-nav" not in _reader(client, middle)


def test_htmx_gets_the_reader_body_done(client, coded):
    article = coded.articles[1]
    client.force_login(coded.analyst)
    current = f"http://testserver{article.get_absolute_url()}?annotator=me"
    response = client.post(_done_url(coded.project, article), **HTMX, HTTP_HX_CURRENT_URL=current)
    assert response.status_code == 200
    body = response.text.strip()
    assert body.startswith('<div id="reader-body"') and "<html" not in body
    assert "✓ Done" in body and "Mark done" not in body
    assert THEIRS not in body  # the page's filter (annotator=me) is kept


def test_a_plain_form_goes_back_to_the_reader_and_never_elsewhere(client, coded):
    article = coded.articles[0]
    client.force_login(coded.analyst)
    back = article.get_absolute_url() + "?story=1"
    response = client.post(_done_url(coded.project, article), {"next": back})
    assert response["Location"] == back
    response = client.post(_done_url(coded.project, article), {"next": "https://evil.example/"})
    assert response["Location"] == article.get_absolute_url()


def test_marking_again_keeps_the_first_time(client, coded):
    article = coded.articles[0]
    first = mark_done(article=article, coder=coded.analyst).done_at
    client.force_login(coded.analyst)
    client.post(_done_url(coded.project, article))
    assert Assignment.objects.get(article=article, coder=coded.analyst).done_at == first


def test_only_an_owner_undoes_it(client, coded):
    article = coded.articles[1]
    assignment = mark_done(article=article, coder=coded.analyst)
    url = reverse("coding:reopen", args=[coded.project.slug, assignment.pk])
    client.force_login(coded.analyst)
    assert client.post(url).status_code == 403
    assignment.refresh_from_db()
    assert assignment.done_at is not None
    assert 'title="Only an owner can undo it">✓ Done' in _reader(client, article)
    client.force_login(coded.owner)
    assert client.post(url).status_code == 302
    assignment.refresh_from_db()
    assert assignment.done_at is None


def test_only_an_article_assigned_to_the_coder_can_be_marked_done(coded):
    extra = factories.make_article(coded.project, text="Nobody's text.")
    with pytest.raises(ValidationError) as refused:
        mark_done(article=extra, coder=coded.analyst)
    assert refused.value.code == "not-assigned"
    # Someone else's assignment is not the coder's either.
    assign(project=coded.project, articles=[extra.pk], coders=[coded.second], by=coded.owner)
    with pytest.raises(ValidationError):
        mark_done(article=extra, coder=coded.analyst)
    assert not Assignment.objects.filter(article=extra, coder=coded.analyst).exists()


@pytest.mark.parametrize("blind", [False, True])
def test_the_reader_offers_done_only_on_an_assigned_article(client, coded, blind):
    extra = factories.make_article(coded.project, text="Nobody's text.")
    set_blind_coding(project=coded.project, on=blind, by=coded.owner)
    client.force_login(coded.analyst)
    page = _reader(client, extra)
    assert "Mark done" not in page and _done_url(coded.project, extra) not in page
    assert ("Not in <a" in page) is blind  # says why, where done would matter
    assert "Mark done" in _reader(client, coded.articles[0])


@pytest.mark.parametrize("htmx", [False, True])
def test_done_on_an_article_not_assigned_is_refused_with_the_reason(client, coded, htmx):
    extra = factories.make_article(coded.project, text="Nobody's text.")
    factories.make_annotation(extra, coded.second, "Nobody's", note=THEIRS)
    set_blind_coding(project=coded.project, on=True, by=coded.owner)
    client.force_login(coded.analyst)
    response = client.post(_done_url(coded.project, extra), **(HTMX if htmx else {}))
    assert response.status_code == 422
    assert "This article is not in your queue" in response.text
    assert response.text.strip().startswith('<div id="reader-body"') is htmx
    assert THEIRS not in response.text and THEIRS not in _reader(client, extra)  # still blind
    assert not Assignment.objects.filter(article=extra).exclude(coder=coded.second).exists()
    # An owner who assigns it later gives a new assignment, to do.
    made = assign(
        project=coded.project, articles=[extra.pk], coders=[coded.analyst], by=coded.owner
    )
    assert made == 1
    assert Assignment.objects.get(article=extra, coder=coded.analyst).done_at is None


def test_blind_coding_lifts_when_done_and_closes_again_when_undone(client, coded):
    article = coded.articles[1]
    set_blind_coding(project=coded.project, on=True, by=coded.owner)
    client.force_login(coded.analyst)
    page = _reader(client, article)
    assert THEIRS not in page and "Blind coding: you see only your own" in page
    response = client.post(_done_url(coded.project, article), **HTMX)
    assert THEIRS in response.text and "Blind coding:" not in response.text
    assert THEIRS in _reader(client, article)
    assignment = Assignment.objects.get(article=article, coder=coded.analyst)
    client.force_login(coded.owner)
    client.post(reverse("coding:reopen", args=[coded.project.slug, assignment.pk]))
    client.force_login(coded.analyst)
    assert THEIRS not in _reader(client, article)
    # the owner and the viewer see it all along
    for who in (coded.owner, coded.viewer):
        client.force_login(who)
        assert THEIRS in _reader(client, article)
