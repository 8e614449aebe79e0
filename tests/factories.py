"""Small factory functions: each makes one valid object, with overridable fields."""

from __future__ import annotations

import itertools

from apps.accounts.models import User
from apps.annotations.annotating import create_annotation
from apps.annotations.models import Actor, Annotation, Claim, Tag
from apps.corpus.models import Article, Source, Story
from apps.projects.models import Membership, Project, Role

_seq = itertools.count(1)

PASSWORD = "correct horse battery staple"

DEFAULT_TEXT = (
    "Russia has said it will carry on bombing rebel-held eastern Aleppo.\n\n"
    "Kremlin spokesman Dmitry Peskov said the air force would continue its support."
)


def make_user(username: str | None = None, password: str = PASSWORD, **fields) -> User:
    username = username or f"user{next(_seq)}"
    user = User(username=username, **fields)
    user.set_password(password)
    user.save()
    return user


def make_project(name: str | None = None, **members: User) -> Project:
    """``make_project(owner=u1, analyst=u2)``: keyword names are roles."""
    n = next(_seq)
    project = Project.objects.create(name=name or f"Project {n}", slug=f"project-{n}")
    for role, user in members.items():
        Membership.objects.create(project=project, user=user, role=Role(role))
    return project


def make_source(name: str | None = None, **fields) -> Source:
    return Source.objects.create(name=name or f"Outlet {next(_seq)}", **fields)


def make_article(project: Project, text: str = DEFAULT_TEXT, **fields) -> Article:
    n = next(_seq)
    fields.setdefault("title", f"Article {n}")
    fields.setdefault("url", f"https://example.org/news/{n}")
    if "source" not in fields:
        fields["source"] = make_source()
    article = Article(project=project, **fields)
    article.set_text(text)
    article.save()
    return article


def make_story(project: Project, *articles: Article, name: str | None = None) -> Story:
    story = Story.objects.create(project=project, name=name or f"Story {next(_seq)}")
    story.articles.add(*articles)
    return story


def make_tag(project: Project, name: str | None = None, **fields) -> Tag:
    return Tag.objects.create(project=project, name=name or f"tag {next(_seq)}", **fields)


def make_actor(project: Project, name: str | None = None, **fields) -> Actor:
    return Actor.objects.create(project=project, name=name or f"Actor {next(_seq)}", **fields)


def make_claim(project: Project, text: str | None = None, **fields) -> Claim:
    return Claim.objects.create(project=project, text=text or f"Claim {next(_seq)}", **fields)


def make_annotation(
    article: Article, annotator: User, quote: str | None = None, **fields
) -> Annotation:
    """Annotate the first occurrence of ``quote`` (default: the first word)."""
    quote = quote or article.text.split()[0]
    start = article.text.index(quote)
    return create_annotation(
        article=article, annotator=annotator, start=start, end=start + len(quote), **fields
    )
