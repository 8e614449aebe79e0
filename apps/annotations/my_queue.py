"""The reader's part of team coding: where the article stands in its reader's queue
(the articles assigned to them), for "previous / next in my queue" and "Mark done".

Assignments belong to ``apps.coding``, above this app: they are read here through the
reverse relation ``user.assignments`` and their pages reached by URL name. The queue's
order is defined here, once; the queue page lists the articles in it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OrderBy

from apps.accounts.compiled import CompiledQuery
from apps.accounts.models import User
from apps.corpus.models import Article
from apps.projects.models import Membership


def queue_order(to_article: str = "") -> list[OrderBy | str]:
    """The queue's order: by date (undated last), title and id, as a story is read."""
    a = to_article
    return [F(f"{a}published").asc(nulls_last=True), f"{a}title", f"{a}pk"]


@dataclass(frozen=True)
class QueuePlace:
    """The article in its reader's queue (``assigned``), or the reader's queue beside
    an article not in it."""

    assigned: bool
    position: int = 0  # from 1
    total: int = 0
    done: int = 0  # articles of the queue marked done
    done_at: datetime | None = None  # this article's done mark
    previous: tuple[int, str] | None = None  # (id, title)
    following: tuple[int, str] | None = None


# Asked on every reader page: compiled once (``compiled.py``). The user's assignments
# through the reverse relation (a stand-in user holds the id).
_QUEUE = CompiledQuery(
    lambda *, user_id, project_id: (
        User(pk=user_id)
        .assignments.filter(article__project_id=project_id)
        .order_by(*queue_order("article__"))
        .values_list("article_id", "article__title", "done_at")
    )
)


def place_in_queue(membership: Membership, article: Article) -> QueuePlace | None:
    """Where ``article`` stands in the queue of ``membership``'s user (who codes), in
    one query; None for a viewer, who codes nothing."""
    if not membership.can_annotate:
        return None
    rows = _QUEUE.rows(user_id=membership.user_id, project_id=membership.project_id)
    done = sum(1 for _, _, done_at in rows if done_at is not None)
    index = next((i for i, row in enumerate(rows) if row[0] == article.pk), None)
    if index is None:
        return QueuePlace(assigned=False, total=len(rows), done=done)
    previous, following = rows[index - 1] if index else None, next(iter(rows[index + 1 :]), None)
    return QueuePlace(
        assigned=True,
        position=index + 1,
        total=len(rows),
        done=done,
        done_at=rows[index][2],
        previous=previous[:2] if previous else None,
        following=following[:2] if following else None,
    )
