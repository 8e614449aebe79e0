"""The owners' Assignments page: who may see and change it, assigning (ticked articles,
every article listed, a story, two coders at random), taking back, undoing a done,
progress per coder and per story, blind coding's switch and its record, htmx and plain
answers, and a query count that does not grow with the project."""

import re

import pytest
from django.urls import reverse

from apps.annotations.models import Annotation
from apps.coding.assigning import assign, mark_done
from apps.coding.models import Assignment
from apps.projects.models import Project
from tests import factories
from tests.coding.access import assert_a_write_for_roles, assert_for_roles

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(project, name="coding:assignments", *args):
    return reverse(name, args=[project.slug, *args])


@pytest.fixture
def team(cast):
    """The cast, a second analyst, four articles (two in a story, from one outlet)."""
    cast.second = factories.make_user("beth", first_name="Beth", last_name="Ames")
    cast.project.memberships.create(user=cast.second, role="analyst")
    outlet = factories.make_source("Daily Planet")
    cast.articles = [
        factories.make_article(cast.project, text=f"Text number {n}.", title=f"Article {n}")
        for n in range(4)
    ]
    cast.articles[0].source = outlet
    cast.articles[0].save()
    cast.story = factories.make_story(cast.project, *cast.articles[:2], name="The convoy")
    return cast


def test_only_owners_see_the_page(client, team):
    assert_for_roles(client, team, _url(team.project), allowed=("owner",))


