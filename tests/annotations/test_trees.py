"""The codebook's trees: one walk, one cycle check, one rule for descendants."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from apps.annotations import trees
from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import Tag
from tests import factories


def _node(pk, parent_id=None):
    return SimpleNamespace(pk=pk, parent_id=parent_id)


def test_depth_first_puts_each_subtree_under_its_parent_in_the_given_order():
    items = [_node(1), _node(2), _node(3, 1), _node(4, 3), _node(5, 1), _node(6, 2)]
    ordered = [(item.pk, depth) for item, depth in trees.depth_first(items)]
    assert ordered == [(1, 0), (3, 1), (4, 2), (5, 1), (2, 0), (6, 1)]


def test_an_item_whose_parent_is_not_listed_starts_its_own_tree():
    ordered = [(i.pk, d) for i, d in trees.depth_first([_node(7, 99), _node(8, 7)])]
    assert ordered == [(7, 0), (8, 1)]


def test_subtrees_hold_every_descendant_at_any_depth():
    result = trees.subtrees({1: None, 2: 1, 3: 2, 4: 3, 5: None})
    assert result[1] == {1, 2, 3, 4}
    assert result[3] == {3, 4}
    assert result[5] == {5}


def test_subtrees_of_a_loop_stop_instead_of_hanging():
    result = trees.subtrees({1: 2, 2: 1})
    assert result[1] == {1, 2} and result[2] == {1, 2}


def test_a_parent_under_its_own_grandchild_is_refused(db):
    project = factories.make_project()
    top = factories.make_tag(project, "top")
    middle = factories.make_tag(project, "middle", parent=top)
    leaf = factories.make_tag(project, "leaf", parent=middle)
    top.parent = leaf
    with pytest.raises(ValidationError, match="cannot be its own ancestor"):
        top.full_clean()


def test_the_annotation_filter_selects_a_grandchilds_annotations(db):
    project = factories.make_project()
    user = factories.make_user()
    top = factories.make_tag(project, "top")
    middle = factories.make_tag(project, "middle", parent=top)
    leaf = factories.make_tag(project, "leaf", parent=middle)
    other = factories.make_tag(project, "other")
    article = factories.make_article(project, text="One two three four.")
    deep = factories.make_annotation(article, user, "One", tags=[leaf])
    both = factories.make_annotation(article, user, "two", tags=[leaf, top])
    factories.make_annotation(article, user, "three", tags=[other])
    selected = AnnotationFilter({"tag": top.pk}).annotations(project, user)
    assert sorted(selected.values_list("pk", flat=True)) == [deep.pk, both.pk]  # once each
    assert AnnotationFilter({"tag": middle.pk}).annotations(project, user).count() == 2
    assert AnnotationFilter({"tag": other.pk}).annotations(project, user).count() == 1


def test_the_annotation_filter_selects_a_claims_whole_narrative(db):
    project = factories.make_project()
    user = factories.make_user()
    narrative = factories.make_claim(project, "narrative")
    claim = factories.make_claim(project, "claim", parent=narrative)
    detail = factories.make_claim(project, "detail", parent=claim)
    article = factories.make_article(project, text="One two three four.")
    factories.make_annotation(article, user, "One", claim=detail)
    factories.make_annotation(article, user, "two", claim=claim)
    assert AnnotationFilter({"claim": narrative.pk}).annotations(project, user).count() == 2
    assert AnnotationFilter({"claim": detail.pk}).annotations(project, user).count() == 1


def test_a_tag_of_another_project_selects_nothing(db):
    project, elsewhere = factories.make_project(), factories.make_project()
    user = factories.make_user()
    foreign = factories.make_tag(elsewhere, "foreign")
    article = factories.make_article(project, text="One two.")
    factories.make_annotation(article, user, "One", tags=[factories.make_tag(project, "own")])
    assert not AnnotationFilter({"tag": foreign.pk}).annotations(project, user).exists()
    assert Tag.objects.count() == 2
