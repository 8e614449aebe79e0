"""A query compiled once (``apps.accounts.compiled``) answers what its QuerySet would, for
each call's values, with the fields' conversions, related objects and deferred columns."""

from datetime import date

import pytest
from django.db.models import Q
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from apps.accounts.compiled import CompiledQuery, columns, related_columns
from apps.accounts.models import User
from apps.annotations.models import Annotation, Tag
from apps.annotations.reader import load_rows
from apps.annotations.reader_page import codebook
from apps.coding.models import Adjudication, Assignment
from apps.corpus.models import Article
from apps.projects.access import get_membership
from apps.projects.models import Membership, Project
from tests import factories


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_each_call_is_answered_with_its_own_values(cast):
    first = factories.make_article(cast.project, "The first text.", title="First")
    second = factories.make_article(cast.project, "The second text.", title="Second")
    for article in (first, second, first):
        factories.make_annotation(article, cast.analyst)
    titles = CompiledQuery(
        lambda *, article_id: (
            Annotation.objects.filter(article_id=article_id)
            .order_by("pk")
            .values_list("pk", "article__title")
        )
    )
    for article in (first, second, first):
        expected = list(
            Annotation.objects.filter(article_id=article.pk)
            .order_by("pk")
            .values_list("pk", "article__title")
        )
        assert titles.rows(article_id=article.pk) == expected
    assert titles.rows(article_id=10**9) == []


def test_the_query_is_built_once_per_shape(cast):
    factories.make_article(cast.project, title="Kept")
    built = []

    def build(published: bool, *, project_id):
        built.append(published)
        condition = Q(published__isnull=not published)
        return Article.objects.filter(condition, project_id=project_id).values_list("title")

    query = CompiledQuery(build)
    for _ in range(3):
        assert query.rows(False, project_id=cast.project.pk) == [("Kept",)]
        assert query.rows(True, project_id=cast.project.pk) == []
    # Each shape: with stand-ins, then with its first call's values, to check them.
    assert built == [False, False, True, True]


def test_dates_are_converted_as_the_queryset_converts_them(cast):
    factories.make_article(cast.project, title="Dated", published=date(2016, 9, 22))
    query = CompiledQuery(
        lambda *, project_id: Article.objects.filter(project_id=project_id).values_list("published")
    )
    assert query.rows(project_id=cast.project.pk) == [(date(2016, 9, 22),)]


def test_a_value_the_query_does_not_send_is_refused(cast):
    query = CompiledQuery(lambda *, project_id: Tag.objects.values_list("pk"))
    with pytest.raises(ValueError, match="project_id"):
        query.rows(project_id=cast.project.pk)


@pytest.mark.parametrize("value", [True, 1.5, None])
def test_only_whole_numbers_and_strings_are_values(cast, value):
    query = CompiledQuery(lambda *, pk: Tag.objects.filter(pk=pk).values_list("pk"))
    assert query.rows(pk=1) == []  # compiled
    with pytest.raises(TypeError):
        query.rows(pk=value)


def test_a_number_given_as_text_is_refused_not_compared_as_text(cast):
    article = factories.make_article(cast.project)
    query = CompiledQuery(lambda *, pk: Article.objects.filter(pk=pk).values_list("pk"))
    assert query.rows(pk=article.pk) == [(article.pk,)]
    with pytest.raises(ValueError):  # the ORM would make it a number on the way
        query.rows(pk=str(article.pk))


def test_a_membership_comes_with_its_project_and_user_in_one_query(cast, django_assert_num_queries):
    cast.project.blind_coding = True
    cast.project.save()
    with django_assert_num_queries(1):
        membership = get_membership(_request(cast.analyst), cast.project.slug)
        assert membership.project.slug == cast.project.slug
        assert membership.project.blind_coding is True
        assert membership.user.username == cast.analyst.username
    expected = Membership.objects.select_related("project", "user").get(pk=membership.pk)
    for found, same, model in [
        (membership, expected, Membership),
        (membership.project, expected.project, Project),
        (membership.user, expected.user, User),
    ]:
        for name in columns(model):
            assert getattr(found, name) == getattr(same, name), name


def test_someone_elses_project_is_not_found(cast):
    with pytest.raises(Http404):
        get_membership(_request(cast.outsider), cast.project.slug)
    with pytest.raises(Http404):
        get_membership(_request(cast.analyst), "no-such-project")


def test_the_codebook_is_the_projects_tags_in_order(cast, django_assert_num_queries):
    factories.make_tag(cast.project, "Zeta", position=0)
    factories.make_tag(cast.project, "Alpha", position=1)
    factories.make_tag(cast.project, "Beta", position=1, archived=True)
    factories.make_tag(factories.make_project("Other", owner=cast.owner), "Elsewhere")
    with django_assert_num_queries(1):
        tags = codebook(cast.project)
        assert [tag.project.slug for tag in tags] == [cast.project.slug] * 3
    expected = list(cast.project.tags.all())
    assert [tag.name for tag in tags] == ["Zeta", "Alpha", "Beta"]
    for tag, same in zip(tags, expected, strict=True):
        for name in columns(Tag):
            if name != "shortcut":  # keys 1–9 are given in the response to a codebook without
                assert getattr(tag, name) == getattr(same, name)


