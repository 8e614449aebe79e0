"""Every article to two coders at random, balanced: each article gets two different
coders, the coders' loads stay within one, the same seed draws the same pairs, and what
was assigned before is kept and counted."""

import random
from collections import Counter
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from apps.coding import assigning
from apps.coding.assigning import assign, assign_at_random, balanced_pairs
from apps.coding.models import Assignment
from tests import factories


def _loads(pairs, coders) -> Counter:
    return Counter({c: 0 for c in coders}) + Counter(coder for _, coder in pairs)


@pytest.mark.parametrize("articles", [1, 2, 5, 7, 10, 33, 100])
@pytest.mark.parametrize("coders", [2, 3, 4, 5, 7])
def test_each_article_gets_two_different_coders_and_loads_stay_within_one(articles, coders):
    for seed in range(5):
        pairs = balanced_pairs(
            list(range(articles)), list(range(100, 100 + coders)), {}, rng=random.Random(seed)
        )
        per_article = Counter(article for article, _ in pairs)
        assert per_article == {article: 2 for article in range(articles)}
        assert len(set(pairs)) == len(pairs)  # never the same coder twice on an article
        loads = _loads(pairs, range(100, 100 + coders)).values()
        assert max(loads) - min(loads) <= 1


def test_the_same_seed_draws_the_same_pairs_and_another_seed_others():
    articles, coders = list(range(40)), [1, 2, 3, 4, 5]
    first = balanced_pairs(articles, coders, {}, rng=random.Random(7))
    assert balanced_pairs(articles, coders, {}, rng=random.Random(7)) == first
    assert balanced_pairs(articles, coders, {}, rng=random.Random(8)) != first


def test_an_article_someone_has_needs_one_more_coder_and_not_the_same_one():
    held = {1: {10}, 2: {10, 11}, 3: {99}}  # 99: someone not among the chosen coders
    pairs = balanced_pairs([1, 2, 3, 4], [10, 11, 12], held, rng=random.Random(1))
    by_article: dict[int, set[int]] = {}
    for article, coder in pairs:
        by_article.setdefault(article, set()).add(coder)
    assert len(by_article[1]) == 1 and 10 not in by_article[1]
    assert 2 not in by_article  # it has its two coders already
    assert len(by_article[3]) == 1  # one more beside the coder it had
    assert len(by_article[4]) == 2


def test_existing_loads_are_evened_out():
    # Coder 10 already has three of the six articles: the new ones go to the others first.
    held = {1: {10}, 2: {10}, 3: {10}}
    for seed in range(20):
        pairs = balanced_pairs([1, 2, 3, 4, 5, 6], [10, 11, 12], held, rng=random.Random(seed))
        total = _loads(pairs, [10, 11, 12]) + Counter({10: 3})
        assert max(total.values()) - min(total.values()) <= 1


@pytest.fixture
def team(cast):
    second = factories.make_user("beth")
    third = factories.make_user("carl")
    for user in (second, third):
        cast.project.memberships.create(user=user, role="analyst")
    articles = [factories.make_article(cast.project, text=f"Text {n}.") for n in range(12)]
    return cast, [cast.analyst, second, third], articles


def test_assigning_at_random_in_the_database(team):
    cast, coders, articles = team
    ids = [a.pk for a in articles]
    made = assign_at_random(
        project=cast.project, articles=ids, coders=coders, by=cast.owner, seed=4
    )
    assert made == 24
    rows = list(Assignment.objects.values_list("article_id", "coder_id"))
    assert Counter(a for a, _ in rows) == {pk: 2 for pk in ids}
    loads = Counter(c for _, c in rows).values()
    assert max(loads) - min(loads) <= 1
    assert all(a.assigned_by == cast.owner and a.done_at is None for a in Assignment.objects.all())
    # Again: every article has its two, nothing is added or changed.
    assert assign_at_random(project=cast.project, articles=ids, coders=coders, by=cast.owner) == 0
    assert sorted(Assignment.objects.values_list("article_id", "coder_id")) == sorted(rows)


def test_the_same_seed_in_another_project_gives_the_same_draw(team):
    cast, coders, articles = team
    ids = [a.pk for a in articles]
    assign_at_random(project=cast.project, articles=ids, coders=coders, by=cast.owner, seed=11)
    first = sorted(Assignment.objects.values_list("article_id", "coder_id"))
    Assignment.objects.all().delete()
    assign_at_random(project=cast.project, articles=ids, coders=coders, by=cast.owner, seed=11)
    assert sorted(Assignment.objects.values_list("article_id", "coder_id")) == first


def test_existing_assignments_are_kept_done_or_not(team):
    cast, coders, articles = team
    assign(project=cast.project, articles=[articles[0].pk], coders=[coders[0]], by=cast.owner)
    Assignment.objects.update(done_at="2024-01-01T00:00:00Z")
    assign_at_random(
        project=cast.project, articles=[a.pk for a in articles], coders=coders, by=cast.owner
    )
    kept = Assignment.objects.get(article=articles[0], coder=coders[0])
    assert kept.done_at is not None
    assert Assignment.objects.filter(article=articles[0]).count() == 2


def test_too_few_coders_or_someone_who_does_not_code_is_refused(team):
    cast, coders, articles = team
    ids = [a.pk for a in articles]
    with pytest.raises(ValidationError) as error:
        assign_at_random(project=cast.project, articles=ids, coders=coders[:1], by=cast.owner)
    assert error.value.code == "too-few-coders"
    with pytest.raises(ValidationError) as error:
        assign(project=cast.project, articles=ids, coders=[cast.viewer], by=cast.owner)
    assert error.value.code == "not-a-coder"
    assert not Assignment.objects.exists()


def test_another_projects_articles_are_not_assigned(team):
    cast, coders, _ = team
    elsewhere = factories.make_article(factories.make_project(owner=cast.outsider))
    assert assign(project=cast.project, articles=[elsewhere.pk], coders=coders, by=cast.owner) == 0


@pytest.mark.parametrize("at_random", [False, True])
def test_a_row_made_meanwhile_is_not_counted_as_new(team, at_random):
    """Another owner's assignment that lands between the reading of what exists and the
    insert (the unique pair skips it) is not reported as one of these new ones."""
    cast, coders, articles = team
    ids = [a.pk for a in articles[:3]]
    other = factories.make_user("otto")
    cast.project.memberships.create(user=other, role="owner")
    assign(project=cast.project, articles=ids[:1], coders=coders[:1], by=other)
    with mock.patch.object(assigning, "_held", return_value={}):  # as if read before it
        if at_random:
            made = assign_at_random(
                project=cast.project, articles=ids, coders=coders[:2], by=cast.owner, seed=1
            )
        else:
            made = assign(project=cast.project, articles=ids, coders=coders[:2], by=cast.owner)
    assert made == 5
    assert Assignment.objects.count() == 6
    kept = Assignment.objects.get(article_id=ids[0], coder=coders[0])
    assert kept.assigned_by == other