def test_the_page_shows_every_coder_and_story_with_their_progress(client, team):
    a0, a1, a2, _ = team.articles
    assign(
        project=team.project, articles=[a0.pk, a1.pk, a2.pk], coders=[team.analyst], by=team.owner
    )
    assign(project=team.project, articles=[a0.pk], coders=[team.second], by=team.owner)
    factories.make_annotation(a1, team.analyst)  # in progress
    mark_done(article=a0, coder=team.analyst)
    client.force_login(team.owner)
    page = client.get(_url(team.project)).text
    row = re.search(r"anton.*?</tr>", page, re.S).group(0)
    assert [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)] == [1, 1, 1]
    beth = re.search(r"Beth Ames.*?</tr>", page, re.S).group(0)
    assert [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', beth)] == [1, 0, 0]
    story = re.search(r"The convoy</a>.*?</tr>", page, re.S).group(0)
    assert "2 of 2 articles assigned" in story
    # the story's three assignments: one to do (Beth), one in progress, one done
    assert [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', story)] == [1, 1, 1]
    assert "olga" in page  # an owner codes too, with nothing assigned
    assert "1 article nobody has" in page
    assert page.count('class="bar-done"') >= 2  # drawn as SVG, no inline style
    assert 'style="' not in page


def test_ticked_articles_go_to_each_chosen_coder(client, team):
    a0, a1, *_ = team.articles
    client.force_login(team.owner)
    data = {
        "scope": "ticked",
        "article": [a0.pk, a1.pk],
        "coders": [team.analyst.pk, team.second.pk],
        "how": "each",
    }
    response = client.post(_url(team.project, "coding:assign"), data)
    assert response.status_code == 302
    assert sorted(Assignment.objects.values_list("article_id", "coder_id")) == sorted(
        (a.pk, c.pk) for a in (a0, a1) for c in (team.analyst, team.second)
    )
    assert all(a.assigned_by == team.owner for a in Assignment.objects.all())
    page = client.get(response["Location"]).text
    assert "4 new assignments." in page


def test_a_single_article_is_a_ticked_one(client, team):
    client.force_login(team.owner)
    data = {
        "scope": "ticked",
        "article": team.articles[3].pk,
        "coders": team.second.pk,
        "how": "each",
    }
    client.post(_url(team.project, "coding:assign"), data, **HTMX)
    assert list(Assignment.objects.values_list("article_id", "coder_id")) == [
        (team.articles[3].pk, team.second.pk)
    ]


def test_a_whole_story_is_every_article_listed_with_the_story_chosen(client, team):
    client.force_login(team.owner)
    data = {"scope": "listed", "coders": [team.analyst.pk], "how": "each"}
    current = f"http://testserver{_url(team.project)}?story={team.story.pk}"
    response = client.post(
        _url(team.project, "coding:assign"), data, **HTMX, HTTP_HX_CURRENT_URL=current
    )
    assert response.status_code == 200
    assert set(Assignment.objects.values_list("article_id", flat=True)) == {
        a.pk for a in team.articles[:2]
    }
    assert "2 new assignments." in response.text
    assert response.text.strip().startswith('<div id="work-body"')  # only the body, for htmx


def test_every_article_listed_by_outlet_without_javascript(client, team):
    client.force_login(team.owner)
    source = team.articles[0].source_id
    data = {
        "scope": "listed",
        "coders": [team.analyst.pk],
        "how": "each",
        "query": f"source={source}",
    }
    response = client.post(_url(team.project, "coding:assign"), data)
    assert response["Location"].endswith(f"?source={source}")
    assert list(Assignment.objects.values_list("article_id", flat=True)) == [team.articles[0].pk]


def test_two_coders_at_random_balanced_and_the_same_again_with_the_seed(client, team):
    third = factories.make_user("carl")
    team.project.memberships.create(user=third, role="analyst")
    client.force_login(team.owner)
    data = {
        "scope": "listed",
        "coders": [team.analyst.pk, team.second.pk, third.pk],
        "how": "pairs",
        "seed": "42",
    }
    client.post(_url(team.project, "coding:assign"), data)
    first = sorted(Assignment.objects.values_list("article_id", "coder_id"))
    assert len(first) == 8
    Assignment.objects.all().delete()
    client.post(_url(team.project, "coding:assign"), data)
    assert sorted(Assignment.objects.values_list("article_id", "coder_id")) == first


@pytest.mark.parametrize(
    "data,message",
    [
        ({"scope": "ticked", "how": "each"}, "Choose who codes them."),
        ({"scope": "ticked", "how": "each", "coders": "CODER"}, "Tick the articles to assign"),
        ({"scope": "listed", "how": "pairs", "coders": "CODER"}, "Choose at least 2 coders"),
        ({"scope": "listed", "how": "each", "coders": "VIEWER"}, "Select a valid choice"),
    ],
)
def test_a_mistake_is_said_and_nothing_assigned(client, team, data, message):
    data = {
        k: {"CODER": team.analyst.pk, "VIEWER": team.viewer.pk}.get(v, v) for k, v in data.items()
    }
    client.force_login(team.owner)
    for extra in ({}, HTMX):
        response = client.post(_url(team.project, "coding:assign"), data, **extra)
        assert response.status_code == 422
        assert message in response.text
    assert not Assignment.objects.exists()


def test_ticked_articles_stay_ticked_after_a_mistake(client, team):
    client.force_login(team.owner)
    data = {"scope": "ticked", "article": [team.articles[2].pk], "how": "each"}
    response = client.post(_url(team.project, "coding:assign"), data, **HTMX)
    assert response.status_code == 422
    assert f'value="{team.articles[2].pk}" form="assign-form"' in response.text
    ticked = re.findall(r'value="(\d+)" form="assign-form"[^>]* checked', response.text)
    assert ticked == [str(team.articles[2].pk)]


def test_assigning_taking_back_and_undoing_are_for_owners(client, team):
    article = team.articles[0]
    data = {"scope": "ticked", "article": article.pk, "coders": team.analyst.pk, "how": "each"}
    response = assert_a_write_for_roles(
        client, team, _url(team.project, "coding:assign"), data, ("owner",)
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    mark_done(article=article, coder=team.analyst)
    url = _url(team.project, "coding:reopen", assignment.pk)
    response = assert_a_write_for_roles(client, team, url, {}, ("owner",))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.done_at is None
    url = _url(team.project, "coding:unassign", assignment.pk)
    response = assert_a_write_for_roles(client, team, url, {}, ("owner",))
    assert not Assignment.objects.exists()


def test_taking_back_and_undoing_with_htmx_answer_the_body_again(client, team):
    article = team.articles[0]
    assign(project=team.project, articles=[article.pk], coders=[team.analyst], by=team.owner)
    passage = factories.make_annotation(article, team.analyst)
    assignment = mark_done(article=article, coder=team.analyst)
    client.force_login(team.owner)
    page = client.get(_url(team.project)).text
    assert "Undo done" in page and "Take back" in page
    response = client.post(_url(team.project, "coding:reopen", assignment.pk), **HTMX)
    assert response.status_code == 200
    assert f"“{article.title}” is to code again for anton." in response.text
    assert "Undo done" not in response.text
    response = client.post(_url(team.project, "coding:unassign", assignment.pk), **HTMX)
    assert f"“{article.title}” taken back from anton." in response.text
    assert "Take back" not in response.text
    assert Annotation.objects.filter(pk=passage.pk).exists()  # their work stays


def test_another_projects_assignment_is_not_found(client, team):
    other = factories.make_project(owner=team.owner, analyst=team.analyst)
    article = factories.make_article(other)
    assign(project=other, articles=[article.pk], coders=[team.analyst], by=team.owner)
    assignment = Assignment.objects.get()
    client.force_login(team.owner)
    assert client.post(_url(team.project, "coding:unassign", assignment.pk)).status_code == 404
    assert Assignment.objects.exists()


def test_the_list_filters_by_story_outlet_and_those_nobody_has(client, team):
    assign(
        project=team.project, articles=[team.articles[1].pk], coders=[team.analyst], by=team.owner
    )
    client.force_login(team.owner)

    def listed(**params):
        text = client.get(_url(team.project), params, **HTMX).text
        return set(re.findall(r'name="article" value="(\d+)"', text))

    assert listed() == {str(a.pk) for a in team.articles}
    assert listed(story=team.story.pk) == {str(a.pk) for a in team.articles[:2]}
    assert listed(source=team.articles[0].source_id) == {str(team.articles[0].pk)}
    assert listed(show="unassigned") == {str(a.pk) for a in team.articles if a != team.articles[1]}
    assert listed(story="nonsense") == set()  # a mistake lists nothing, not everything


def test_htmx_gets_the_body_and_a_page_load_the_page(client, team):
    client.force_login(team.owner)
    full = client.get(_url(team.project)).text
    assert "<html" in full and 'id="blind-coding"' in full
    part = client.get(_url(team.project), **HTMX).text
    assert "<html" not in part and part.strip().startswith('<div id="work-body"')


def test_blind_coding_is_switched_by_owners_and_the_history_says_who(client, team):
    url = _url(team.project, "coding:blind-coding")
    response = assert_a_write_for_roles(client, team, url, {"on": "1"}, ("owner",))
    assert response.status_code == 302
    assert Project.objects.get(pk=team.project.pk).blind_coding
    page = client.get(_url(team.project)).text
    assert "Blind coding is on" in page and "Switched on by olga" in page
    response = client.post(url, {"on": "0"}, **HTMX)
    assert response.text.strip().startswith('<section id="blind-coding"')
    assert "Blind coding is off" in response.text
    assert not Project.objects.get(pk=team.project.pk).blind_coding
    record = team.project.history.order_by("-history_id").first()
    assert record.history_user == team.owner and record.blind_coding is False
    activity = client.get(reverse("annotations:activity", args=[team.project.slug])).text
    assert "Blind coding" in activity and "<del>on</del> → <ins>off</ins>" in activity


def test_the_query_count_does_not_grow_with_the_project(
    client, team, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            article = factories.make_article(team.project, text=f"More text {n} {i}.")
            factories.make_story(team.project, article)
            assign(
                project=team.project,
                articles=[article.pk],
                coders=[team.analyst, team.second],
                by=team.owner,
            )
            factories.make_annotation(article, team.analyst)
            mark_done(article=article, coder=team.second)

    client.force_login(team.owner)
    grow(2)
    with django_assert_max_num_queries(16) as small:
        client.get(_url(team.project))
    grow(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(_url(team.project)).text
    assert page.count('form="assign-form"') == 36
