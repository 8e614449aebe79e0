"""A write from the reader answers with only what it changed, swapped out of band: the
paragraphs under the passage, the one list item, the count, the form's data, a fresh
form; the whole reader body only when the change reaches further."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.annotations import reader_page
from apps.annotations.forms import CreateAnnotationForm
from apps.annotations.models import Annotation
from apps.coding.models import Adjudication
from tests import factories

TEXT = "Kerry spoke first.\n\nLavrov answered him at once.\n\nThe talks stalled in Geneva."


@pytest.fixture
def page(cast):
    article = factories.make_article(cast.project, text=TEXT)
    aid = factories.make_tag(cast.project, "aid")
    threat = factories.make_tag(cast.project, "threat")
    first = factories.make_annotation(article, cast.analyst, "Kerry spoke", tags=[aid])
    last = factories.make_annotation(article, cast.analyst, "talks stalled", tags=[aid])
    return {"article": article, "aid": aid, "threat": threat, "first": first, "last": last}


def _htmx(article, query=""):
    reader = reverse("annotations:reader", args=[article.project.slug, article.pk])
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{reader}{query}"}


def _listed(article):
    """The ids the page's list shows, as its script sends them."""
    return ",".join(str(pk) for pk in article.annotations.values_list("pk", flat=True))


def _create(client, article, quote, tags, query="", listed=None, **more):
    start = article.text.index(quote)
    data = more | {
        "listed": _listed(article) if listed is None else listed,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "text_hash": article.content_hash,
        "client_token": str(uuid.uuid4()),
        "tags": [t.pk for t in tags],
    }
    url = reverse("annotations:create", args=[article.project.slug, article.pk])
    return client.post(url, data, **_htmx(article, query))


def test_a_new_annotation_swaps_in_its_paragraph_its_item_and_the_count(client, cast, page):
    client.force_login(cast.analyst)
    response = _create(client, page["article"], "Lavrov answered", [page["threat"]])
    new = Annotation.objects.latest("pk")
    html = response.text
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert 'id="reader-body"' not in html  # not the whole reader
    assert '<p id="p1" hx-swap-oob="true">' in html and 'id="p0"' not in html
    assert f'id="h{new.pk}"' in html
    assert f'<div hx-swap-oob="beforebegin:#a{page["last"].pk}"><li class="annotation-item' in html
    assert '<span class="muted" id="annotation-count" hx-swap-oob="true">(3)</span>' in html
    assert '<div id="coded-spans" hidden data-coded="' in html and 'hx-swap-oob="true"' in html
    assert 'id="claim-list"' not in html  # no new claim: the form's list stands
    # The form stays as it is (the page empties it); only its token is new.
    assert 'id="annotation-form"' not in html
    assert '<input hx-swap-oob="true" type="hidden" name="client_token"' in html
    assert 'id="id_client_token"' in html
    assert "annotationSaved" in response["HX-Trigger"]


def test_the_last_item_of_the_list_is_appended(client, cast, page):
    client.force_login(cast.analyst)
    response = _create(client, page["article"], "in Geneva", [page["aid"]])
    assert '<div hx-swap-oob="beforeend:#annotation-list">' in response.text


def test_under_a_filter_a_new_annotation_it_hides_only_changes_the_count(client, cast, page):
    client.force_login(cast.analyst)
    query = f"?tag={page['aid'].pk}"
    response = _create(client, page["article"], "Lavrov answered", [page["threat"]], query)
    html = response.text
    assert "annotation-item" not in html  # not listed: the list shows "aid" only
    assert "(2 of 3)" in html


def test_an_edit_replaces_its_item_and_a_delete_removes_it(client, cast, page):
    client.force_login(cast.analyst)
    first = page["first"]
    url = reverse("annotations:edit", args=[cast.project.slug, first.pk])
    data = {"version": first.version, "tags": [page["threat"].pk], "note": "changed"}
    data["listed"] = _listed(page["article"])
    response = client.post(url, data, **_htmx(page["article"]))
    assert response["HX-Reswap"] == "none"
    assert f'<li hx-swap-oob="true" class="annotation-item mine" id="a{first.pk}"' in response.text
    assert '<p id="p0" hx-swap-oob="true">' in response.text
    factories.make_annotation(page["article"], cast.analyst, "answered him")
    url = reverse("annotations:delete", args=[cast.project.slug, first.pk])
    response = client.post(url, {"listed": _listed(page["article"])}, **_htmx(page["article"]))
    assert f'<li id="a{first.pk}" hx-swap-oob="delete"></li>' in response.text
    assert "(2)</span>" in response.text


