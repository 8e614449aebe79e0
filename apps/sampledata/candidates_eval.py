"""How well ``analysis.candidates`` finds a claim where nobody has coded it: recall@5
and precision@5 per claim, against the passages read by hand in
``fixtures/claim_candidates/demo.json`` (its README says how it was made).

The gold passages of a claim are those not coded with it. Those listed under an
umbrella claim because they carry one of its children (their note says "Child claim")
are left out: the candidates of a claim leave out what is coded under it, and an
umbrella is judged by its own words. A candidate is right when it overlaps a gold
passage; the top five are the five best scores across all outlets."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from apps.analysis import candidates
from apps.annotations.models import Claim
from apps.projects.models import Project
from apps.sampledata.demo import read_corpus

EVAL_FILE = Path(settings.BASE_DIR) / "fixtures" / "claim_candidates" / "demo.json"
K = 5


@dataclass
class ClaimScore:
    claim: str
    gold: int  # passages carrying the claim that are not coded with it
    candidates: int  # returned in the top K
    right: int  # of those, overlapping a gold passage
    found: int  # gold passages overlapped by a top-K candidate
    ms: float

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.right / self.candidates if self.candidates else None


def evaluate(project: Project, path: Path = EVAL_FILE) -> list[ClaimScore]:
    titles = {row["key"]: row["title"] for row in read_corpus()["articles"]}
    articles = {article.title: article for article in project.articles.all()}
    scores = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        claim = Claim.objects.get(project=project, text=entry["claim"])
        gold = []
        for passage in entry["passages"]:
            if passage["coded"] or passage["note"].startswith("Child claim"):
                continue
            article = articles[titles.get(passage["article"], passage["article"])]
            start = article.text.index(passage["quote"])
            gold.append((article.pk, start, start + len(passage["quote"])))
        began = time.perf_counter()
        found = candidates.find(claim, project.articles.all(), user=None)
        ms = (time.perf_counter() - began) * 1000
        best = sorted(
            (c for outlet in found.outlets for c in outlet.candidates),
            key=lambda c: (-c.score, c.article.pk, c.start),
        )[:K]

        def overlaps(c, pk: int, start: int, end: int) -> bool:
            return c.article.pk == pk and c.start < end and start < c.end

        scores.append(
            ClaimScore(
                claim=claim.text,
                gold=len(gold),
                candidates=len(best),
                right=sum(any(overlaps(c, *g) for g in gold) for c in best),
                found=sum(any(overlaps(c, *g) for c in best) for g in gold),
                ms=ms,
            )
        )
    return scores


def table(scores: list[ClaimScore]) -> str:
    """The scores as a Markdown table, with the means of the defined values."""

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = [
        f"| claim | gold | recall@{K} | precision@{K} |",
        "|---|---:|---:|---:|",
        *(f"| {s.claim} | {s.gold} | {cell(s.recall)} | {cell(s.precision)} |" for s in scores),
    ]
    recalls = [s.recall for s in scores if s.recall is not None]
    precisions = [s.precision for s in scores if s.precision is not None]
    mean_r = sum(recalls) / len(recalls) if recalls else None
    mean_p = sum(precisions) / len(precisions) if precisions else None
    lines.append(f"| **mean** | {sum(s.gold for s in scores)} | {cell(mean_r)} | {cell(mean_p)} |")
    return "\n".join(lines)
