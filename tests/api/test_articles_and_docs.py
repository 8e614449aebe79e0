"""Articles (their filters and pages), the codebook's shape, and the documentation."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.annotations.anchoring import revise_article
from tests import factories


def _articles(cast, n: int, **fields):
    made = cast.project.articles.count()  # texts are unique in a project
    return [
        factories.make_article(cast.project, text=f"Text number {made + i}.", **fields)
        for i in range(n)
    ]


def test_articles_come_in_pages_with_the_filters_on_articles(cast, bearer):
    bbc = factories.make_source("BBC News", country="GB", kind="public_broadcaster")
    made = _articles(cast, 5, source=bbc) + _articles(cast, 3)
    api = Client(headers=bearer(cast.viewer))
    url = f"/api/v1/projects/{cast.project.slug}/articles"
    seen, page = [], api.get(url, {"page_size": 2, "country": "gb"}).json()
    while True:
        seen += page["results"]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()
    assert [a["id"] for a in seen] == [a.pk for a in made[:5]]
    assert {a["source"] for a in seen} == {"BBC News"} and "text" not in seen[0]
    assert api.get(url, {"kind": "tabloid"}).status_code == 422
    # A filter on passages does not filter articles: said, not ignored.
    tag = factories.make_tag(cast.project, "blame")
    response = api.get(url, {"tag": str(tag.pk), "country": "gb"})
    assert response.status_code == 422
    [mistake] = response.json()["detail"]
    assert mistake["loc"] == ["query", "tag"] and "filter on passages" in mistake["msg"]


def test_an_article_pages_queries_do_not_grow_with_its_size(cast, bearer):
    _articles(cast, 30)
    api = Client(headers=bearer(cast.viewer))
    url = f"/api/v1/projects/{cast.project.slug}/articles"
    api.get(url)
    counts = []
    for size in (2, 30):
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get(url, {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_an_article_has_its_text_stories_and_former_texts(cast, bearer):
    article = factories.make_article(cast.project, text="The first text.")
    factories.make_story(cast.project, article, name="Kerry's threat")
    revise_article(article=article, new_text="The second text.", author=None, reason="typo")
    api = Client(headers=bearer(cast.viewer))
    url = f"/api/v1/projects/{cast.project.slug}/articles/{article.pk}"
    body = api.get(url).json()
    assert (body["text"], body["revision"], body["stories"]) == (
        "The second text.",
        2,
        ["Kerry's threat"],
    )
    revisions = api.get(url + "/revisions").json()
    assert [(r["number"], r["text"], r["reason"]) for r in revisions] == [
        (1, "The first text.", "typo")
    ]


def test_the_codebook_actors_and_claims_keep_their_hierarchy(cast, bearer):
    parent = factories.make_tag(cast.project, "blame", color="#ffc9c9")
    child = factories.make_tag(cast.project, "blame on the US", parent=parent)
    factories.make_actor(cast.project, "Sergei Lavrov", aliases="Lavrov\nRussia's foreign minister")
    narrative = factories.make_claim(cast.project, "The West is to blame")
    factories.make_claim(cast.project, "The US shields terrorists", parent=narrative)
    api = Client(headers=bearer(cast.viewer))
    base = f"/api/v1/projects/{cast.project.slug}"
    tags = {t["name"]: t for t in api.get(base + "/codebook").json()}
    assert tags["blame on the US"]["parent"] == parent.pk and tags["blame"]["color"] == "#ffc9c9"
    assert tags["blame on the US"]["guid"] == str(child.guid)
    actor = api.get(base + "/actors").json()[0]
    assert actor["aliases"] == ["Lavrov", "Russia's foreign minister"]
    claims = {c["text"]: c["parent"] for c in api.get(base + "/claims").json()}
    assert claims == {"The West is to blame": None, "The US shields terrorists": narrative.pk}


def test_the_docs_page_is_for_signed_in_users_and_loads_nothing_from_elsewhere(client, cast):
    assert client.get("/api/v1/docs").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 302
    client.force_login(cast.viewer)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_schema_names_bearer_tokens_and_the_exports_filters(client, cast):
    client.force_login(cast.viewer)
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    operation = schema["paths"]["/api/v1/projects/{slug}/annotations"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"tag", "claim", "voice", "since", "q", "cursor", "page_size", "format"} <= names
