import datetime
import uuid

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.urls import reverse

from apps.annotations.reader_page import reader_filter
from tests import factories

TEXT = "First paragraph with 😀 emoji.\n\nSecond paragraph, Café.\n\nThird <b>not bold</b>."
HTMX = {"HTTP_HX_REQUEST": "true"}


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


def _url(article, **params):
    url = reverse(
        "annotations:reader",
        kwargs={"project_slug": article.project.slug, "article_id": article.pk},
    )
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _page(client, user, article, **params):
    client.force_login(user)
    return client.get(_url(article, **params)).text


def test_the_reader_shows_metadata_and_links_to_the_original(client, cast, article):
    page = _page(client, cast.viewer, article)
    assert "Kerry threatens to suspend talks" in page
    assert "Business Insider" in page and "28 September 2016" in page
    assert "by Jane Reporter" in page
    assert 'href="https://example.org/kerry"' in page


def test_segments_carry_their_code_point_offsets(client, cast, article):
    page = _page(client, cast.viewer, article)
    second = TEXT.index("Second")
    assert second == 31  # the emoji is one code point (JavaScript would count two)
    assert f'<span class="seg" data-o="{second}">Second paragraph, Café.</span>' in page
    assert f'data-hash="{article.content_hash}"' in page


def test_article_text_is_escaped_not_rendered_as_html(client, cast, article):
    page = _page(client, cast.viewer, article)
    assert "<b>not bold</b>" not in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page


def test_annotations_are_highlighted_and_listed_with_their_coding(client, cast, article):
    tag = factories.make_tag(cast.project, "diplomatic threat")
    speaker = factories.make_actor(cast.project, "John Kerry")
    claim = factories.make_claim(cast.project, "Russia is isolated")
    annotation = factories.make_annotation(
        article,
        cast.analyst,
        "Second paragraph",
        tags=[tag],
        speaker=speaker,
        claim=claim,
        voice="reported",
        position="supports",
        note="<img src=x onerror=alert(1)>",
    )
    page = _page(client, cast.viewer, article)
    assert f'<mark id="h{annotation.pk}" class="seg hl d1 c1-t{tag.pk}" data-o="31"' in page
    assert "diplomatic threat" in page and "John Kerry" in page and "Russia is isolated" in page
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_overlapping_highlights_are_stacked_not_hidden(client, cast, article):
    outer = factories.make_annotation(article, cast.analyst, "Second paragraph, Café")
    inner = factories.make_annotation(article, cast.owner, "Café")
    page = _page(client, cast.viewer, article)
    assert f'data-a="{outer.pk} {inner.pk}"' in page
    assert 'class="seg hl d2' in page


def test_the_reader_links_to_the_previous_and_next_article_of_the_story(client, cast, article):
    earlier = factories.make_article(
        cast.project, text="Earlier.", title="Earlier", published=datetime.date(2016, 9, 1)
    )
    later = factories.make_article(
        cast.project, text="Later.", title="Later", published=datetime.date(2016, 10, 1)
    )
    story = factories.make_story(cast.project, earlier, article, later, name="Kerry's threat")
    page = _page(client, cast.viewer, article)
    assert f'rel="prev" href="{_url(earlier)}?story={story.pk}"' in page
    assert f'rel="next" href="{_url(later)}?story={story.pk}"' in page
    assert "Kerry&#x27;s threat" in page


def test_previous_and_next_follow_date_title_and_id_with_undated_articles_last(client, cast):
    day = datetime.date(2016, 9, 1)
    make = factories.make_article
    order = [
        make(cast.project, text="a1.", title="Alpha", published=day),
        make(cast.project, text="a2.", title="Alpha", published=day),  # same date, same title
        make(cast.project, text="b.", title="Beta", published=day),
        make(cast.project, text="c.", title="Alpha", published=datetime.date(2016, 9, 2)),
        make(cast.project, text="d.", title="Alpha", published=None),
        make(cast.project, text="e.", title="Zulu", published=None),
    ]
    for index, article in enumerate(order):  # the project's articles, no story
        page = _page(client, cast.viewer, article)
        previous = order[index - 1] if index else None
        following = order[index + 1] if index + 1 < len(order) else None
        assert (
            (f'rel="prev" href="{_url(previous)}"' in page)
            if previous
            else 'rel="prev"' not in page
        )
        assert (
            (f'rel="next" href="{_url(following)}"' in page)
            if following
            else 'rel="next"' not in page
        )


