"""The claim candidates measured on a generated corpus with planted paraphrases, where
the right answer is known everywhere (``fixtures/claim_candidates/planted.json``).

The corpus: new outlets, each with a few articles made of the demo's sentences that
carry none of its claims (every sentence overlapping a passage of
``fixtures/claim_candidates/demo.json`` or a coded passage is left out). They are about
the same war, the same people and the same places: the hardest distractors there are.
Into them go, one per article and in different outlets, three hand-written paraphrases
of each demo claim (close to its words, further, and in other words altogether) and a
near miss (its words, another meaning). The demo's own coded passages are the claims'
profiles, as when an analyst asks for candidates in outlets nobody has coded yet.

Per claim:
- **in its outlet**: of the claim's paraphrases, how many are in their outlet's list of
  candidates (what the analyst sees under "not in X");
- **recall@5 / precision@5** over the five best candidates across the new outlets; a
  paraphrase of a claim under it counts as right too (an umbrella claim stands for its
  subtree);
- **absent said**: of the new outlets where nothing carries the claim, how many the
  screen calls "no candidate" (the rest show a wrong candidate);
- **false blind spots**: new outlets that do carry the claim (a paraphrase of it or of
  a claim under it) and that the screen calls "no candidate": the worst mistake, an
  absence published that is not one;
- **near misses shown**: near misses of any claim among its candidates.

Everything is written in a transaction that is rolled back."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.analysis import candidates
from apps.annotations import trees
from apps.annotations.models import Annotation, Claim
from apps.corpus import text as canonical_text
from apps.corpus.models import Article, Source, SourceKind
from apps.corpus.sentences import sentence_spans
from apps.projects.models import Project
from apps.sampledata.candidates_eval import EVAL_FILE, K
from apps.sampledata.demo import read_corpus

PLANTED_FILE = Path(settings.BASE_DIR) / "fixtures" / "claim_candidates" / "planted.json"
_KINDS = ("close", "further", "other words")


@dataclass
class Plant:
    claim: int
    kind: str  # one of _KINDS, or "near miss"
    article: int
    source: int
    start: int
    end: int

    def overlaps(self, c: candidates.Candidate) -> bool:
        return c.article.pk == self.article and c.start < self.end and self.start < c.end


@dataclass
class PlantedScore:
    claim: str
    planted: int
    in_outlet: int
    right: int  # of the top K, overlapping a paraphrase of the claim or under it
    shown: int  # the top K's size
    found: int  # paraphrases of the claim or under it overlapped by the top K
    gold: int
    clean: int  # new outlets where nothing carries the claim
    absent_said: int  # of those, said to have no candidate
    false_blind_spots: list[str]  # the paraphrases' kinds where a carrier says "none"
    near_misses: int

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.right / self.shown if self.shown else None


def evaluate_planted(
    project: Project, *, outlets: int = 12, articles_per_outlet: int = 6, seed: int = 1
) -> list[PlantedScore]:
    """Plant, find and score, then roll everything back."""
    with transaction.atomic():
        claims, plants, articles = _plant(
            project, outlets=outlets, per_outlet=articles_per_outlet, seed=seed
        )
        scores = [_score(claim, plants, articles) for claim in claims]
        transaction.set_rollback(True)
    return scores


def _filler(project: Project) -> list[str]:
    """The demo's sentences that carry none of its claims, as far as the hand-read set
    and the coded passages say."""
    carrying: dict[int, list[tuple[int, int]]] = {}
    articles = {a.title: a for a in project.articles.all()}
    keys = {row["key"]: row["title"] for row in read_corpus()["articles"]}
    for entry in json.loads(EVAL_FILE.read_text(encoding="utf-8")):
        for passage in entry["passages"]:
            article = articles[keys.get(passage["article"], passage["article"])]
            start = article.text.index(passage["quote"])
            carrying.setdefault(article.pk, []).append((start, start + len(passage["quote"])))
    coded = Annotation.objects.filter(article__project=project, claim__isnull=False)
    for pk, start, end in coded.values_list("article_id", "start", "end"):
        carrying.setdefault(pk, []).append((start, end))
    sentences = []
    for article in articles.values():
        spans = carrying.get(article.pk, [])
        for start, end in sentence_spans(article.text):
            if end - start > 40 and not any(s < end and start < e for s, e in spans):
                sentences.append(article.text[start:end])
    return sorted(set(sentences))


def _plant(
    project: Project, *, outlets: int, per_outlet: int, seed: int
) -> tuple[list[Claim], list[Plant], list[int]]:
    rng = random.Random(seed)
    filler = _filler(project)
    entries = json.loads(PLANTED_FILE.read_text(encoding="utf-8"))
    claims = [Claim.objects.get(project=project, text=entry["claim"]) for entry in entries]
    sources = [
        Source.objects.create(
            name=f"Planted outlet {n:02d}", kind=SourceKind.values[n % len(SourceKind.values)]
        )
        for n in range(outlets)
    ]
    # Each sentence to plant gets an article of its own, in outlets spread at random.
    slots = [(s, i) for s in range(outlets) for i in range(per_outlet)]
    rng.shuffle(slots)
    wanted: dict[tuple[int, int], tuple[Claim, str, str]] = {}
    for claim, entry in zip(claims, entries, strict=True):
        used = set()
        sentences = [*zip(_KINDS, entry["paraphrases"], strict=True)]
        sentences += [("near miss", s) for s in entry["near_misses"]]
        for kind, sentence in sentences:
            slot = next(x for x in slots if x not in wanted and x[0] not in used)
            used.add(slot[0])  # a claim's sentences in different outlets
            wanted[slot] = (claim, kind, sentence)
    plants, made = [], []
    for s, source in enumerate(sources):
        for i in range(per_outlet):
            paragraphs = [
                " ".join(rng.sample(filler, rng.randint(1, 3))) for _ in range(rng.randint(6, 10))
            ]
            plant = wanted.get((s, i))
            if plant:
                paragraphs.insert(rng.randrange(len(paragraphs) + 1), plant[2])
            article = Article(project=project, source=source, title=f"Planted {s:02d}-{i}")
            article.set_text(canonical_text.canonicalize("\n\n".join(paragraphs)))
            article.save()
            made.append(article.pk)
            if plant:
                start = article.text.index(plant[2])
                plants.append(
                    Plant(
                        plant[0].pk, plant[1], article.pk, source.pk, start, start + len(plant[2])
                    )
                )
    return claims, plants, made


def _score(claim: Claim, plants: list[Plant], articles: list[int]) -> PlantedScore:
    under = set(trees.subtree_ids(Claim.objects.filter(project_id=claim.project_id), claim.pk))
    gold = [p for p in plants if p.claim in under and p.kind != "near miss"]
    own = [p for p in gold if p.claim == claim.pk]
    found = candidates.find(claim, Article.objects.filter(pk__in=articles), user=None)
    by_outlet = {o.source.pk: o for o in found.outlets}
    shown = [c for o in found.outlets for c in o.candidates]
    best = sorted(shown, key=lambda c: (-c.score, c.article.pk, c.start))[:K]
    carrying = {p.source for p in gold}
    clean = [o for o in found.outlets if o.source.pk not in carrying]
    misses = [p for p in plants if p.kind == "near miss"]
    return PlantedScore(
        claim=claim.text,
        planted=len(own),
        in_outlet=sum(any(p.overlaps(c) for c in by_outlet[p.source].candidates) for p in own),
        right=sum(any(p.overlaps(c) for p in gold) for c in best),
        shown=len(best),
        found=sum(any(p.overlaps(c) for c in best) for p in gold),
        gold=len(gold),
        clean=len(clean),
        absent_said=sum(o.state == "none" for o in clean),
        false_blind_spots=[p.kind for p in gold if by_outlet[p.source].state == "none"],
        near_misses=sum(any(p.overlaps(c) for c in shown) for p in misses),
    )


def planted_table(scores: list[PlantedScore]) -> str:
    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = [
        f"| claim | in its outlet's list | recall@{K} | precision@{K} | absent said "
        "| false blind spots | near misses shown |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(
            f"| {s.claim} | {s.in_outlet} of {s.planted} | {cell(s.recall)} | "
            f"{cell(s.precision)} | {s.absent_said} of {s.clean} | {len(s.false_blind_spots)} | "
            f"{s.near_misses} |"
        )
    recalls = [s.recall for s in scores if s.recall is not None]
    precisions = [s.precision for s in scores if s.precision is not None]
    lines.append(
        f"| **all** | {sum(s.in_outlet for s in scores)} of {sum(s.planted for s in scores)} | "
        f"{cell(sum(recalls) / len(recalls) if recalls else None)} | "
        f"{cell(sum(precisions) / len(precisions) if precisions else None)} | "
        f"{sum(s.absent_said for s in scores)} of {sum(s.clean for s in scores)} | "
        f"{sum(len(s.false_blind_spots) for s in scores)} | "
        f"{sum(s.near_misses for s in scores)} |"
    )
    return "\n".join(lines)
