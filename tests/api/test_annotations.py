"""Annotation pages: walked to the end they are the CSV export of the same query string,
row for row; with ``format=jsonld``, the JSON-LD export's items."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.analysis.export import TAG_SEPARATOR, neutralise
from apps.annotations.models import Annotation
from apps.api.paging import encode
from apps.sampledata.synthetic import generate_corpus
from tests import factories


@pytest.fixture
def corpus(db):
    return generate_corpus(project_slug="api", articles=40, sources=6, annotations=400, seed=3)


@pytest.fixture
def reader(corpus, bearer):
    user = factories.make_user("api-reader")
    corpus.project.memberships.create(user=user, role="viewer")
    return user, Client(headers=bearer(user))


def _url(corpus) -> str:
    return f"/api/v1/projects/{corpus.project.slug}/annotations"


def _walk(api: Client, url: str, params: dict) -> tuple[list[dict], int]:
    results, pages = [], 0
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"] if "results" in body else body["items"]
        pages += 1
        if not body.get("next"):
            return results, pages
        response = api.get(body["next"])


def _csv(client, user, corpus, params: dict) -> list[dict]:
    client.force_login(user)
    url = reverse("analysis:annotations-csv", args=[corpus.project.slug])
    body = b"".join(client.get(url, {**params, "bom": "0"}).streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _as_cell(value) -> str:
    """The API's value as the CSV writes it (the CSV's formula guard included)."""
    if isinstance(value, list):
        value = TAG_SEPARATOR.join(value)
    return "" if value is None else str(neutralise(value))


def _filters(corpus) -> list[dict]:
    project = corpus.project
    tag = project.tags.order_by("pk")[0]
    claim = project.claims.order_by("pk")[0]
    actor = project.actors.order_by("pk")[0]
    source = corpus.project.articles.order_by("pk")[0].source
    story = project.stories.order_by("pk")[0]
    return [
        {},
        {"tag": tag.pk},
        {"tag": ",".join(str(t) for t in project.tags.values_list("pk", flat=True)[:3])},
        {"claim": claim.pk, "voice": "reported"},
        {"actor": actor.pk},
        {"source": source.pk, "since": "2016-09-01"},
        {"story": story.pk, "position": "none"},
        {"kind": "state_affiliated", "status": "anchored"},
        {"q": "Russia"},
        {"annotator": "me"},
    ]


def test_the_pages_are_the_csv_export_of_the_same_filter(client, corpus, reader):
    user, api = reader
    for params in _filters(corpus):
        results, _ = _walk(api, _url(corpus), {**params, "page_size": 37})
        rows = _csv(client, user, corpus, params)
        assert [{k: _as_cell(v) for k, v in r.items()} for r in results] == rows, params
    assert (
        len(_walk(api, _url(corpus), {})[0])
        == Annotation.objects.filter(article__project=corpus.project).count()
    )


def test_a_walk_has_no_duplicates_or_gaps_and_stops(corpus, reader):
    _, api = reader
    every = list(
        Annotation.objects.filter(article__project=corpus.project)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for size in (1, 7, 100, 500):
        results, pages = _walk(api, _url(corpus), {"page_size": size})
        assert [r["annotation_id"] for r in results] == every
        assert pages == max(1, -(-len(every) // size))


def test_the_next_link_keeps_the_filters_and_an_annotation_added_meanwhile_comes_last(
    corpus, reader
):
    user, api = reader
    tag = corpus.project.tags.order_by("pk")[0]
    first = api.get(_url(corpus), {"tag": tag.pk, "page_size": 2}).json()
    assert f"tag={tag.pk}" in first["next"] and "page_size=2" in first["next"]
    article = corpus.project.articles.order_by("pk")[0]
    added = factories.make_annotation(article, user, tags=[tag])
    rest, _ = _walk(api, first["next"], {})
    ids = [r["annotation_id"] for r in first["results"] + rest]
    assert ids == sorted(set(ids)) and ids[-1] == added.pk


@pytest.mark.parametrize(
    "params,where",
    [
        ({"page_size": 501}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
        ({"cursor": encode(2**63)}, "cursor"),  # past any id: not sent to the database
        ({"cursor": encode(10**30)}, "cursor"),
        ({"since": "yesterday"}, "since"),
        ({"tag": "x"}, "tag"),
        ({"voice": "shouted"}, "voice"),
        ({"q": "a*"}, "q"),
        ({"format": "xml"}, "format"),
    ],
)
def test_a_mistake_in_the_parameters_is_422_naming_it(corpus, reader, params, where):
    _, api = reader
    response = api.get(_url(corpus), params)
    assert response.status_code == 422
    assert where in {error["loc"][-1] for error in response.json()["detail"]}


def test_jsonld_pages_hold_the_jsonld_exports_items(client, corpus, reader):
    user, api = reader
    tag = corpus.project.tags.order_by("pk")[0]
    items, _ = _walk(api, _url(corpus), {"tag": tag.pk, "format": "jsonld", "page_size": 25})
    client.force_login(user)
    url = reverse("analysis:annotations-jsonld", args=[corpus.project.slug])
    exported = json.loads(b"".join(client.get(url, {"tag": tag.pk}).streaming_content))
    assert items == exported["first"]["items"]
    page = api.get(_url(corpus), {"format": "jsonld", "page_size": 5})
    assert page["Content-Type"] == "application/ld+json"
    body = page.json()
    assert (
        body["type"] == "AnnotationPage" and "http://www.w3.org/ns/anno.jsonld" in body["@context"]
    )
    assert body["next"] and "format=jsonld" in body["next"] and len(body["items"]) == 5


def test_a_page_asks_the_same_number_of_queries_for_ten_annotations_or_five_hundred(corpus, reader):
    _, api = reader
    api.get(_url(corpus))  # the token's first use is recorded (a write, once a minute)
    counts = []
    for size in (10, 500):
        for format in ("json", "jsonld"):
            with CaptureQueriesContext(connection) as queries:
                api.get(_url(corpus), {"page_size": size, "format": format})
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    # token, membership, page ids, annotations, tags, stories (twice as json: as lists);
    # PostgreSQL reads annotations and tags in one query, streamed between lifting its
    # statement timeout and putting it back, and here in a savepoint of the test's
    # transaction.
    assert max(counts) <= (10 if connection.vendor == "postgresql" else 7)
