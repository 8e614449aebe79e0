"""The adjudicated ("gold") layer on every screen and export: never counted as a coder's
work by default (adding gold passages to a project changes nothing a screen or an export
shows on the coders' layer), and with ``layer=gold`` every number on a screen is the
export of the same filter."""

import csv
import io
import random
import re
import zipfile
from collections import Counter

import pytest
from django.urls import reverse

from apps.accounts.tokens import create_token
from apps.annotations.annotating import create_annotation
from apps.annotations.models import Annotation, Layer
from apps.coding.models import Adjudication
from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.analysis.test_compare import _csv_counts, _export_rows, _restore, _screen_counts

# What differs from one response to the next whatever the data: tokens and nonces.
_VOLATILE = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce="|name="client_token" value=")[^"]+'
)
# The codebook, actor and claim lists count the coders' passages, and name beside them,
# apart and labelled, those of the adjudicated layer (an entry they use is not unused).
# The reader links to an article's adjudicated version, and shows none of its passages.
_GOLD_APART = re.compile(
    r' <span class="muted small" title="[^"]*adjudicated[^"]*">[^<]*</span>'
    r'|<a href="[^"]*/adjudicated/"[^>]*>adjudicated version</a>',
    re.IGNORECASE,
)


@pytest.fixture
def generated(client, db):
    corpus = generate_corpus(project_slug="gold", articles=24, sources=5, annotations=300, seed=5)
    viewer = factories.make_user("reader")
    corpus.project.memberships.create(user=viewer, role="viewer")
    # The owner who adjudicates is a member before any passage is adjudicated.
    judge = factories.make_user("judge")
    corpus.project.memberships.create(user=judge, role="owner")
    client.force_login(viewer)
    return corpus.project


def add_gold(project, *, every: int = 3, seed: int = 2) -> list[Annotation]:
    """Gold passages over a third of the project's coders' ones: the same span, with
    other tags, another claim or stance, and some passages of their own."""
    rng = random.Random(seed)
    adjudicator = project.memberships.get(user__username="judge").user
    tags, claims = list(project.tags.all()), list(project.claims.all())
    actors = list(project.actors.all())
    made = []
    coders = Annotation.objects.filter(article__project=project).select_related("article")
    for n, passage in enumerate(coders.order_by("pk")):
        if n % every:
            continue
        claim = rng.choice([None, *claims])
        made.append(
            create_annotation(
                article=passage.article,
                annotator=adjudicator,
                start=passage.start,
                end=passage.end,
                tags=rng.sample(tags, rng.randint(0, 2)),
                claim=claim,
                speaker=rng.choice([None, *actors]),
                target=rng.choice([None, *actors]),
                voice=rng.choice(["", "own", "reported"]) if claim else "",
                position=rng.choice(["", "supports", "disputes"]) if claim else "",
                note=f"adjudicated {n}",
                layer=Layer.GOLD,
            )
        )
        Adjudication.objects.get_or_create(article=passage.article)
    return made


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/zip"):
        archive = zipfile.ZipFile(io.BytesIO(content))
        return "\n".join(f"{n}:{archive.read(n).decode()}" for n in sorted(archive.namelist()))
    return _GOLD_APART.sub("", _VOLATILE.sub(r"\1…", content.decode()))


