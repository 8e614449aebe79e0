"""Where the coding stands: each assignment is to do, in progress (its coder has a
passage on the article) or done (the coder said so); counted per coder and per story for
the owners, listed for each coder as their queue.

Every count here is read in a fixed number of queries, whatever the number of
assignments: the statuses are worked out by the database (one ``EXISTS`` per
assignment, through the annotations' (article, start) index) and tallied in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from apps.accounts.models import User
from apps.annotations.models import Annotation, Layer
from apps.annotations.my_queue import queue_order
from apps.coding.assigning import coders_of
from apps.coding.models import Assignment
from apps.corpus.models import Article, Story
from apps.projects.models import Membership, Project


class Status(models.TextChoices):
    TODO = "todo", "To do"
    STARTED = "started", "In progress"
    DONE = "done", "Done"


def has_started() -> Exists:
    """For an assignment: whether its coder has a passage of their own on the article
    (an adjudicated one is not their coding)."""
    own = Annotation.objects.filter(
        article_id=OuterRef("article_id"), annotator_id=OuterRef("coder_id"), layer=Layer.CODER
    )
    return Exists(own)


def status_of(done_at: datetime | None, started: bool) -> Status:
    if done_at is not None:
        return Status.DONE
    return Status.STARTED if started else Status.TODO


@dataclass
class Tally:
    """Assignments by status, with each status's share (0–100) for the bars."""

    todo: int = 0
    started: int = 0
    done: int = 0

    def add(self, status: Status) -> None:
        setattr(self, status.value, getattr(self, status.value) + 1)

    @property
    def total(self) -> int:
        return self.todo + self.started + self.done

    def share(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 0.0

    @property
    def bar(self) -> list[tuple[str, float, float]]:
        """(status, where its segment starts, its width), in percent of the bar."""
        parts, start = [], 0.0
        for status, count in (("done", self.done), ("started", self.started)):
            width = self.share(count)
            parts.append((status, start, width))
            start += width
        return parts


@dataclass
class CoderProgress:
    member: Membership
    tally: Tally = field(default_factory=Tally)


@dataclass
class StoryProgress:
    story: Story
    articles: int = 0  # in the story
    assigned: int = 0  # of them, given to someone
    tally: Tally = field(default_factory=Tally)


@dataclass
class Progress:
    overall: Tally
    coders: list[CoderProgress]
    stories: list[StoryProgress]
    unassigned: int  # articles of the project nobody was given


def progress(project: Project) -> Progress:
    """Per coder (every owner and analyst, with or without assignments) and per story,
    in five queries."""
    rows = (
        Assignment.objects.filter(article__project=project)
        .annotate(started=has_started())
        .values_list("article_id", "coder_id", "done_at", "started")
    )
    coders = {m.user_id: CoderProgress(m) for m in coders_of(project)}
    stories = {s.pk: StoryProgress(s) for s in project.stories.order_by("name")}
    in_stories: dict[int, list[int]] = defaultdict(list)
    links = Story.articles.through.objects.filter(story__project=project)
    for story_id, article_id in links.values_list("story_id", "article_id"):
        in_stories[article_id].append(story_id)
        stories[story_id].articles += 1
    overall, assigned = Tally(), set()
    for article_id, coder_id, done_at, started in rows:
        status = status_of(done_at, started)
        overall.add(status)
        assigned.add(article_id)
        if coder_id in coders:  # a former coder's assignments count in the totals only
            coders[coder_id].tally.add(status)
        for story_id in in_stories.get(article_id, ()):
            stories[story_id].tally.add(status)
    for article_id in assigned:
        for story_id in in_stories.get(article_id, ()):
            stories[story_id].assigned += 1
    return Progress(
        overall=overall,
        coders=list(coders.values()),
        stories=list(stories.values()),
        unassigned=project.articles.count() - len(assigned),
    )


@dataclass
class QueueItem:
    assignment: Assignment
    status: Status
    passages: int  # the coder's own on the article


def queue(user: User, project: Project) -> list[QueueItem]:
    """A coder's assigned articles in the project, in the queue's order (the reader's
    "previous / next in my queue" follows it), each with its status and the coder's
    passages on it. One query."""
    own = Q(article__annotations__annotator=user, article__annotations__layer=Layer.CODER)
    assignments = (
        user.assignments.filter(article__project=project)
        .select_related("article__source")
        .defer("article__text", "article__raw")
        .annotate(passages=Count("article__annotations", filter=own))
        .order_by(*queue_order("article__"))
    )
    return [QueueItem(a, status_of(a.done_at, a.passages > 0), a.passages) for a in assignments]


def assignees(articles: list[Article]) -> dict[int, list[tuple[Assignment, Status]]]:
    """Who has each of ``articles`` (a page of the Assignments list), with the status,
    by coder name; one query."""
    found: dict[int, list[tuple[Assignment, Status]]] = defaultdict(list)
    rows = Assignment.objects.filter(article__in=[a.pk for a in articles]).annotate(
        started=has_started()
    )
    for assignment in rows.select_related("coder").order_by("coder__username"):
        status = status_of(assignment.done_at, assignment.started)
        found[assignment.article_id].append((assignment, status))
    return found