def _with_header():
    return CompiledQuery(
        lambda *, pk: Article.objects.filter(pk=pk).values_list(
            *columns(Article, leaving_out=["raw"]),
            *related_columns(Article, "source"),
            *related_columns(Article, "adjudication"),
        )
    )


def test_a_related_object_the_join_did_not_find_is_none(cast, django_assert_num_queries):
    article = factories.make_article(cast.project, source=factories.make_source("Reuters"))
    (found,) = _with_header().instances(Article, pk=article.pk)
    with django_assert_num_queries(0):
        assert found.source.name == "Reuters"
        assert getattr(found, "adjudication", None) is None
    raw = Article.objects.get(pk=article.pk).raw
    with django_assert_num_queries(1):  # the column left out, read when asked for
        assert found.raw == raw


def test_a_related_object_found_is_cached_with_its_columns(cast, django_assert_num_queries):
    article = factories.make_article(cast.project)
    adjudication = Adjudication.objects.create(article=article, adjudicator=cast.owner)
    (found,) = _with_header().instances(Article, pk=article.pk)
    with django_assert_num_queries(0):
        assert found.adjudication.article is found  # as select_related leaves it
        assert found.adjudication.pk == adjudication.pk
        assert found.adjudication.adjudicator_id == cast.owner.pk
        assert found.adjudication.started_at == adjudication.started_at  # converted


def test_instances_need_each_related_objects_primary_key(cast):
    article = factories.make_article(cast.project)
    query = CompiledQuery(
        lambda *, pk: Article.objects.filter(pk=pk).values_list(*columns(Article), "source__name")
    )
    assert query.rows(pk=article.pk)  # rows read any column
    with pytest.raises(ValueError, match="primary key"):
        query.instances(Article, pk=article.pk)


def test_two_numbers_each_go_to_their_own_place(cast):
    article = factories.make_article(cast.project, "One text.")
    other = factories.make_project("Other", owner=cast.owner)
    query = CompiledQuery(
        lambda *, project_id, pk: Article.objects.filter(project_id=project_id, pk=pk).values_list(
            "title"
        )
    )
    assert query.rows(project_id=cast.project.pk, pk=article.pk) == [(article.title,)]
    assert query.rows(project_id=other.pk, pk=article.pk) == []


def test_a_lookup_that_changes_its_value_is_refused(cast):
    query = CompiledQuery(lambda *, part: Tag.objects.filter(name__contains=part).values_list("pk"))
    with pytest.raises(ValueError):
        query.rows(part="a_b")


def test_a_number_no_column_holds_finds_nothing(cast):
    query = CompiledQuery(lambda *, pk: Article.objects.filter(pk=pk).values_list("pk"))
    assert query.rows(pk=10**20) == []
    assert query.rows(pk=-(10**20)) == []


def test_instances_take_columns_in_any_order(cast):
    article = factories.make_article(cast.project, "Ordered text.", published=date(2016, 9, 1))
    backwards = tuple(reversed(columns(Article, leaving_out=["raw"])))
    query = CompiledQuery(lambda *, pk: Article.objects.filter(pk=pk).values_list(*backwards))
    (found,) = query.instances(Article, pk=article.pk)
    assert (found.title, found.text, found.published) == (
        article.title,
        "Ordered text.",
        date(2016, 9, 1),
    )
    assert (found.pk, found.project_id) == (article.pk, cast.project.pk)


def test_instances_are_of_the_querys_model_by_attname(cast):
    article = factories.make_article(cast.project)
    query = CompiledQuery(lambda *, pk: Article.objects.filter(pk=pk).values_list("pk", "title"))
    with pytest.raises(ValueError, match="attname"):
        query.instances(Article, pk=article.pk)
    with pytest.raises(ValueError, match="reads Article"):
        query.instances(Tag, pk=article.pk)
    assert query.rows(pk=article.pk) == [(article.pk, article.title)]


def test_rows_read_transformed_columns(cast):
    factories.make_article(cast.project, published=date(2016, 9, 1))
    query = CompiledQuery(
        lambda *, project_id: Article.objects.filter(project_id=project_id).values_list(
            "published__year"
        )
    )
    assert query.rows(project_id=cast.project.pk) == [(2016,)]


def test_a_blinded_analyst_reads_their_own_passages_until_done(cast):
    cast.project.blind_coding = True
    cast.project.save()
    article = factories.make_article(cast.project, "Peskov said the strikes go on.")
    mine = factories.make_annotation(article, cast.analyst, "Peskov")
    theirs = factories.make_annotation(article, cast.owner, "strikes")
    membership = Membership.objects.select_related("project", "user").get(user=cast.analyst)
    owner = Membership.objects.select_related("project", "user").get(user=cast.owner)
    tags = codebook(cast.project)
    assert [r.pk for r in load_rows(article, tags, seen_by=membership)] == [mine.pk]
    assert [r.pk for r in load_rows(article, tags, seen_by=owner)] == [mine.pk, theirs.pk]
    Assignment.objects.create(article=article, coder=cast.analyst, done_at=timezone.now())
    assert [r.pk for r in load_rows(article, tags, seen_by=membership)] == [mine.pk, theirs.pk]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_article_id_no_column_holds_is_not_found(client, cast, method):
    client.force_login(cast.analyst)
    url = f"/p/{cast.project.slug}/articles/{10**20}/"
    response = client.get(url) if method == "get" else client.post(url + "annotations/", {})
    assert response.status_code == 404
