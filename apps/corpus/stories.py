"""Stories (sets of articles about one event), kept by analysts and owners in the app:
create, rename, describe, add and remove articles, delete."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.corpus.models import Story
from apps.projects.models import Project


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A story needs a name.", code="empty")
    if len(name) > 200:
        raise ValidationError("A story's name has at most 200 characters.", code="long")
    return name


def create_story(project: Project, name: str, description: str = "") -> Story:
    name = _clean_name(name)
    try:
        with transaction.atomic():
            return Story.objects.create(project=project, name=name, description=description.strip())
    except IntegrityError:
        raise ValidationError(f"There is already a story called “{name}”.", code="taken") from None


def update_story(story: Story, name: str, description: str) -> Story:
    story.name, story.description = _clean_name(name), description.strip()
    if (
        Story.objects.filter(project=story.project_id, name__iexact=story.name)
        .exclude(pk=story.pk)
        .exists()
    ):
        raise ValidationError(f"There is already a story called “{story.name}”.", code="taken")
    story.save(update_fields=["name", "description"])
    return story


def add_articles(story: Story, article_ids: Iterable[int]) -> int:
    """Put the project's articles among ``article_ids`` in the story; how many were new
    to it (ids of other projects are ignored)."""
    wanted = set(
        story.project.articles.filter(pk__in=list(article_ids)).values_list("pk", flat=True)
    )
    already = set(story.articles.filter(pk__in=wanted).values_list("pk", flat=True))
    story.articles.add(*(wanted - already))
    return len(wanted - already)


def remove_articles(story: Story, article_ids: Iterable[int]) -> int:
    present = list(story.articles.filter(pk__in=list(article_ids)).values_list("pk", flat=True))
    story.articles.remove(*present)
    return len(present)
