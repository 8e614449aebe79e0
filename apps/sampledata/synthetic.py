"""A synthetic corpus for benchmarks: realistic shape, reproducible, fast to build.

Article texts are assembled from the sentences of the demo articles, with curly quotes,
accents, some emoji and right-to-left names mixed in, so offsets are exercised the way
real text exercises them. Everything is bulk-inserted.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count

from apps.accounts.models import User
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
from apps.corpus import text as canonical_text
from apps.corpus.models import Article, Source, SourceKind, Story
from apps.projects.models import Membership, Project, Role
from apps.sampledata.demo import DEMO_DIR, article_text, read_corpus

EXTRAS = ["“quoted”", "Café", "naïve", "👍", "🇸🇾", "محمد", "דוד", "Zürich", "São Paulo", "—"]
PALETTE = ["#ffe08a", "#ffc9c9", "#c9e4ff", "#d3f9d8", "#e5dbff", "#ffd8a8", "#c5f6fa", "#fcc2d7"]


@dataclass
class GeneratedCorpus:
    project: Project
    articles: int
    annotations: int
    heavy_articles: dict[int, Article]


def _sentences() -> list[str]:
    found: list[str] = []
    for row in read_corpus()["articles"]:
        text = article_text(DEMO_DIR, row["key"])
        found += [s for s in re.split(r"(?<=[.!?])\s+", text.replace("\n\n", " ")) if len(s) > 30]
    return found


def _article_text(rng: random.Random, sentences: list[str], index: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(4, 14)):
        chosen = rng.sample(sentences, rng.randint(1, 4))
        if rng.random() < 0.3:
            chosen.append(rng.choice(EXTRAS))
        paragraphs.append(" ".join(chosen))
    paragraphs.append(f"Synthetic article number {index}.")  # keeps every text unique
    return canonical_text.canonicalize("\n\n".join(paragraphs))


@transaction.atomic
def generate_corpus(
    *,
    project_slug: str,
    articles: int,
    sources: int,
    annotations: int,
    seed: int = 1,
    heavy: tuple[int, ...] = (),
) -> GeneratedCorpus:
    """Build a project of ``articles`` articles and about ``annotations`` annotations.

    ``heavy`` names annotation counts that single articles must carry exactly (the
    reader benchmark opens an article with 10, 200 and 1,000 annotations).
    """
    rng = random.Random(seed)
    sentences = _sentences()
    project, _ = Project.objects.get_or_create(
        slug=project_slug, defaults={"name": f"Synthetic corpus {project_slug}"}
    )
    if project.articles.exists():
        # Already generated: reuse it, finding each heavy article by its count.
        found = {}
        for count in heavy:
            article = project.articles.annotate(n=Count("annotations")).filter(n=count).first()
            if article is None:
                raise ValueError(
                    f"Project {project_slug} exists but has no article with {count} "
                    "annotations: use a fresh database (or another slug)."
                )
            found[count] = article
        return GeneratedCorpus(
            project=project,
            articles=project.articles.count(),
            annotations=Annotation.objects.for_project(project).count(),
            heavy_articles=found,
        )
    users = []
    for n in range(3):
        user, created = User.objects.get_or_create(username=f"{project_slug}-analyst-{n}")
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(
            project=project, user=user, defaults={"role": Role.ANALYST}
        )
        users.append(user)

    kinds = list(SourceKind.values)
    outlet_list = [
        Source.objects.get_or_create(
            name=f"Outlet {n:02d}",
            defaults={
                "kind": kinds[n % len(kinds)],
                "country": ["RU", "GB", "US", "DE", "FR"][n % 5],
            },
        )[0]
        for n in range(sources)
    ]
    tags: list[Tag] = []
    for n in range(24):
        parent = tags[n % 6] if n >= 6 else None
        tags.append(
            Tag.objects.get_or_create(
                project=project,
                name=f"code {n:02d}",
                defaults={
                    "color": PALETTE[n % len(PALETTE)],
                    "parent": parent,
                    "shortcut": str(n + 1) if n < 9 else "",
                    "position": n,
                },
            )[0]
        )
    actors = [
        Actor.objects.get_or_create(
            project=project, name=f"Actor {n:02d}", defaults={"aliases": f"A{n}\nSpeaker {n}"}
        )[0]
        for n in range(40)
    ]
    # Three narratives, each with four claims under it.
    claims: list[Claim] = []
    for n in range(15):
        narrative = claims[n % 3] if n >= 3 else None
        claims.append(
            Claim.objects.get_or_create(
                project=project, text=f"Claim number {n:02d}", defaults={"parent": narrative}
            )[0]
        )

    start_day = date(2014, 1, 1)
    new_articles = []
    for n in range(articles):
        article = Article(
            project=project,
            source=outlet_list[n % len(outlet_list)],
            title=f"Synthetic article {n}: " + rng.choice(sentences)[:80],
            url=f"https://example.org/{project_slug}/{n}",
            published=start_day + timedelta(days=rng.randint(0, 1000)),
        )
        article.set_text(_article_text(rng, sentences, n))
        new_articles.append(article)
    saved_articles = Article.objects.bulk_create(new_articles, batch_size=500)
    stories = [
        Story.objects.get_or_create(project=project, name=f"Story {n:02d}")[0] for n in range(10)
    ]
    Story.articles.through.objects.bulk_create(
        [
            Story.articles.through(story_id=stories[i % len(stories)].pk, article_id=a.pk)
            for i, a in enumerate(saved_articles)
        ],
        batch_size=2000,
    )

    # Heavy articles first, then spread the rest evenly.
    plan = list(heavy)
    remaining = max(0, annotations - sum(plan))
    light = saved_articles[len(plan) :] or saved_articles
    per = remaining // len(light) if light else 0
    extra = remaining - per * len(light)
    counts = plan + [per + (1 if i < extra else 0) for i in range(len(light))]
    rows: list[Annotation] = []
    tag_rows: list[tuple[int, list[Tag]]] = []
    for article, count in zip(saved_articles, counts, strict=False):
        text = article.text
        for _ in range(count):
            length = rng.randint(15, 250)
            start = rng.randint(0, max(0, len(text) - length - 1))
            end = min(len(text), start + length)
            claim = rng.choice(claims) if rng.random() < 0.5 else None
            rows.append(
                Annotation(
                    article=article,
                    annotator=rng.choice(users),
                    start=start,
                    end=end,
                    quote=text[start:end],
                    prefix=text[max(0, start - CONTEXT_LENGTH) : start],
                    suffix=text[end : end + CONTEXT_LENGTH],
                    speaker=rng.choice(actors) if rng.random() < 0.6 else None,
                    target=rng.choice(actors) if rng.random() < 0.3 else None,
                    claim=claim,
                    voice=rng.choice(Voice.values) if claim else "",
                    position=rng.choice(Position.values) if claim else "",
                    note=rng.choice(["", "", "check", "needs a second look", "strong framing"]),
                )
            )
            tag_rows.append((len(rows) - 1, rng.sample(tags, rng.randint(1, 3))))
    saved = Annotation.objects.bulk_create(rows, batch_size=2000)
    AnnotationTag.objects.bulk_create(
        [
            AnnotationTag(annotation_id=saved[i].pk, tag_id=t.pk, article_id=saved[i].article_id)
            for i, chosen in tag_rows
            for t in chosen
        ],
        batch_size=5000,
    )
    # Fresh statistics: after a bulk load the planner would otherwise think the tables
    # nearly empty and pick plans that are slow at this size (PostgreSQL's autovacuum
    # would get there too, later).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return GeneratedCorpus(
        project=project,
        articles=len(saved_articles),
        annotations=len(saved),
        heavy_articles={count: saved_articles[i] for i, count in enumerate(plan)},
    )