def test_a_viewer_is_told_they_cannot_annotate_and_gets_no_form(client, cast, article):
    page = _page(client, cast.viewer, article)
    assert "you can read, compare and export, but not annotate" in page
    assert 'id="annotation-form"' not in page
    assert 'data-can-annotate="false"' in page


@pytest.mark.parametrize("role", ["owner", "analyst"])
def test_annotators_get_the_hidden_create_form_with_the_text_hash(client, cast, article, role):
    page = _page(client, getattr(cast, role), article)
    assert 'id="annotation-form"' in page
    assert f'name="text_hash" value="{article.content_hash}"' in page


def test_analysts_see_edit_links_only_on_their_own_annotations(client, cast, article):
    mine = factories.make_annotation(article, cast.analyst, "First")
    theirs = factories.make_annotation(article, cast.owner, "Third")
    page = _page(client, cast.analyst, article)
    assert reverse("annotations:edit", args=[cast.project.slug, mine.pk]) in page
    assert reverse("annotations:edit", args=[cast.project.slug, theirs.pk]) not in page
    assert "only olga can edit" in page


def test_filtering_by_annotator_shows_only_their_annotations(client, cast, article):
    factories.make_annotation(article, cast.analyst, "First", note="by anton")
    factories.make_annotation(article, cast.owner, "Third", note="by olga")
    mine = _page(client, cast.analyst, article, annotator="me")
    assert "by anton" in mine and "by olga" not in mine
    assert "(1 of 2)" in mine
    theirs = _page(client, cast.analyst, article, annotator="olga")
    assert "by olga" in theirs and "by anton" not in theirs


def test_filtering_by_tag_shows_only_annotations_with_it(client, cast, article):
    tag = factories.make_tag(cast.project, "civilian harm")
    factories.make_annotation(article, cast.analyst, "First", tags=[tag], note="tagged")
    factories.make_annotation(article, cast.analyst, "Third", note="untagged")
    page = _page(client, cast.viewer, article, tag=tag.pk)
    assert "tagged" in page and "untagged" not in page


def test_a_filter_matching_nothing_says_so(client, cast, article):
    factories.make_annotation(article, cast.analyst, "First")
    page = _page(client, cast.viewer, article, annotator="nobody")
    assert "No annotation matches this filter." in page


def test_an_htmx_request_gets_only_the_reader_body(client, cast, article):
    client.force_login(cast.viewer)
    response = client.get(_url(article), **HTMX)
    assert response.text.lstrip().startswith('<div id="reader-body"')
    assert "<html" not in response.text


