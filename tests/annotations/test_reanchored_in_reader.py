"""After a revision, the reader shows what needs review or is orphaned, and its analyst
can confirm, re-attach or delete it."""

import pytest
from django.urls import reverse

from apps.annotations.anchoring import revise_article
from tests import factories

TEXT = "Kerry spoke first.\n\nLavrov always has problems with the opposition.\n\nThe end."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def revised(cast):
    article = factories.make_article(cast.project, text=TEXT)
    doubtful = factories.make_annotation(article, cast.analyst, "always has problems with")
    lost = factories.make_annotation(article, cast.analyst, "Kerry spoke first.")
    new = TEXT.replace("always has", "always had").replace("Kerry spoke first.\n\n", "")
    revise_article(article=article, new_text=new, author=None)
    article.refresh_from_db()
    doubtful.refresh_from_db()
    lost.refresh_from_db()
    assert (doubtful.anchor_status, lost.anchor_status) == ("needs_review", "orphaned")
    return article, doubtful, lost


def _reader(client, user, article, **params):
    client.force_login(user)
    return client.get(article.get_absolute_url(), params).text


def test_the_reader_says_which_annotations_need_attention(client, cast, revised):
    article, doubtful, lost = revised
    page = _reader(client, cast.viewer, article)
    assert "2 annotations of this article need attention" in page
    assert "Needs review: the text changed" in page and "always has problems with" in page
    assert "Orphaned: this passage is no longer in the text." in page
    assert (
        f'data-a="{doubtful.pk}"' in page and "review" in page.split(f'id="h{doubtful.pk}"')[1][:60]
    )
    assert f'id="h{lost.pk}"' not in page  # an orphan has no highlight


def test_only_the_annotator_gets_confirm_and_reattach(client, cast, revised):
    article, doubtful, lost = revised
    confirm = reverse("annotations:confirm", args=[cast.project.slug, doubtful.pk])
    assert confirm in _reader(client, cast.analyst, article)
    assert f"?reattach={lost.pk}" in _reader(client, cast.analyst, article)
    assert confirm not in _reader(client, cast.owner, article)


def test_confirming_accepts_the_passage_found(client, cast, revised):
    _, doubtful, _ = revised
    client.force_login(cast.analyst)
    url = reverse("annotations:confirm", args=[cast.project.slug, doubtful.pk])
    response = client.post(url, {"version": doubtful.version}, **HTMX)
    assert response["HX-Retarget"] == "#reader-body"
    doubtful.refresh_from_db()
    assert (doubtful.anchor_status, doubtful.original_quote) == ("anchored", "")


def test_confirming_an_old_version_changes_nothing(client, cast, revised):
    _, doubtful, _ = revised
    client.force_login(cast.analyst)
    url = reverse("annotations:confirm", args=[cast.project.slug, doubtful.pk])
    client.post(url, {"version": doubtful.version - 1})
    doubtful.refresh_from_db()
    assert doubtful.anchor_status == "needs_review"


def test_reattach_mode_turns_the_form_into_a_reattach_form(client, cast, revised):
    article, _, lost = revised
    page = _reader(client, cast.analyst, article, reattach=lost.pk)
    assert "Select the passage that “Kerry spoke first.” belongs to now" in page
    assert reverse("annotations:reattach", args=[cast.project.slug, lost.pk]) in page
    assert 'name="tags"' not in page.split('id="annotation-form"')[1].split("</form>")[0]


def test_reattach_mode_is_ignored_for_someone_elses_annotation(client, cast, revised):
    article, _, lost = revised
    page = _reader(client, cast.owner, article, reattach=lost.pk)
    assert "Select the passage that" not in page


def test_reattaching_points_the_orphan_at_the_selected_passage(client, cast, revised):
    article, _, lost = revised
    client.force_login(cast.analyst)
    start = article.text.index("Lavrov")
    response = client.post(
        reverse("annotations:reattach", args=[cast.project.slug, lost.pk]),
        {
            "start": start,
            "end": start + 6,
            "quote": "Lavrov",
            "text_hash": article.content_hash,
            "version": lost.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    lost.refresh_from_db()
    assert (lost.anchor_status, lost.quote, lost.start) == ("anchored", "Lavrov", start)


def test_reattaching_with_a_wrong_quote_is_refused(client, cast, revised):
    article, _, lost = revised
    client.force_login(cast.analyst)
    response = client.post(
        reverse("annotations:reattach", args=[cast.project.slug, lost.pk]),
        {
            "start": 0,
            "end": 6,
            "quote": "Putin!",
            "text_hash": article.content_hash,
            "version": lost.version,
        },
        **HTMX,
    )
    assert response.status_code == 422
    lost.refresh_from_db()
    assert lost.anchor_status == "orphaned"


@pytest.mark.parametrize("name", ["annotations:reattach", "annotations:confirm"])
def test_others_cannot_reattach_or_confirm(client, cast, revised, name):
    _, doubtful, _ = revised
    url = reverse(name, args=[cast.project.slug, doubtful.pk])
    for user, status in ((cast.owner, 403), (cast.viewer, 403), (cast.outsider, 404)):
        client.force_login(user)
        assert client.post(url, {"version": doubtful.version}).status_code == status
    client.force_login(cast.analyst)
    assert client.get(url).status_code == 405


def test_reattaching_to_half_a_flag_is_refused_with_the_reason(client, cast):
    text = "Kerry spoke first.\n\nThe flag 🇺🇦 flew.\n\nThe end."
    article = factories.make_article(cast.project, text=text)
    lost = factories.make_annotation(article, cast.analyst, "Kerry spoke first.")
    revise_article(
        article=article, new_text=text.replace("Kerry spoke first.\n\n", ""), author=None
    )
    article.refresh_from_db()
    lost.refresh_from_db()
    client.force_login(cast.analyst)
    start = article.text.index("🇺🇦") + 1
    response = client.post(
        reverse("annotations:reattach", args=[cast.project.slug, lost.pk]),
        {
            "start": start - 9,
            "end": start,
            "quote": article.text[start - 9 : start],
            "text_hash": article.content_hash,
            "version": lost.version,
        },
        **HTMX,
    )
    assert response.status_code == 422
    assert "cuts through a character" in response.text
    lost.refresh_from_db()
    assert lost.anchor_status == "orphaned"
