"""The demo corpus: five real articles about one storyline, with codebook and annotations.

Loading is idempotent: rows are found by their natural keys (names, URLs, spans), so a
second run changes nothing and duplicates nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.annotations.annotating import create_annotation
from apps.annotations.models import Actor, Annotation, Claim, Layer, Tag
from apps.corpus.models import Article, Source, Story
from apps.projects.models import Membership, Project, Role
from apps.sampledata.demo_adjudication import load_adjudication
from apps.sampledata.demo_coding import load_assignments

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "demo"
DEMO_USERS = {
    "owner": Role.OWNER,
    "analyst": Role.ANALYST,
    "analyst2": Role.ANALYST,  # double-coded two of the analyst's articles
    "viewer": Role.VIEWER,
}
# Full names; the others are "<Username> Demo".
DEMO_NAMES = {"analyst2": ("Maya", "Okafor")}
DEMO_OPERATOR = "admin"


@dataclass
class DemoResult:
    project: Project
    created_articles: int
    created_annotations: int
    users: list[str]


def read_corpus(directory: Path = DEMO_DIR) -> dict:
    return json.loads((directory / "corpus.json").read_text(encoding="utf-8"))


def article_text(directory: Path, key: str) -> str:
    return (directory / "articles" / f"{key}.txt").read_text(encoding="utf-8")


@transaction.atomic
def load_demo(*, directory: Path = DEMO_DIR, with_users: bool) -> DemoResult:
    data = read_corpus(directory)
    project, _ = Project.objects.update_or_create(
        slug=data["project"]["slug"],
        defaults={"name": data["project"]["name"], "description": data["project"]["description"]},
    )
    users = _load_users(project) if with_users else {}
    sources = {
        row["name"]: Source.objects.update_or_create(
            name=row["name"],
            defaults={k: row.get(k, "") for k in ("domain", "country", "kind", "description")},
        )[0]
        for row in data["sources"]
    }
    articles, created_articles = _load_articles(project, sources, data["articles"], directory)
    for row in data["stories"]:
        story, _ = Story.objects.update_or_create(
            project=project, name=row["name"], defaults={"description": row["description"]}
        )
        story.articles.add(*(articles[key] for key in row["articles"]))
    tags: dict[str, Tag] = {}
    # Keys are unique per project: clear them first so that renumbering never collides.
    Tag.objects.filter(project=project).update(shortcut="")
    for position, row in enumerate(data["tags"]):
        tags[row["name"]] = Tag.objects.update_or_create(
            project=project,
            name=row["name"],
            defaults={
                "description": row["description"],
                "color": row["color"],
                "parent": tags[row["parent"]] if row.get("parent") else None,
                "shortcut": row.get("shortcut", ""),
                "position": position,
            },
        )[0]
    actors = {
        row["name"]: Actor.objects.update_or_create(
            project=project,
            name=row["name"],
            defaults={
                "kind": row["kind"],
                "aliases": "\n".join(row.get("aliases", [])),
                "description": row.get("description", ""),
            },
        )[0]
        for row in data["actors"]
    }
    claims: dict[str, Claim] = {}
    for row in data["claims"]:
        claims[row["text"]] = Claim.objects.update_or_create(
            project=project,
            text=row["text"],
            defaults={
                "description": row.get("description", ""),
                "parent": claims[row["parent"]] if row.get("parent") else None,
            },
        )[0]
    created_annotations = 0
    if users:
        for row in data["annotations"]:
            article = articles[row["article"]]
            annotator = users[row["annotator"]]
            exists = Annotation.objects.filter(
                article=article,
                annotator=annotator,
                start=row["start"],
                end=row["end"],
                layer=Layer.CODER,  # the owner's adjudicated passages are not these
            ).exists()
            if exists:
                continue
            create_annotation(
                article=article,
                annotator=annotator,
                start=row["start"],
                end=row["end"],
                quote=row["quote"],
                tags=[tags[name] for name in row["tags"]],
                speaker=actors[row["speaker"]] if row.get("speaker") else None,
                target=actors[row["target"]] if row.get("target") else None,
                claim=claims[row["claim"]] if row.get("claim") else None,
                voice=row.get("voice", ""),
                position=row.get("position", ""),
                note=row.get("note", ""),
            )
            created_annotations += 1
        load_assignments(project, articles, users)
        load_adjudication(articles, users)
    return DemoResult(
        project=project,
        created_articles=created_articles,
        created_annotations=created_annotations,
        users=sorted(users),
    )


def _load_users(project: Project) -> dict[str, User]:
    users = {}
    for username, role in DEMO_USERS.items():
        user = _demo_user(username)
        # Owners run their project in the app: none of the demo's members is staff.
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
        user.user_permissions.clear()
        Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
        users[username] = user
    # The site operator: the admin's superuser, a member of no project.
    operator = _demo_user(DEMO_OPERATOR)
    operator.is_staff = operator.is_superuser = True
    operator.save(update_fields=["is_staff", "is_superuser"])
    users[DEMO_OPERATOR] = operator
    return users


def _demo_user(username: str) -> User:
    first, last = DEMO_NAMES.get(username, (username.capitalize(), "Demo"))
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _load_articles(
    project: Project, sources: dict[str, Source], rows: list[dict], directory: Path
) -> tuple[dict[str, Article], int]:
    articles = {}
    created = 0
    for row in rows:
        candidate = Article(project=project)
        candidate.set_text(article_text(directory, row["key"]))
        # Found again by its text, which never changes under annotations.
        article = Article.objects.filter(
            project=project, content_hash=candidate.content_hash
        ).first()
        if article is None:
            article = candidate
            article.raw = (directory / "raw" / row["raw"]).read_text(encoding="utf-8")
            created += 1
        article.url = row["url"]
        article.source = sources[row["source"]]
        article.title = row["title"]
        article.published = date.fromisoformat(row["published"]) if row["published"] else None
        article.byline = row.get("byline", "")
        article.language = row.get("language", "en")
        article.save()
        articles[row["key"]] = article
    return articles, created