def test_a_boosted_htmx_request_gets_the_whole_page(client, cast, article):
    client.force_login(cast.viewer)
    response = client.get(_url(article), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in response.text


def test_the_page_sends_a_strict_content_security_policy(client, cast, article):
    client.force_login(cast.viewer)
    response = client.get(_url(article))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text  # htmx and the tag colours carry it


def test_the_reader_query_count_does_not_grow_with_annotations(
    client, cast, article, django_assert_num_queries
):
    def make(n):
        for _ in range(n):
            tags = [factories.make_tag(cast.project) for _ in range(2)]
            factories.make_annotation(
                article,
                cast.analyst,
                "Second",
                tags=tags,
                speaker=factories.make_actor(cast.project),
                target=factories.make_actor(cast.project),
                claim=factories.make_claim(cast.project),
                voice="own",
                position="supports",
            )
        factories.make_story(cast.project, article)

    client.force_login(cast.analyst)
    make(2)
    # 11, and one for the analyst's queue (team coding: "previous / next in my queue").
    with django_assert_num_queries(12):
        client.get(_url(article))
    make(30)
    with django_assert_num_queries(12):
        page = client.get(_url(article)).text
    assert page.count('class="annotation-item') == 32


def test_the_reader_s_body_alone_does_not_read_the_coding_form_s_lists(client, cast, article):
    """The filters and the edit form's Cancel ask for the reader's body (htmx): the actors'
    and claims' lists are outside it, and are not read for it."""
    factories.make_actor(cast.project, "Kerry")
    factories.make_claim(cast.project, "Talks suspended")
    client.force_login(cast.analyst)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(_url(article), **HTMX).text
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "annotations_actor"' not in sql and 'FROM "annotations_claim"' not in sql
    assert body.lstrip().startswith('<div id="reader-body"')
    page = client.get(_url(article)).text
    assert '<option value="Kerry">' in page and '<option value="Talks suspended">' in page


def test_the_filters_reset_to_everyone_and_any_show_everything(client, cast, article):
    # What the filter form sends after choosing "everyone" and "any": no filter.
    factories.make_annotation(article, cast.analyst, "First", note="by anton")
    factories.make_annotation(article, cast.owner, "Third", note="by olga")
    page = _page(client, cast.viewer, article, annotator="", tag="")
    assert "by anton" in page and "by olga" in page
    assert "(2)</span>" in page and " of 2)" not in page


def test_a_filter_given_as_only_commas_or_spaces_filters_nothing(client, cast, article):
    factories.make_annotation(article, cast.analyst, "First", note="kept in")
    for value in (",", "%20", ",%20,"):
        page = _page(client, cast.viewer, article, tag=value)
        assert "kept in" in page and "(1)</span>" in page
        assert "No annotation matches this filter." not in page


def test_an_over_long_annotator_shows_nothing_and_says_so(client, cast, article):
    # An invalid filter never widens to everything.
    factories.make_annotation(article, cast.analyst, "First", note="kept out")
    page = _page(client, cast.viewer, article, annotator="x" * 151)
    assert "kept out" not in page and "No annotation matches this filter." in page
    assert "(0 of 1)" in page


def test_the_reader_builds_its_filter_form_only_when_a_filter_is_given():
    assert reader_filter(QueryDict("")).form is None
    assert reader_filter(QueryDict("annotator=&tag=&story=3")).form is None
    given = reader_filter(QueryDict("tag=,"))
    assert given.form is not None and not given.active
    assert reader_filter(QueryDict("tag=4")).active


def test_a_codebook_without_shortcuts_gets_keys_on_its_first_nine_tags(client, cast, article):
    tags = [factories.make_tag(cast.project, f"tag {n:02d}", position=n) for n in range(11)]
    page = _page(client, cast.analyst, article)
    assert f'value="{tags[0].pk}" data-shortcut="1"' in page
    assert f'value="{tags[8].pk}" data-shortcut="9"' in page
    assert f'value="{tags[9].pk}" data-shortcut=""' in page
    tags[0].refresh_from_db()
    assert tags[0].shortcut == ""  # nothing saved


def test_the_reader_offers_an_export_of_what_it_shows(client, cast, article):
    tag = factories.make_tag(cast.project)
    page = _page(client, cast.viewer, article, annotator="me", tag=tag.pk)
    export = reverse("analysis:annotations-csv", args=[cast.project.slug])
    assert f"{export}?article={article.pk}&amp;annotator=me&amp;tag={tag.pk}" in page


def test_a_tag_filter_includes_its_descendants_at_any_depth(client, cast, article):
    top = factories.make_tag(cast.project, "accusation")
    middle = factories.make_tag(cast.project, "blame", parent=top)
    leaf = factories.make_tag(cast.project, "blame on US", parent=middle)
    other = factories.make_tag(cast.project, "diplomacy")
    factories.make_annotation(article, cast.analyst, "First", tags=[leaf], note="leaf-tagged")
    factories.make_annotation(article, cast.analyst, "Third", tags=[other], note="elsewhere")
    for tag in (top, middle, leaf):
        page = _page(client, cast.viewer, article, tag=tag.pk)
        assert "leaf-tagged" in page and "elsewhere" not in page
        assert "(1 of 2)" in page


def test_a_broken_filter_shows_nothing_and_says_so(client, cast, article):
    factories.make_annotation(article, cast.analyst, "First", note="kept out")
    page = _page(client, cast.viewer, article, tag="not-a-number")
    assert "kept out" not in page and "No annotation matches this filter." in page


def test_the_tag_picker_groups_the_codebook_under_parents(cast):
    from apps.annotations.reader import tag_picker

    loose = factories.make_tag(cast.project, "loose", position=1)
    blame = factories.make_tag(cast.project, "blame", position=2)
    us = factories.make_tag(cast.project, "on US", parent=blame, position=1)
    deep = factories.make_tag(cast.project, "deep", parent=us, position=1)
    after = factories.make_tag(cast.project, "after", position=3)
    picker = tag_picker(list(cast.project.tags.all()))
    assert [(p.tag, p.depth, p.ancestors, p.has_children, p.new_line) for p in picker] == [
        (loose, 0, "", False, False),
        (blame, 0, "", True, True),  # a group starts a line…
        (us, 1, str(blame.pk), True, False),
        (deep, 2, f"{blame.pk} {us.pk}", False, False),
        (after, 0, "", False, True),  # …and so does what follows it
    ]


def test_the_reader_s_lists_are_escaped_and_keep_the_chosen_filter(client, cast, article):
    """The datalists and the filters' options are written as strings: escaped as the
    templates escape, the filter's choice still selected."""
    factories.make_actor(cast.project, 'The "Kremlin" <b>', aliases="Moscow\nRussia's government")
    factories.make_claim(cast.project, "Talks & <i>truce</i>")
    tag = factories.make_tag(cast.project, "<aid>")
    factories.make_annotation(article, cast.owner, "Second paragraph", tags=[tag])
    client.force_login(cast.analyst)
    owner = cast.owner.username
    html = client.get(f"{article.get_absolute_url()}?tag={tag.pk}&annotator={owner}").text
    assert f'<option value="{owner}" selected>{cast.owner.display_name}</option>' in html
    assert (
        '<option value="The &quot;Kremlin&quot; &lt;b&gt;">Moscow, Russia&#x27;s government'
        "</option>" in html
    )
    assert '<option value="Talks &amp; &lt;i&gt;truce&lt;/i&gt;"></option>' in html
    assert f'<option value="{tag.pk}" selected>&lt;aid&gt;</option>' in html


def test_the_reader_and_its_writes_leave_the_imported_file_unread(client, cast, article):
    """``raw`` (the file an article was imported from) can be a web page of hundreds of
    kB: neither opening the reader nor creating, editing or deleting a highlight from it
    reads it."""
    client.force_login(cast.analyst)
    slug, page = cast.project.slug, f"http://testserver{article.get_absolute_url()}"
    kept = factories.make_annotation(article, cast.analyst, "Second paragraph")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
        url = reverse("annotations:create", args=[slug, article.pk])
        data = {"start": 0, "end": 5, "quote": article.text[:5], "text_hash": article.content_hash}
        response = client.post(url, {**data, "client_token": str(uuid.uuid4())}, **HTMX)
        assert response.status_code == 200
        new = article.annotations.latest("pk")
        listed = {"listed": f"{new.pk},{kept.pk}"}
        url = reverse("annotations:edit", args=[slug, new.pk])
        edit = {"version": new.version, "note": "changed", **listed}
        response = client.post(url, edit, HTTP_HX_CURRENT_URL=page, **HTMX)
        assert response["HX-Reswap"] == "none"  # only what changed
        url = reverse("annotations:delete", args=[slug, new.pk])
        response = client.post(url, listed, HTTP_HX_CURRENT_URL=page, **HTMX)
        assert response.status_code == 200 and not article.annotations.filter(pk=new.pk)
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('"corpus_article"."text"' in q for q in sql) >= 4  # each step reads the article
    assert not any('"corpus_article"."raw"' in q for q in sql)


def test_the_sidebars_links_follow_the_prefix_the_site_is_served_under(client, cast, article):
    """The links' patterns are reversed once per project and prefix: a site served
    under a path (``SCRIPT_NAME``) gets its own, even after a page without one."""
    mine = factories.make_annotation(article, cast.analyst, "Second")
    client.force_login(cast.analyst)
    edit = reverse("annotations:edit", args=[cast.project.slug, mine.pk])
    reader = _url(article)
    assert f'href="{edit}"' in client.get(reader).text
    with override_script_prefix("/workbench/"):
        page = client.get(reader).text
    assert f'href="/workbench{edit}"' in page and f'href="{edit}"' not in page
