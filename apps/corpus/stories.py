"""Stories (sets of articles about one event), kept by analysts and owners in the app:
create, rename, describe, add and remove articles, delete.

Which articles a story holds is not a field of its history record (an import files
articles one by one, and each record would copy the whole list): a change to it is one
record of the story saying what changed, however many articles it moved."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.corpus.models import Article, Story
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
    new = wanted - already
    if new:
        story.articles.add(*new)
        record_articles(story, "added", new)
    return len(new)


def remove_articles(story: Story, article_ids: Iterable[int]) -> int:
    present = list(story.articles.filter(pk__in=list(article_ids)).values_list("pk", flat=True))
    if present:
        story.articles.remove(*present)
        record_articles(story, "removed", present)
    return len(present)


def record_articles(
    story: Story, change: str, article_ids: Collection[int], user: User | None = None
) -> None:
    """One record of the story saying which articles were ``change``d (by title, as many
    as the reason's column holds). ``user`` is for work outside a request (an import)."""
    titles = Article.objects.filter(pk__in=list(article_ids)[:5]).values_list("title", flat=True)
    n = len(article_ids)
    reason = f"{change} {n} article{'s' if n != 1 else ''}: " + "; ".join(titles)
    if len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 1] + "…"
    Story.history.bulk_history_create(
        [story], update=True, default_user=user, default_change_reason=reason
    )


REASON_LENGTH = 100  # simple-history's change-reason column