def _everything(client, project) -> dict[str, str]:
    """What every screen and export of the project shows on the default layer."""
    slug = project.slug
    article = project.articles.order_by("pk").first()
    claim = project.claims.order_by("pk").first()
    actor = project.actors.order_by("pk").first()
    tag = project.tags.order_by("pk").first()
    story = project.stories.order_by("pk").first()
    two = [str(pk) for pk in project.articles.order_by("pk").values_list("pk", flat=True)[:2]]
    pages = {
        "home": ("corpus:home", []),
        "story": ("corpus:story", [story.pk]),
        "reader": ("annotations:reader", [article.pk]),
        "codebook": ("annotations:codebook", []),
        "actors": ("annotations:actors", []),
        "claims": ("annotations:claims", []),
        "compare": ("analysis:compare", []),
        "compare-claims": ("analysis:compare", [], {"rows": "claims", "count": "distinct"}),
        "matrix-actors": ("analysis:matrix", [], {"rows": "actors"}),
        # Tag links ask for the coders' layer as "not an adjudicated passage".
        "matrix-tags": ("analysis:matrix", [], {"rows": "tags"}),
        "matrix-tags-distinct": ("analysis:matrix", [], {"rows": "tags", "count": "distinct"}),
        "compare-one-tag": ("analysis:compare", [], {"tag": tag.pk}),
        "table": ("analysis:comparison-csv", [], {"rows": "claims"}),
        "charts": ("analysis:charts", []),
        "timeline": ("analysis:chart-file", ["timeline", "csv"]),
        "voices": ("analysis:chart-file", ["voices", "csv"]),
        "claim": ("analysis:claim", [claim.pk]),
        "actor": ("analysis:actor", [actor.pk]),
        "search": ("analysis:search", [], {"q": "the"}),
        "side-by-side": ("analysis:side-by-side", [], {"a": two}),
        "agreement": ("analysis:agreement", []),
        "agreement-csv": ("analysis:agreement-csv", []),
        "agreement-tag": ("analysis:agreement-tag", [tag.pk]),
        "tag-candidates": ("analysis:tag-candidates", [tag.pk]),
        "claim-candidates": ("analysis:claim-candidates", [claim.pk]),
        "csv": ("analysis:annotations-csv", []),
        "csv-long": ("analysis:annotations-csv", [], {"format": "long"}),
        "jsonld": ("analysis:annotations-jsonld", []),
        "codebook-csv": ("analysis:codebook-csv", []),
        "articles-csv": ("analysis:articles-csv", []),
        "qdpx": ("analysis:project-qdpx", []),
    }
    shown = {}
    for key, (name, args, *params) in pages.items():
        response = client.get(reverse(name, args=[slug, *args]), *(params or [{}]))
        assert response.status_code == 200, key
        shown[key] = _body(response)
    user = project.memberships.get(role="viewer").user
    _, secret = create_token(user=user, name="layer")
    for key, path in (("api", "annotations"), ("api-articles", "articles")):
        response = client.get(
            f"/api/v1/projects/{slug}/{path}", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        shown[key] = response.content.decode()
    return shown


def test_gold_passages_change_nothing_on_the_coders_layer(client, generated):
    before = _everything(client, generated)
    made = add_gold(generated)
    assert len(made) > 50
    after = _everything(client, generated)
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []


def test_the_layers_split_the_annotations_between_them(client, generated):
    gold = add_gold(generated)
    coders = _export_rows(client, generated)
    adjudicated = _export_rows(client, generated, layer="gold")
    assert len(adjudicated) == len(gold)
    assert {row["annotation_id"] for row in adjudicated} == {str(a.pk) for a in gold}
    assert len(coders) + len(gold) == Annotation.objects.filter(article__project=generated).count()
    ids = {row["annotation_id"] for row in coders}
    assert not ids & {row["annotation_id"] for row in adjudicated}


@pytest.mark.parametrize("view", ["analysis:compare", "analysis:matrix"])
@pytest.mark.parametrize("dimension", ["tags", "claims", "actors"])
def test_on_the_gold_layer_every_number_equals_the_export(client, generated, view, dimension):
    add_gold(generated)
    story = generated.stories.order_by("pk").first()
    for filters in ({"layer": "gold"}, {"layer": "gold", "story": story.pk}):
        shown = _screen_counts(client, generated, view, dimension, **filters)
        assert shown == _csv_counts(client, generated, dimension, **filters), filters
        assert shown != _screen_counts(client, generated, view, dimension)  # not the coders'
    assert sum(shown.values()) > 0


def test_on_the_gold_layer_the_summary_charts_and_claim_page_equal_the_export(client, generated):
    add_gold(generated)
    params = {"layer": "gold"}
    exported = _export_rows(client, generated, **params)
    page = client.get(reverse("analysis:compare", args=[generated.slug]), params).text
    assert f"<strong>{len(exported)}</strong> annotation" in page
    assert "in the adjudicated layer" in page and "Adjudicated passages only" in page
    voices = _chart(client, generated, "voices", **params)
    with_claim = [r for r in exported if r["claim"]]
    assert sum(int(r["passages"]) for r in voices) == len(with_claim)
    for row in voices:
        mine = [r for r in with_claim if _restore(r["source"]) == row["outlet"]]
        assert int(row["reporting"]) == sum(r["voice"] == "reported" for r in mine)
    claim = Counter(r["claim"] for r in with_claim).most_common(1)[0][0]
    claim_pk = generated.claims.get(text=_restore(claim)).pk
    rows = _export_rows(client, generated, claim=claim_pk, **params)
    page = client.get(reverse("analysis:claim", args=[generated.slug, claim_pk]), params).text
    assert f"{len(rows)} passage{'s' if len(rows) != 1 else ''} " in page
    words = {**params, "q": "the"}
    search = client.get(reverse("analysis:search", args=[generated.slug]), words).text
    found = len(_export_rows(client, generated, **words))
    assert found and f"<strong>{found}</strong> passage" in search


def _chart(client, project, name, **params) -> list[dict]:
    url = reverse("analysis:chart-file", args=[project.slug, name, "csv"])
    response = client.get(url, {**params, "bom": "0"})
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_api_pages_on_the_gold_layer_are_the_export(client, generated):
    gold = add_gold(generated)
    viewer = generated.memberships.get(role="viewer").user
    _, secret = create_token(user=viewer, name="gold")
    response = client.get(
        f"/api/v1/projects/{generated.slug}/annotations",
        {"layer": "gold", "limit": 500},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
    assert sorted(r["annotation_id"] for r in response.json()["results"]) == sorted(
        a.pk for a in gold
    )


def test_on_the_demo_the_adjudicated_bbc_article_is_compared_on_its_own_layer(
    client, db, demo_project
):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    for dimension in ("tags", "claims"):
        shown = _screen_counts(client, demo_project, "analysis:compare", dimension, layer="gold")
        assert shown == _csv_counts(client, demo_project, dimension, layer="gold")
        assert {outlet for _, outlet in shown} == {"BBC News"}
    page = client.get(reverse("analysis:matrix", args=[demo_project.slug]), {"layer": "gold"})
    assert "1 of the 5 articles of this selection is adjudicated" in page.text


def test_passages_on_the_gold_layer_link_to_the_adjudicated_page(client, db, demo_project):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    page = client.get(reverse("analysis:compare", args=[demo_project.slug]), {"layer": "gold"})
    links = set(re.findall(r'href="(/p/[^"#]+)#h\d+"', page.text))
    assert links and all(link.endswith("/adjudicated/") for link in links)
    gold = Annotation.objects.filter(layer=Layer.GOLD).first()
    assert gold.get_absolute_url().endswith(f"/adjudicated/#h{gold.pk}")


def test_the_agreement_compares_the_coders_whatever_the_layer_asked(client, db, demo_project):
    client.force_login(demo_project.memberships.get(role="viewer").user)
    url = reverse("analysis:agreement-csv", args=[demo_project.slug])
    coders = b"".join(client.get(url).streaming_content)
    asked = b"".join(client.get(url, {"layer": "gold"}).streaming_content)
    assert coders == asked
    page = client.get(reverse("analysis:agreement", args=[demo_project.slug])).text
    assert 'name="layer"' not in page  # the bar offers no layer there


def test_the_qdpx_of_the_gold_layer_holds_its_passages(client, generated):
    gold = add_gold(generated)
    url = reverse("analysis:project-qdpx", args=[generated.slug])
    response = client.get(url, {"layer": "gold"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    project = archive.read("project.qde").decode()
    assert project.count("<PlainTextSelection ") == len(gold)
    assert 'name="judge"' in project  # their coder is the adjudicator
