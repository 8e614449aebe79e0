"""Invariants the database itself enforces, whichever code path writes."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from apps.annotations.models import Annotation, Tag
from apps.corpus.models import Article
from tests import factories


@pytest.fixture
def article(cast):
    return factories.make_article(cast.project)


def _insert_annotation(article, user, **fields):
    values = {"start": 0, "end": 6, "quote": "Russia", **fields}
    with transaction.atomic():
        return Annotation.objects.create(article=article, annotator=user, **values)


def test_an_annotation_cannot_end_before_it_starts(article, cast):
    with pytest.raises(IntegrityError):
        _insert_annotation(article, cast.analyst, start=5, end=5)
    with pytest.raises(IntegrityError):
        _insert_annotation(article, cast.analyst, start=9, end=2)


def test_a_stance_without_a_claim_is_refused(article, cast):
    with pytest.raises(IntegrityError):
        _insert_annotation(article, cast.analyst, voice="own", position="supports")


def test_an_unknown_stance_is_refused(article, cast):
    claim = factories.make_claim(cast.project)
    with pytest.raises(IntegrityError):
        _insert_annotation(article, cast.analyst, claim=claim, voice="believes")


def test_an_empty_quote_is_refused(article, cast):
    with pytest.raises(IntegrityError):
        _insert_annotation(article, cast.analyst, quote="")


def test_two_articles_of_a_project_cannot_share_a_url(cast):
    factories.make_article(cast.project, text="one", url="https://example.org/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_article(cast.project, text="two", url="https://example.org/a")


def test_the_same_url_may_appear_in_two_projects(cast):
    other = factories.make_project()
    factories.make_article(cast.project, text="one", url="https://example.org/a")
    factories.make_article(other, text="one", url="https://example.org/a")
    assert Article.objects.filter(url="https://example.org/a").count() == 2


def test_many_articles_without_url_are_allowed(cast):
    factories.make_article(cast.project, text="one", url="")
    factories.make_article(cast.project, text="two", url="")
    assert cast.project.articles.filter(url="").count() == 2


def test_the_same_text_twice_in_a_project_is_refused(cast):
    factories.make_article(cast.project, text="Same words.")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_article(cast.project, text="Same   words.\r\n")


def test_an_empty_article_text_is_refused(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_article(cast.project, text="  \n ")


@pytest.mark.parametrize(
    ("model_factory", "field"),
    [
        (factories.make_tag, "name"),
        (factories.make_actor, "name"),
        (factories.make_claim, "text"),
    ],
)
def test_codebook_names_are_unique_within_a_project(cast, model_factory, field):
    model_factory(cast.project, "Peskov")
    with pytest.raises(IntegrityError), transaction.atomic():
        model_factory(cast.project, "Peskov")
    model_factory(factories.make_project(), "Peskov")  # another project may reuse it


def test_story_names_are_unique_within_a_project(cast):
    factories.make_story(cast.project, name="Aleppo")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_story(cast.project, name="Aleppo")


def test_a_tag_colour_must_be_a_hex_colour(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_tag(cast.project, color="red;}x{")


def test_a_shortcut_is_one_digit_and_unique_in_the_project(cast):
    factories.make_tag(cast.project, shortcut="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_tag(cast.project, shortcut="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_tag(cast.project, shortcut="x")
    factories.make_tag(cast.project, shortcut="")
    factories.make_tag(cast.project, shortcut="")  # many tags have no shortcut


def test_a_membership_is_unique_per_user_and_project(cast):
    from apps.projects.models import Membership

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(project=cast.project, user=cast.viewer, role="analyst")


def test_deleting_an_annotated_article_is_refused(article, cast):
    factories.make_annotation(article, cast.analyst)
    with pytest.raises(ProtectedError):
        article.delete()


def test_deleting_a_tag_in_use_is_refused(article, cast):
    tag = factories.make_tag(cast.project)
    factories.make_annotation(article, cast.analyst, tags=[tag])
    with pytest.raises(ProtectedError):
        tag.delete()
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_deleting_an_annotator_is_refused(article, cast):
    factories.make_annotation(article, cast.analyst)
    with pytest.raises(ProtectedError):
        cast.analyst.delete()


def test_deleting_a_speaker_or_claim_in_use_is_refused(article, cast):
    actor = factories.make_actor(cast.project)
    claim = factories.make_claim(cast.project)
    factories.make_annotation(
        article, cast.analyst, speaker=actor, claim=claim, voice="reported", position="supports"
    )
    with pytest.raises(ProtectedError):
        actor.delete()
    with pytest.raises(ProtectedError):
        claim.delete()


def test_deleting_a_project_with_articles_is_refused(article, cast):
    with pytest.raises(ProtectedError):
        cast.project.delete()


def test_tag_links_carry_their_annotations_article(article, cast):
    from apps.annotations.models import AnnotationTag

    tags = [factories.make_tag(cast.project), factories.make_tag(cast.project)]
    annotation = factories.make_annotation(article, cast.analyst, tags=tags[:1])
    from apps.annotations.annotating import update_annotation

    update_annotation(
        annotation=annotation,
        version=1,
        tags=tags,
        speaker=None,
        target=None,
        claim=None,
        voice="",
        position="",
        note="",
    )
    assert set(AnnotationTag.objects.values_list("article_id", flat=True)) == {article.pk}
