"""Who codes which article: assigning articles to coders (to each of them, or each
article to two of them at random, balanced), taking an assignment back, the coder's
explicit "done" and an owner's undoing of it, and the project's blind coding switch.

Coders are the project's owners and analysts (viewers do not annotate). An assignment
that exists is never duplicated nor changed by assigning again: the unique (article,
coder) pair keeps one, and the random assignment counts what is there already.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.coding.models import Assignment
from apps.corpus.models import Article
from apps.projects.models import Membership, Project, Role

PER_ARTICLE = 2  # coders per article in a random assignment ("double coding")
CODER_ROLES = (Role.OWNER, Role.ANALYST)


def coders_of(project: Project) -> list[Membership]:
    """The members who code: owners and analysts, by name."""
    members = project.memberships.filter(role__in=CODER_ROLES).select_related("user")
    return sorted(members, key=lambda m: (m.user.display_name.casefold(), m.user_id))


def _check_coders(project: Project, coders: Sequence[User]) -> None:
    if not coders:
        raise ValidationError("Choose who codes them.", code="no-coder")
    coding = set(project.memberships.filter(role__in=CODER_ROLES).values_list("user_id", flat=True))
    outside = [coder.display_name for coder in coders if coder.pk not in coding]
    if outside:
        raise ValidationError(
            f"Only owners and analysts of the project code: {', '.join(outside)} cannot.",
            code="not-a-coder",
        )


def _article_ids(project: Project, articles: Iterable[int]) -> list[int]:
    """The ids among ``articles`` of the project's articles, in order (others are not
    this project's to assign), locked until the assignment commits: two owners giving
    out the same articles at once take turns, so each reads what the other made
    (``_held``) and counts only its own new rows (``_create``). The lock does not stop
    anyone annotating them (``no_key``: a row referring to an article takes a weaker
    one)."""
    mine = Article.objects.filter(project=project, pk__in=list(articles))
    return sorted(set(mine.select_for_update(no_key=True).values_list("pk", flat=True)))


def _held(article_ids: list[int]) -> dict[int, set[int]]:
    """Who is already assigned each article."""
    held: dict[int, set[int]] = {}
    rows = Assignment.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "coder_id"
    )
    for article_id, coder_id in rows:
        held.setdefault(article_id, set()).add(coder_id)
    return held


def _create(pairs: list[tuple[int, int]], by: User) -> int:
    """Make the assignments ``pairs`` names; how many rows are new. A pair that exists
    already (made meanwhile: the unique pair keeps one row) is skipped, and not counted:
    ``ignore_conflicts`` does not say which rows it inserted, so the rows among these
    articles and coders are counted before and after, in the caller's transaction."""
    if not pairs:
        return 0
    around = Assignment.objects.filter(
        article_id__in={a for a, _ in pairs}, coder_id__in={c for _, c in pairs}
    )
    before = around.count()
    Assignment.objects.bulk_create(
        [Assignment(article_id=a, coder_id=c, assigned_by=by) for a, c in pairs],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return around.count() - before


@transaction.atomic
def assign(*, project: Project, articles: Iterable[int], coders: Sequence[User], by: User) -> int:
    """Give each of ``articles`` to each of ``coders``; how many assignments are new
    (those that existed are kept as they are, done or not)."""
    _check_coders(project, coders)
    ids = _article_ids(project, articles)
    held = _held(ids)
    pairs = [(a, c.pk) for a in ids for c in coders if c.pk not in held.get(a, set())]
    return _create(pairs, by)


def balanced_pairs(
    articles: list[int],
    coders: list[int],
    held: dict[int, set[int]],
    *,
    per_article: int = PER_ARTICLE,
    rng: random.Random,
) -> list[tuple[int, int]]:
    """Which coder gets which article so that each article has ``per_article`` coders
    and the coders' loads stay within one of each other.

    - An article's existing assignments (to anyone) count toward its ``per_article``,
      and a coder who has it already is not given it again.
    - A coder's load is what they hold among ``articles``; each article (in a random
      order, those someone has first) goes to the least loaded coders who do not have
      it, ties drawn at random.
      Starting level, loads never differ by more than one (each step raises the lowest);
      existing assignments that are uneven are evened out as far as the articles allow.
    - The same ``rng`` state (a seed) gives the same pairs."""
    load = Counter({coder: 0 for coder in coders})
    for article in articles:
        for coder in held.get(article, ()):
            if coder in load:
                load[coder] += 1
    order = sorted(articles)
    rng.shuffle(order)
    # The articles someone has first: they leave fewer choices, so the others, which
    # may go to anyone, can even out the loads after them.
    order.sort(key=lambda article: -len(held.get(article, ())))
    pairs = []
    for article in order:
        has = held.get(article, set())
        needed = per_article - len(has)
        if needed <= 0:
            continue
        free = [coder for coder in sorted(coders) if coder not in has]
        rng.shuffle(free)
        free.sort(key=lambda coder: load[coder])  # stable: equal loads stay in random order
        for coder in free[:needed]:
            pairs.append((article, coder))
            load[coder] += 1
    return pairs


@transaction.atomic
def assign_at_random(
    *,
    project: Project,
    articles: Iterable[int],
    coders: Sequence[User],
    by: User,
    per_article: int = PER_ARTICLE,
    seed: int | None = None,
) -> int:
    """Give each of ``articles`` to ``per_article`` of ``coders``, at random and balanced
    (``balanced_pairs``); the same ``seed`` makes the same choice. How many are new."""
    _check_coders(project, coders)
    if len({c.pk for c in coders}) < per_article:
        raise ValidationError(
            f"Choose at least {per_article} coders: each article goes to {per_article} of them.",
            code="too-few-coders",
        )
    ids = _article_ids(project, articles)
    rng = random.Random(seed)  # without a seed, from the system's randomness
    pairs = balanced_pairs(
        ids, sorted({c.pk for c in coders}), _held(ids), per_article=per_article, rng=rng
    )
    return _create(pairs, by)


@transaction.atomic
def unassign(*, assignment: Assignment) -> None:
    """Take an article back from a coder. Their passages stay; so does nothing else:
    a done mark goes with the assignment (blind coding hides the others' work again)."""
    Assignment.objects.filter(pk=assignment.pk).delete()


@transaction.atomic
def mark_done(*, article: Article, coder: User) -> Assignment:
    """The coder says they have finished ``article``, which must be assigned to them:
    the done mark lifts blind coding, so it belongs to the articles an owner gave out
    (and marking done never makes anyone a coder of record of an article, as an
    assignment would). Marking again keeps the first time."""
    coding = Membership.objects.filter(
        project_id=article.project_id, user=coder, role__in=CODER_ROLES
    ).exists()
    if not coding:
        raise ValidationError("Only the project's owners and analysts code.", code="not-a-coder")
    assignment = Assignment.objects.select_for_update().filter(article=article, coder=coder).first()
    if assignment is None:
        raise ValidationError(
            "This article is not in your queue: only an article assigned to you can be "
            "marked done. Ask an owner to assign it to you.",
            code="not-assigned",
        )
    if assignment.done_at is None:
        assignment.done_at = timezone.now()
        assignment.save(update_fields=["done_at"])
    return assignment


@transaction.atomic
def reopen(*, assignment: Assignment) -> bool:
    """An owner undoes a coder's done (the coder cannot): the article is theirs to code
    again, and blind coding hides the others' work from them again. Whether it was done."""
    return bool(
        Assignment.objects.filter(pk=assignment.pk, done_at__isnull=False).update(done_at=None)
    )


@transaction.atomic
def set_blind_coding(*, project: Project, on: bool, by: User) -> Project:
    """Switch blind coding on or off; the project's history records who did, and when."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.blind_coding != on:
        locked.blind_coding = on
        locked._history_user = by  # type: ignore[attr-defined]  # simple-history's hook
        locked.save(update_fields=["blind_coding"])
    return locked


@dataclass(frozen=True)
class SettingChange:
    on: bool
    by: User | None
    when: datetime


def blind_coding_changed(project: Project) -> SettingChange | None:
    """The last switch of blind coding (None if it never was: it is as projects begin)."""
    records = list(
        project.history.select_related("history_user")
        .order_by("-history_date", "-history_id")
        .only("blind_coding", "history_date", "history_user")[:200]
    )
    for newer, older in itertools.pairwise(records):
        if newer.blind_coding != older.blind_coding:
            return SettingChange(newer.blind_coding, newer.history_user, newer.history_date)
    return None
