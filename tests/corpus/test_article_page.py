import datetime

import pytest
from django.urls import reverse

from tests import factories

TEXT = "First paragraph with 😀 emoji.\n\nSecond paragraph, Café.\n\nThird <b>not bold</b>."


@pytest.fixture
def article(cast):
    return factories.make_article(
        cast.project,
        text=TEXT,
        title="Kerry threatens to suspend talks",
        byline="Jane Reporter",
        url="https://example.org/kerry",
        published=datetime.date(2016, 9, 28),
        source=factories.make_source("Business Insider"),
    )


def _url(article):
    return reverse(
        "corpus:article", kwargs={"project_slug": article.project.slug, "article_id": article.pk}
    )


def test_the_article_page_shows_metadata_and_link_to_the_original(client, cast, article):
    client.force_login(cast.viewer)
    page = client.get(_url(article)).text
    assert "Kerry threatens to suspend talks" in page
    assert "Business Insider" in page and "28 September 2016" in page
    assert "by Jane Reporter" in page
    assert 'href="https://example.org/kerry"' in page


def test_paragraphs_carry_their_code_point_offsets(client, cast, article):
    client.force_login(cast.viewer)
    page = client.get(_url(article)).text
    second = TEXT.index("Second")
    assert second == 31  # the emoji is one code point (JavaScript would count two)
    assert f'<p data-o="{second}">Second paragraph, Café.</p>' in page


def test_article_text_is_escaped_not_rendered_as_html(client, cast, article):
    client.force_login(cast.viewer)
    page = client.get(_url(article)).text
    assert "<b>not bold</b>" not in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page


def test_the_article_page_lists_annotations_with_their_coding(client, cast, article):
    tag = factories.make_tag(cast.project, "diplomatic threat")
    speaker = factories.make_actor(cast.project, "John Kerry")
    claim = factories.make_claim(cast.project, "Russia is isolated")
    factories.make_annotation(
        article,
        cast.analyst,
        "Second paragraph",
        tags=[tag],
        speaker=speaker,
        claim=claim,
        stance="reports",
        note="<img src=x onerror=alert(1)>",
    )
    client.force_login(cast.viewer)
    page = client.get(_url(article)).text
    assert "diplomatic threat" in page and "John Kerry" in page and "Russia is isolated" in page
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_article_page_shows_its_stories(client, cast, article):
    factories.make_story(cast.project, article, name="Aleppo, September 2016")
    client.force_login(cast.viewer)
    assert "Aleppo, September 2016" in client.get(_url(article)).text


def test_the_article_page_query_count_does_not_grow_with_annotations(
    client, cast, article, django_assert_max_num_queries
):
    tags = [factories.make_tag(cast.project) for _ in range(3)]
    for word in ("First", "paragraph", "emoji", "Second", "Café", "Third"):
        factories.make_annotation(
            article, cast.analyst, word, tags=tags, speaker=factories.make_actor(cast.project)
        )
    for _ in range(3):
        factories.make_story(cast.project, article)
    client.force_login(cast.viewer)
    with django_assert_max_num_queries(8):
        page = client.get(_url(article)).text
    assert page.count('class="annotation"') == 6
