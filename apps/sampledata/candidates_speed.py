"""How long ``analysis.candidates.find`` takes over a whole project: the claim coded
most, the claim coded least, and the tag with the most tags under it, each over every
article of the project, as the comparison's "not in X" link asks for them.

    manage.py evaluate_candidates --speed bench-xl --runs 10

(after ``manage.py generate_corpus --project bench-xl --articles 10000 --sources 30
--annotations 200000 --seed 7``). One run first, not counted (the first reads of the
tables); then the median and 95th percentile of ``runs``."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass

from django.db.models import Count

from apps.analysis import candidates
from apps.annotations.models import Claim, Tag
from apps.projects.models import Project
from apps.sampledata.benchmark import p95


@dataclass
class Timing:
    target: str
    coded: int  # passages coded with it or under it
    median_ms: float
    p95_ms: float
    searched: int  # articles read
    candidates: int


def targets(project: Project) -> list[tuple[str, Claim | Tag]]:
    claims = list(project.claims.annotate(n=Count("annotations")).order_by("-n", "pk"))
    tag = project.tags.annotate(n=Count("children")).order_by("-n", "pk").first()
    found: list[tuple[str, Claim | Tag]] = []
    if claims:
        found.append(("the claim coded most", claims[0]))
        found.append(("the claim coded least", claims[-1]))
    if tag is not None:
        found.append(("the tag with the most tags right under it", tag))
    return found


def time_find(project: Project, *, runs: int = 10) -> list[Timing]:
    articles = project.articles.all()
    # As a web worker does once started (config/wsgi.py): what is loaded by now is left
    # out of the garbage collector's full collections.
    gc.collect()
    gc.freeze()
    try:
        chosen = targets(project)
        timings = [_timed(label, target, articles, runs) for label, target in chosen]
        if chosen and isinstance(claim := chosen[0][1], Claim):
            # A comparison row's note asks about the outlets of its empty columns only.
            outlets = project.articles.order_by().values("source_id").distinct()[:5]
            few = articles.filter(source_id__in=[row["source_id"] for row in outlets])
            label = "a comparison row's note on 5 outlets, the claim coded most"
            timings.append(_timed(label, claim, few, runs))
        return timings
    finally:
        gc.unfreeze()


def _timed(label: str, target: Claim | Tag, articles, runs: int) -> Timing:
    found = candidates.find(target, articles, user=None)  # the first, not counted
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        found = candidates.find(target, articles, user=None)
        spent.append((time.perf_counter() - began) * 1000)
    return Timing(
        target=f"{label}: {target}",
        coded=sum(outlet.coded for outlet in found.outlets),
        median_ms=statistics.median(spent),
        p95_ms=p95(spent),
        searched=found.searched,
        candidates=found.count,
    )


def speed_table(timings: list[Timing], vendor: str) -> str:
    lines = [
        f"{vendor}",
        "| target | coded | articles read | candidates | median ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.target} | {t.coded:,} | {t.searched} | {t.candidates} "
            f"| {t.median_ms:.0f} | {t.p95_ms:.0f} |"
        )
    return "\n".join(lines) + "\n"