def test_the_first_annotation_and_the_last_deletion_get_the_whole_body(client, cast):
    article = factories.make_article(cast.project, text=TEXT)
    client.force_login(cast.analyst)
    response = _create(client, article, "Kerry spoke", [])
    assert 'id="reader-body"' in response.text and response["HX-Retarget"] == "#reader-body"
    only = Annotation.objects.get()
    url = reverse("annotations:delete", args=[cast.project.slug, only.pk])
    response = client.post(url, {"listed": str(only.pk)}, **_htmx(article))
    assert "No annotations yet" in response.text


def test_a_write_costs_fewer_queries_than_the_whole_reader(
    client, cast, page, django_assert_max_num_queries
):
    client.force_login(cast.analyst)
    with django_assert_max_num_queries(24):
        _create(client, page["article"], "Lavrov answered", [page["threat"]])


def test_a_write_answered_in_place_reads_neither_the_outlet_nor_the_adjudication(
    client, cast, page
):
    """The answer swaps no header: the article is read without its outlet and its
    adjudicated version (two joins on every save). The whole body, when a write needs
    it, still shows both."""
    client.force_login(cast.analyst)
    with CaptureQueriesContext(connection) as queries:
        response = _create(client, page["article"], "Lavrov answered", [page["threat"]])
    assert response["HX-Reswap"] == "none"
    article_reads = [q["sql"] for q in queries if 'FROM "corpus_article"' in q["sql"]]
    assert len(article_reads) == 1
    assert "corpus_source" not in article_reads[0] and "coding_" not in article_reads[0]
    # Nor is the form's token asked for before the insert (its unique index answers).
    assert not any("client_token" in q["sql"] for q in queries if q["sql"].startswith("SELECT"))
    # A page that missed another coder's work is redrawn whole, header and all.
    Adjudication.objects.create(article=page["article"], adjudicator=cast.owner)
    factories.make_annotation(page["article"], cast.owner, "answered him")
    response = _create(client, page["article"], "Geneva", [page["aid"]], listed="")
    assert page["article"].source.name in response.text
    assert ">adjudicated version</a>" in response.text


def test_a_page_that_missed_another_coders_work_gets_the_whole_body(client, cast, page):
    client.force_login(cast.analyst)
    loaded = _listed(page["article"])  # the page was loaded…
    factories.make_annotation(page["article"], cast.owner, "answered him")  # …then this
    response = _create(client, page["article"], "Lavrov", [page["aid"]], listed=loaded)
    assert 'id="reader-body"' in response.text and response["HX-Retarget"] == "#reader-body"
    assert response.text.count('class="annotation-item') == 4
    # A page whose list shows none of them gets the whole body too.
    response = _create(client, page["article"], "Geneva", [page["aid"]], listed="")
    assert 'id="reader-body"' in response.text


def test_a_new_claim_also_renews_the_forms_claim_list(client, cast, page):
    client.force_login(cast.analyst)
    response = _create(
        client, page["article"], "Lavrov", [], claim="Talks failed", create_claim="on"
    )
    assert response["HX-Reswap"] == "none"
    assert '<datalist id="claim-list" hx-swap-oob="true"><option value="Talks failed">' in (
        response.text
    )


def test_a_create_reads_the_codebook_once_and_the_rest_in_few_queries(client, cast, page):
    client.force_login(cast.analyst)
    with CaptureQueriesContext(connection) as queries:
        response = _create(client, page["article"], "Lavrov answered", [page["threat"]])
    assert response["HX-Reswap"] == "none"  # only what changed
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "annotations_tag"' in q for q in sql) == 1
    assert len(sql) <= 15


def test_the_new_token_is_the_form_s_token_field(cast, page):
    token = reader_page.new_token()
    value = re.search(r'value="([0-9a-f-]{36})"', token)[1]
    form = CreateAnnotationForm(project=cast.project, initial={"client_token": value})
    assert token == str(form["client_token"]).replace("<input ", '<input hx-swap-oob="true" ')


def test_every_highlight_of_a_swapped_paragraph_keeps_its_hover_text(client, cast, page):
    """Only the changed paragraphs' highlights are described; one that reaches into them
    from the paragraph before, or goes on into the next, is one of them."""
    across = factories.make_annotation(
        page["article"], cast.owner, "first.\n\nLavrov", tags=[page["threat"]]
    )
    onward = factories.make_annotation(
        page["article"], cast.owner, "at once.\n\nThe", tags=[page["threat"]]
    )
    client.force_login(cast.analyst)
    response = _create(client, page["article"], "answered him", [page["aid"]])
    html = response.text
    assert '<p id="p1" hx-swap-oob="true">' in html and 'title=""' not in html
    paragraph = html.split('<p id="p1" hx-swap-oob="true">')[1].split("</p>")[0]
    assert f'data-a="{across.pk}" title="threat · by ' in paragraph  # from the one before
    assert f'data-a="{onward.pk}" title="threat · by ' in paragraph  # on into the next
    assert 'title="aid · by ' in paragraph
