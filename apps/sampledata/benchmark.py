"""Timing of the product's hot paths through the full Django stack (test client).

Each operation runs a few times to warm up, then ``runs`` times timed; we report the
median and the 95th percentile, and the queries one request makes. Figures are for
information: nothing here is asserted, so the benchmark never makes CI flaky.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from apps.accounts.tokens import create_token
from apps.annotations.anchoring import revise_article
from apps.annotations.models import Annotation
from apps.sampledata.synthetic import generate_corpus

SCALES = {
    # articles, sources, annotations in the project
    "small": (200, 10, 2_000),
    "large": (2_000, 30, 20_000),
    "xl": (10_000, 30, 200_000),
}
HEAVY = (10, 100, 200, 1000)


@dataclass
class Result:
    operation: str
    runs: int
    median_ms: float
    p95_ms: float
    queries: int

    def row(self) -> str:
        return (
            f"{self.operation:<34} {self.median_ms:9.1f} {self.p95_ms:9.1f} "
            f"{self.queries:8d} {self.runs:6d}"
        )


def p95(timings: list[float]) -> float:
    """The 95th percentile of ``timings`` (the nearest rank; the largest below 20)."""
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _measure(
    name: str,
    request: Callable[[], Any],
    *,
    runs: int,
    warmup: int,
    after: Callable[[], Any] = lambda: None,
) -> Result:
    """``request`` timed ``runs`` times; ``after`` each, untimed (to undo what it did)."""
    for _ in range(warmup):
        request()
        after()
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        response = request()
        timings.append((time.perf_counter() - began) * 1000)
        after()
        if getattr(response, "status_code", 200) >= 400:
            raise RuntimeError(f"{name} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        request()
    after()
    return Result(name, runs, statistics.median(timings), p95(timings), len(queries))


@override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
def run_benchmark(*, scale: str, runs: int, warmup: int = 3, log=print) -> list[Result]:
    articles, sources, annotations = SCALES[scale]
    slug = f"bench-{scale}"
    log(f"Generating {articles} articles, {annotations} annotations ({slug})…")
    began = time.perf_counter()
    corpus = generate_corpus(
        project_slug=slug,
        articles=articles,
        sources=sources,
        annotations=annotations,
        seed=7,
        heavy=HEAVY,
    )
    log(f"  generated in {time.perf_counter() - began:.1f} s")
    project = corpus.project
    analyst = project.memberships.filter(role="analyst").order_by("pk")[0].user
    # As a web worker does once started (config/wsgi.py): what is loaded by now is left
    # out of the garbage collector's full collections.
    gc.collect()
    gc.freeze()
    client = Client()
    client.force_login(analyst)

    results = []
    for count, article in corpus.heavy_articles.items():
        url = reverse("annotations:reader", args=[project.slug, article.pk])
        results.append(
            _measure(
                f"reader, {count} annotations",
                partial(client.get, url),
                runs=runs,
                warmup=warmup,
            )
        )
    results.append(
        _measure(
            "project home",
            lambda: client.get(project.get_absolute_url()),
            runs=max(5, runs // 4),
            warmup=1,
        )
    )

    # A light article, so the heavy ones keep their counts across runs.
    article = project.articles.order_by("-pk")[0]
    create_url = reverse("annotations:create", args=[project.slug, article.pk])
    quote = article.text[5:60]
    tags = list(project.tags.values_list("pk", flat=True)[:2])

    def create():
        return client.post(
            create_url,
            {
                "start": 5,
                "end": 60,
                "quote": quote,
                "text_hash": article.content_hash,
                "client_token": str(uuid.uuid4()),
                "tags": tags,
                "note": "benchmark",
            },
        )

    results.append(_measure("create annotation", create, runs=runs, warmup=warmup))

    # As the reader posts it (htmx, from the page), on the article with 100 annotations;
    # each new one is deleted straight after, so the article keeps its count.
    busy = corpus.heavy_articles[100]
    busy_url = reverse("annotations:create", args=[project.slug, busy.pk])
    page = "http://testserver" + reverse("annotations:reader", args=[project.slug, busy.pk])

    # The ids the page's list shows, as its script sends them (each run's new one goes).
    listed = ",".join(str(pk) for pk in busy.annotations.values_list("pk", flat=True))

    def create_in_page():
        form = {"start": 5, "end": 60, "quote": busy.text[5:60], "listed": listed}
        form |= {"text_hash": busy.content_hash, "client_token": str(uuid.uuid4())}
        form |= {"tags": tags, "note": "benchmark, in the page"}
        return client.post(busy_url, form, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)

    def remove_it():
        Annotation.objects.filter(article=busy, note="benchmark, in the page").delete()

    results.append(
        _measure(
            "create, htmx, 100 on the page",
            create_in_page,
            runs=runs,
            warmup=warmup,
            after=remove_it,  # untimed: the browser's post is what is measured
        )
    )

    mine = list(
        Annotation.objects.filter(article=article, annotator=analyst).values_list("pk", "version")
    )
    versions = dict(mine)
    edit_id = mine[0][0]
    edit_url = reverse("annotations:edit", args=[project.slug, edit_id])

    def edit():
        response = client.post(
            edit_url, {"version": versions[edit_id], "note": "edited", "tags": tags}
        )
        versions[edit_id] += 1
        return response

    results.append(_measure("edit annotation", edit, runs=runs, warmup=warmup))
    doomed = iter([pk for pk, _ in mine[1:]])

    def delete():
        url = reverse("annotations:delete", args=[project.slug, next(doomed)])
        return client.post(url)

    deletions = max(1, min(runs, len(mine) - 1 - warmup))
    results.append(_measure("delete annotation", delete, runs=deletions, warmup=min(warmup, 1)))

    heavy = corpus.heavy_articles[1000]

    def reanchor():
        # (Annotation counts stay; the reader figures above were taken before this.)
        # Each run puts a new first paragraph and changes a word: every annotation moves.
        heavy.refresh_from_db()
        revise_article(
            article=heavy,
            new_text=f"Editor's note {uuid.uuid4()}.\n\n" + heavy.text.replace(" the ", " a ", 1),
            author=None,
            reason="benchmark",
        )

    results.append(
        _measure("re-anchor 1,000 annotations", reanchor, runs=max(3, runs // 10), warmup=1)
    )

    story = project.stories.order_by("pk")[0]
    compare_url = reverse("analysis:compare", args=[project.slug]) + f"?story={story.pk}"
    matrix_url = reverse("analysis:matrix", args=[project.slug])
    claim = project.claims.order_by("pk")[0]
    actor = project.actors.order_by("pk")[0]
    heavy_runs = max(5, runs // 3)
    two_tags = "&".join(
        f"tag={pk}" for pk in project.tags.order_by("pk").values_list("pk", flat=True)[:2]
    )
    whole = reverse("analysis:compare", args=[project.slug])
    for name, url in (
        (f"story comparison ({story.articles.count()} articles)", compare_url),
        ("story comparison, claims × kinds", compare_url + "&rows=claims&group=kind"),
        (
            "story comparison, 2 tags (all) + voice",
            f"{compare_url}&{two_tags}&tag_mode=all&voice=reported",
        ),
        ("story comparison by month", compare_url + "&group=month"),
        ("comparison by month, whole project", whole + "?group=month"),
        ("matrix, positions × weeks", matrix_url + "?rows=positions&group=week"),
        ("matrix, whole project", matrix_url),
        ("matrix, speakers", matrix_url + "?rows=actors"),
        ("claim page", reverse("analysis:claim", args=[project.slug, claim.pk])),
        ("actor page", reverse("analysis:actor", args=[project.slug, actor.pk])),
    ):
        results.append(_measure(name, partial(client.get, url), runs=heavy_runs, warmup=1))

    search_url = reverse("analysis:search", args=[project.slug])
    for name, words in (
        ("search, one word", "Kerry"),
        ("search, two words", "Russia ceasefire"),
        ("search, a phrase", '"the United States"'),
        ("search, a beginning", "sanct*"),
    ):
        request = partial(client.get, search_url, {"q": words})
        results.append(_measure(name, request, runs=heavy_runs, warmup=1))

    # The read-only API: the first page of 500 annotations, as a notebook asks for it.
    _, secret = create_token(user=analyst, name="benchmark")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    api_url = reverse("api-v1:annotation_list", args=[project.slug])
    with override_settings(API_RATE_LIMIT="1000000/min"):  # measured, not limited
        for name, query in (("API page of 500 annotations", ""), ("  … JSON-LD", "&format=jsonld")):
            request = partial(api.get, f"{api_url}?page_size=500{query}")
            results.append(_measure(name, request, runs=runs, warmup=warmup))

    # The whole project's annotations, downloaded (the streamed body read to the end).
    export_url = reverse("analysis:annotations-csv", args=[project.slug])

    def download(query: str = "") -> Any:
        response: Any = client.get(export_url + query)
        for _ in response.streaming_content:
            pass
        return response

    total = Annotation.objects.filter(article__project=project).count()
    for name, query in (
        (f"export CSV, {total:,} annotations", ""),
        ("  … long form", "?format=long"),
    ):
        results.append(_measure(name, partial(download, query), runs=heavy_runs, warmup=1))
    return results


def as_json(results: list[Result]) -> list[dict]:
    return [asdict(r) for r in results]
