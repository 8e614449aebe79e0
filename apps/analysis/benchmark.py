"""Timing of the product's hot paths through the full Django stack (test client).

Each operation runs a few times to warm up, then ``runs`` times timed; we report the
median and the 95th percentile, and the queries one request makes. Figures are for
information: nothing here is asserted, so the benchmark never makes CI flaky.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from apps.corpus.synthetic import generate_corpus

SCALES = {
    # articles, sources, annotations in the project
    "small": (200, 10, 2_000),
    "large": (2_000, 30, 20_000),
}
HEAVY = (10, 200, 1000)


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


def _measure(name: str, request: Callable[[], object], *, runs: int, warmup: int) -> Result:
    for _ in range(warmup):
        request()
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        response = request()
        timings.append((time.perf_counter() - began) * 1000)
        if getattr(response, "status_code", 200) >= 400:
            raise RuntimeError(f"{name} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        request()
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(name, runs, statistics.median(timings), p95, len(queries))


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
    analyst = project.memberships.filter(role="analyst").first().user
    client = Client()
    client.force_login(analyst)

    results = []
    for count, article in corpus.heavy_articles.items():
        url = reverse("annotations:reader", args=[project.slug, article.pk])
        results.append(
            _measure(
                f"reader, {count} annotations",
                lambda url=url: client.get(url),
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
    article = project.articles.order_by("-pk").first()
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
    return results


def as_json(results: list[Result]) -> list[dict]:
    return [asdict(r) for r in results]
