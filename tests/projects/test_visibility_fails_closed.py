"""Blind coding's rule fails closed: in a blind project, a user who is not a member
(no view lets one through, but a future caller might pass the wrong user) sees no
annotation; a command (no user) sees everything, as does anyone where nothing is blind."""

import pytest

from apps.annotations.filters import AnnotationFilter
from tests import factories


@pytest.fixture
def blind(cast):
    article = factories.make_article(cast.project, text="One passage here. And another.")
    factories.make_annotation(article, cast.analyst, "One passage here.")
    cast.project.blind_coding = True
    cast.project.save()
    return cast


def _seen(cast, user) -> int:
    return AnnotationFilter({}).annotations(cast.project, user).count()


def test_a_non_member_sees_nothing_in_a_blind_project(blind):
    assert _seen(blind, blind.outsider) == 0
    assert _seen(blind, factories.make_user("stranger")) == 0


def test_members_and_commands_see_what_the_rule_lets_them(blind):
    assert _seen(blind, None) == 1  # a command
    assert _seen(blind, blind.owner) == 1
    assert _seen(blind, blind.viewer) == 1
    assert _seen(blind, blind.analyst) == 1  # their own


def test_without_blind_coding_nothing_is_looked_up(cast, django_assert_num_queries):
    article = factories.make_article(cast.project, text="One passage here. And another.")
    factories.make_annotation(article, cast.analyst, "One passage here.")
    with django_assert_num_queries(1):
        assert _seen(cast, cast.outsider) == 1
