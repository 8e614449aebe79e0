"""A double-coded corpus with known disagreement, and the agreement benchmark on it.

Each article gets a few "true" passages (whole sentences, with tags, a claim, a speaker
and a stance); each coder copies them with noise: a passage missed, its span moved by a
few characters, a tag, claim, speaker or position changed, a passage of their own added,
or the whole article left uncoded. With ``noise=0`` every coder codes every article the
same, so every coefficient is 1. Everything is bulk-inserted.

    DEBUG=true DATABASE_URL=... .venv/bin/python manage.py shell -c \\
        "from apps.sampledata.agreement_bench import main; main()"
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from apps.accounts.models import User
from apps.analysis.agreement import measure_agreement
from apps.analysis.forms import Selection
from apps.annotations.annotating import CONTEXT_LENGTH
from apps.annotations.models import (
    Actor,
    Annotation,
    AnnotationTag,
    Claim,
    Position,
    Tag,
    Voice,
)
from apps.coding.models import Assignment
from apps.corpus.models import Article, Source, Story
from apps.corpus.sentences import sentence_spans
from apps.projects.models import Membership, Project, Role
from apps.sampledata.benchmark import p95
from apps.sampledata.synthetic import _article_text, _sentences


@dataclass
class DoubleCoded:
    project: Project
    story: Story
    coders: list[User]
    tags: list[Tag]


@dataclass
class _Coding:
    start: int
    end: int
    tags: list[Tag]
    claim: Claim | None
    speaker: Actor | None
    voice: str
    position: str


@transaction.atomic
def generate_double_coded(
    *,
    project_slug: str,
    articles: int = 200,
    coders: int = 3,
    tags: int = 20,
    outlets: int = 5,
    passages: int = 6,
    noise: float = 0.2,
    seed: int = 1,
) -> DoubleCoded:
    """A project of ``articles`` articles in one story, each coded by ``coders`` coders
    (most of them: with noise, a coder leaves one article in twenty uncoded)."""
    rng = random.Random(seed)
    sentences = _sentences()
    project = Project.objects.create(name=f"Double-coded {project_slug}", slug=project_slug)
    users = []
    for n in range(coders):
        user = User.objects.create(username=f"{project_slug}-coder-{n}")
        Membership.objects.create(project=project, user=user, role=Role.ANALYST)
        users.append(user)
    roots = max(1, tags // 4)
    codebook: list[Tag] = []
    for n in range(tags):
        parent = codebook[n % roots] if n >= roots else None
        codebook.append(
            Tag.objects.create(project=project, name=f"code {n:02d}", parent=parent, position=n)
        )
    claims = [Claim.objects.create(project=project, text=f"Claim {n:02d}") for n in range(8)]
    actors = [Actor.objects.create(project=project, name=f"Actor {n:02d}") for n in range(12)]
    sources = [
        Source.objects.get_or_create(name=f"{project_slug} outlet {n}")[0] for n in range(outlets)
    ]
    made = []
    for n in range(articles):
        article = Article(
            project=project,
            source=sources[n % len(sources)],
            title=f"Double-coded article {n}",
            url=f"https://example.org/{project_slug}/{n}",
        )
        article.set_text(_article_text(rng, sentences, n))
        made.append(article)
    made = Article.objects.bulk_create(made, batch_size=500)
    story = Story.objects.create(project=project, name="Double-coded story")
    story.articles.add(*made)
    rows: list[Annotation] = []
    tag_rows: list[list[Tag]] = []
    for article in made:
        truth = _truth(rng, article.text, passages, codebook, claims, actors)
        for user in users:
            if noise and rng.random() < noise / 4:
                continue  # this coder left the article uncoded
            for coding in _copy(rng, article.text, truth, noise, codebook, claims, actors):
                rows.append(_annotation(article, user, coding))
                tag_rows.append(coding.tags)
    saved = Annotation.objects.bulk_create(rows, batch_size=2000)
    AnnotationTag.objects.bulk_create(
        [
            AnnotationTag(annotation_id=a.pk, tag_id=t.pk, article_id=a.article_id)
            for a, chosen in zip(saved, tag_rows, strict=True)
            for t in chosen
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics after a bulk load
    return DoubleCoded(project=project, story=story, coders=users, tags=codebook)


def _truth(rng, text, passages, codebook, claims, actors) -> list[_Coding]:
    spans = sentence_spans(text)
    found = []
    for start, end in sorted(rng.sample(spans, min(passages, len(spans)))):
        claim = rng.choice(claims) if rng.random() < 0.6 else None
        found.append(
            _Coding(
                start,
                end,
                rng.sample(codebook, rng.randint(1, 2)),
                claim,
                rng.choice(actors) if rng.random() < 0.7 else None,
                rng.choice(Voice.values) if claim else "",
                rng.choice(Position.values) if claim else "",
            )
        )
    return found


def _copy(rng, text, truth, noise, codebook, claims, actors) -> list[_Coding]:
    """One coder's version of the true passages."""
    copied = []
    for true in truth:
        if rng.random() < noise:
            continue  # missed
        coding = _Coding(**vars(true))
        if rng.random() < noise:  # the span moved a little
            coding.start = max(0, coding.start + rng.randint(-8, 8))
            coding.end = min(len(text), max(coding.start + 1, coding.end + rng.randint(-8, 8)))
        if rng.random() < noise:
            coding.tags = [rng.choice(codebook)]
        if rng.random() < noise:
            coding.speaker = rng.choice([None, *actors])
        if rng.random() < noise:
            coding.claim = rng.choice([None, *claims])
        if coding.claim is None:
            coding.voice = coding.position = ""
        elif rng.random() < noise or not coding.position:
            coding.voice = rng.choice(Voice.values)
            coding.position = rng.choice(Position.values)
        copied.append(coding)
    if rng.random() < noise:  # a passage of their own
        start, end = rng.choice(sentence_spans(text))
        copied.append(_Coding(start, end, [rng.choice(codebook)], None, None, "", ""))
    return copied


