"""Blind coding: which annotations a member may see.

In a project with ``blind_coding`` on, an analyst sees on an article only their own
passages (and none of the adjudicated layer) until they have marked the article done
(``coding.Assignment.done_at``); from then on, everything on it. Owners and viewers
always see everything, and so does a command (no member: ``None``).

The rule is one condition, built here and nowhere else. ``AnnotationFilter.condition``
applies it to every selection (the reader's filter, the comparisons, the claim, actor,
search and agreement screens, every export and the API); the few reads outside the
filter (the reader's rows, the counts of the project home, the codebook pages and the
codebook and article CSVs, the history) ask for it themselves. It is written with the
names of the annotation's fields and of the reverse relation ``user.assignments``
(``apps.coding`` sits above this app), so it reads the same on annotations, on their tag
links (``prefix="annotation__"``), on counts through a relation
(``prefix="annotations__"``) and on annotations' history records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from apps.projects.models import Membership, Project, Role

if TYPE_CHECKING:
    from apps.accounts.models import User

# ``annotations.models.Layer.CODER``: a coder's own passage, not an adjudicated one.
CODER_LAYER = "coder"
# Where ``remember`` keeps, on the request's user, the memberships ``project_view`` read.
_SEEN = "_memberships_seen"


def blinded(membership: Membership | None) -> bool:
    """Whether blind coding hides others' work from this member (on the articles they
    have not marked done)."""
    return (
        membership is not None
        and membership.role == Role.ANALYST
        and membership.project.blind_coding
    )


def condition(membership: Membership | None, prefix: str = "") -> Q:
    """The annotations (reached through ``prefix``) that ``membership`` may see: every
    one (an empty condition) unless blind coding hides some."""
    if not blinded(membership):
        return Q()
    assert membership is not None  # for the type checker: ``blinded`` said so
    return _own_or_done(membership.user, prefix)


def hides_others_on(membership: Membership, article_id: int) -> bool:
    """Whether blind coding hides others' work on this article from the member: a blind
    analyst who codes it (it is assigned to them, or they have a passage of the coders'
    layer on it) and has not marked it done. For a page that shows the coders' versions
    side by side, which cannot leave some of them out; an adjudicator who does not code
    the article has nothing to be blind about there. ``seen_whole`` is the same rule
    as a condition on articles (one or two queries if blinded)."""
    if not blinded(membership):
        return False
    user = membership.user
    marks = list(user.assignments.filter(article_id=article_id).values_list("done_at", flat=True))
    if marks:
        return marks[0] is None
    return user.annotations.filter(article_id=article_id, layer=CODER_LAYER).exists()


def seen_whole(membership: Membership | None, prefix: str = "") -> Q:
    """The articles (reached through ``prefix``) on which blind coding hides nothing
    from the member: those where ``hides_others_on`` is false, as a condition for a
    list (uncorrelated subqueries on the member's assignments and passages)."""
    if not blinded(membership):
        return Q()
    assert membership is not None  # for the type checker: ``blinded`` said so
    user, pk = membership.user, f"{prefix}pk__in"
    done = user.assignments.filter(done_at__isnull=False).values("article_id")
    assigned = user.assignments.values("article_id")
    coded = user.annotations.filter(layer=CODER_LAYER).values("article_id")
    return Q(**{pk: done}) | ~(Q(**{pk: assigned}) | Q(**{pk: coded}))


def others_shown(membership: Membership | None, prefix: str = "") -> Q:
    """The articles (reached through ``prefix``) on which the member is shown the other
    coders' and the adjudicated passages: every one, unless blind coding hides them;
    then those the member marked done (``condition``'s rule, on articles). A count of
    articles by what the screens show of them uses it."""
    if not blinded(membership):
        return Q()
    assert membership is not None  # for the type checker: ``blinded`` said so
    done = membership.user.assignments.filter(done_at__isnull=False).values("article_id")
    return Q(**{f"{prefix}pk__in": done})


# Why a blind analyst's write on an article they finished is refused (``finished_blind``).
FINISHED_BLIND = (
    "You marked this article done and have seen the other coders' work; ask an owner to reopen it."
)


def finished_blind(membership: Membership, article_id: int) -> bool:
    """Whether blind coding bars the member from writing on this article: a blind
    analyst who marked it done has seen the other coders' work there, so passages they
    made or changed after it would not be independent coding. Until an owner reopens it
    (one query if blinded)."""
    if not blinded(membership):
        return False
    done = membership.user.assignments.filter(article_id=article_id, done_at__isnull=False)
    return done.exists()


def visible(user: Any, project: Project, prefix: str = "") -> Q:
    """``condition`` for ``user``'s membership of ``project``. A project without blind
    coding needs no membership, so nothing is looked up; a view's membership was
    remembered by ``project_view`` (no query either); anyone else's is read."""
    if not project.blind_coding or user is None:
        return Q()  # nothing hidden; or a command, which sees everything
    membership = member(user, project.pk)
    if membership is None:
        # Someone who is not a member (a view always checks first): in a blind project
        # the rule fails closed, so a caller passing the wrong user sees nothing.
        return Q(**{f"{prefix}pk__in": []})
    if membership.role != Role.ANALYST:
        return Q()
    return _own_or_done(membership.user, prefix)


def _own_or_done(user: User, prefix: str) -> Q:
    p = prefix
    # An uncorrelated subquery on the assignments alone (their (coder, done_at) index):
    # the database reads the few done articles once, not once per annotation.
    done = user.assignments.filter(done_at__isnull=False).values("article_id")
    own = Q(**{f"{p}annotator_id": user.pk, f"{p}layer": CODER_LAYER})
    return own | Q(**{f"{p}article_id__in": done})


def remember(user: Any, membership: Membership) -> None:
    """Keep the membership ``project_view`` read on the request's user, so that the
    filters of that request find it without a query. (Only for the request: a user
    read for the next one starts empty.)"""
    seen = getattr(user, _SEEN, None)
    if seen is None:
        seen = {}
        setattr(user, _SEEN, seen)
    seen[membership.project_id] = membership


def member(user: Any, project_id: int) -> Membership | None:
    """``user``'s membership of the project: the one the request's view read, else from
    the database (never kept: a role may change between two calls of a test or a
    command)."""
    if user is None or not getattr(user, "pk", None):
        return None
    seen = getattr(user, _SEEN, None) or {}
    if project_id in seen:
        return seen[project_id]
    return (
        Membership.objects.select_related("project", "user")
        .filter(project_id=project_id, user_id=user.pk)
        .first()
    )
