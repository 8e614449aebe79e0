"""The blind-coding rules of ``projects.visibility`` for one article, in each state a
member can be in: whether others' work is hidden from them on it (``hides_others_on``,
and the same as a condition on articles, ``seen_whole``, which must agree), and whether
their own passages there are final (``finished_blind``)."""

import pytest
from django.db.models import Q

from apps.coding.assigning import assign, mark_done, set_blind_coding
from apps.corpus.models import Article
from apps.projects import visibility
from tests import factories

# state: (hides others' work, final)
STATES = {
    "does not code it": (False, False),
    "assigned, not done": (True, False),
    "assigned, done": (False, True),
    "coded it unassigned": (True, False),
    "coded it, assigned to others": (True, False),
}


def _put(cast, article, state: str) -> None:
    analyst = cast.analyst
    if state.startswith("assigned"):
        assign(project=cast.project, articles=[article.pk], coders=[analyst], by=cast.owner)
    if state == "assigned, done":
        mark_done(article=article, coder=analyst)
    if state.startswith("coded it"):
        factories.make_annotation(article, analyst)
    if state == "coded it, assigned to others":
        assign(project=cast.project, articles=[article.pk], coders=[cast.owner], by=cast.owner)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("adjudicator", [False, True])
def test_each_state_of_a_blind_analyst(cast, state, adjudicator):
    article = factories.make_article(cast.project)
    factories.make_article(cast.project, text="Another text, nobody's.")
    _put(cast, article, state)
    set_blind_coding(project=cast.project, on=True, by=cast.owner)
    membership = cast.project.memberships.select_related("project", "user").get(user=cast.analyst)
    membership.adjudicator = adjudicator
    hides, final = STATES[state]
    assert visibility.hides_others_on(membership, article.pk) is hides
    whole = Article.objects.filter(project=cast.project).filter(visibility.seen_whole(membership))
    assert whole.filter(pk=article.pk).exists() is not hides
    assert whole.count() == (1 if hides else 2)
    assert visibility.finished_blind(membership, article.pk) is final


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_owners_viewers_and_projects_without_blind_coding_are_never_blind(cast, state, role):
    article = factories.make_article(cast.project)
    _put(cast, article, state)
    set_blind_coding(project=cast.project, on=True, by=cast.owner)
    for who, blind in ((getattr(cast, role), True), (cast.analyst, False)):
        cast.project.blind_coding = blind
        cast.project.save()
        membership = cast.project.memberships.select_related("project", "user").get(user=who)
        assert not visibility.hides_others_on(membership, article.pk)
        assert not visibility.finished_blind(membership, article.pk)
        assert visibility.seen_whole(membership) == Q() == visibility.others_shown(membership)