def _annotation(article: Article, user: User, coding: _Coding) -> Annotation:
    text, start, end = article.text, coding.start, coding.end
    return Annotation(
        article=article,
        annotator=user,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        claim=coding.claim,
        speaker=coding.speaker,
        voice=coding.voice,
        position=coding.position,
    )


def time_agreement(
    corpus: DoubleCoded, *, unit: str, runs: int = 10, user: User | None = None
) -> list[float]:
    """Seconds per computation of the story's agreement (every query included), as
    ``user`` sees it (``None``: everything)."""
    filters = Selection(QueryDict(f"story={corpus.story.pk}"))
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        measure_agreement(project=corpus.project, filters=filters, user=user, unit=unit)
        timings.append(time.perf_counter() - began)
    return timings


def main(runs: int = 10) -> None:
    """200 articles × 3 coders × 20 tags: the median and 95th percentile, per unit."""
    slug = f"agreement-bench-{int(time.time())}"
    with transaction.atomic():
        corpus = generate_double_coded(project_slug=slug)
        print(
            f"{connection.vendor}: {corpus.story.articles.count()} articles, "
            f"{Annotation.objects.filter(article__project=corpus.project).count()} passages"
        )
        for unit in ("sentence", "character"):
            _report(unit, time_agreement(corpus, unit=unit, runs=runs))
        # Blind coding: the story assigned to its three coders, asked by the first, who
        # has marked half of it done (the others' passages count there only).
        _blind(corpus)
        for unit in ("sentence", "character"):
            _report(
                f"blind, {unit}",
                time_agreement(corpus, unit=unit, runs=runs, user=corpus.coders[0]),
            )
        transaction.set_rollback(True)  # leave the database as it was


def _blind(corpus: DoubleCoded) -> None:
    articles = list(corpus.story.articles.order_by("pk"))
    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(
            article=article,
            coder=coder,
            done_at=now if coder == corpus.coders[0] and n % 2 == 0 else None,
        )
        for n, article in enumerate(articles)
        for coder in corpus.coders
    )
    corpus.project.blind_coding = True
    corpus.project.save(update_fields=["blind_coding"])


def _report(label: str, timings: list[float]) -> None:
    median, tail = statistics.median(timings), p95(timings)
    print(f"{label}: median {median * 1000:.0f} ms, p95 {tail * 1000:.0f} ms")
