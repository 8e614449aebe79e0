import uuid

import pytest
from django.urls import reverse

from apps.annotations.forms import CreateAnnotationForm
from apps.annotations.models import Annotation, Claim
from tests import factories

TEXT = "The family 👨\u200d👩\u200d👧 waited.\n\nKerry said patience is not infinite."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article(cast):
    return factories.make_article(cast.project, text=TEXT)


def _url(article):
    return reverse("annotations:create", args=[article.project.slug, article.pk])


def _data(article, quote="Kerry said", **extra):
    start = article.text.index(quote)
    data = {
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "text_hash": article.content_hash,
        "client_token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", ["owner", "analyst"])
def test_owners_and_analysts_can_annotate(client, cast, article, role):
    client.force_login(getattr(cast, role))
    response = client.post(_url(article), _data(article))
    annotation = Annotation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#h{annotation.pk}"
    assert annotation.annotator == getattr(cast, role)
    assert annotation.quote == "Kerry said"


def test_a_viewer_is_refused_with_a_reason(client, cast, article):
    client.force_login(cast.viewer)
    response = client.post(_url(article), _data(article))
    assert response.status_code == 403
    assert "Viewers can read and export, but not annotate." in response.text
    assert not Annotation.objects.exists()


def test_an_outsider_gets_404(client, cast, article):
    client.force_login(cast.outsider)
    assert client.post(_url(article), _data(article)).status_code == 404
    assert not Annotation.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, article):
    response = client.post(_url(article), _data(article))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_creating_needs_a_post(client, cast, article):
    client.force_login(cast.analyst)
    assert client.get(_url(article)).status_code == 405


def test_the_csrf_token_is_required(cast, article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.analyst)
    assert client.post(_url(article), _data(article)).status_code == 403


def test_with_htmx_the_new_highlight_comes_back_with_a_fresh_form(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article), **HTMX)
    annotation = Annotation.objects.get()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#reader-body"
    assert f'<mark id="h{annotation.pk}"' in response.text
    assert 'id="annotation-form"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "(1)" in response.text  # the sidebar count


def test_offsets_after_an_emoji_are_code_points(client, cast, article):
    client.force_login(cast.analyst)
    client.post(_url(article), _data(article, "waited"))
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end) == (17, 23)


def test_a_mismatching_quote_is_refused_with_422_in_the_form(client, cast, article):
    tag = factories.make_tag(cast.project, "blame")
    client.force_login(cast.analyst)
    data = _data(article, quote="Kerry said")
    data["quote"] = "Putin said"
    response = client.post(_url(article), data, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#annotation-form"
    assert "does not match the article" in response.text
    assert not Annotation.objects.exists()
    # The form comes back whole: the codebook to pick from, the passage it is about.
    assert f'name="tags" value="{tag.pk}"' in response.text
    assert "“Putin said”" in response.text


def test_without_htmx_errors_come_back_on_the_whole_page(client, cast, article):
    client.force_login(cast.analyst)
    data = _data(article)
    data["end"] = 10_000
    response = client.post(_url(article), data)
    assert response.status_code == 422
    assert "outside the article" in response.text
    assert "<html" in response.text


def test_a_stale_page_is_refused_with_409(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, text_hash="0" * 64), **HTMX)
    assert response.status_code == 409
    assert "text has changed since this page was loaded" in response.text
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("start", "-1"), ("end", "x"), ("client_token", "not-a-uuid")]
)
def test_malformed_fields_get_422_not_500(client, cast, article, field, value):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, **{field: value}), **HTMX)
    assert response.status_code == 422


def test_a_form_posted_twice_creates_one_annotation(client, cast, article):
    client.force_login(cast.analyst)
    data = _data(article)
    client.post(_url(article), data, **HTMX)
    client.post(_url(article), data, **HTMX)
    assert Annotation.objects.count() == 1


def test_tags_speaker_target_claim_stance_and_note_are_saved(client, cast, article):
    tags = [factories.make_tag(cast.project, "a"), factories.make_tag(cast.project, "b")]
    factories.make_actor(cast.project, "John Kerry", aliases="Kerry\nSecretary Kerry")
    factories.make_actor(cast.project, "Vladimir Putin")
    claim = factories.make_claim(cast.project, "Russia is isolated")
    client.force_login(cast.analyst)
    client.post(
        _url(article),
        _data(
            article,
            tags=[t.pk for t in tags],
            speaker="secretary kerry",  # an alias, in another case
            target="Vladimir Putin",
            claim="russia is isolated",
            voice="own",
            position="supports",
            note="Threat framed as patience.",
        ),
    )
    annotation = Annotation.objects.get()
    assert set(annotation.tags.all()) == set(tags)
    assert annotation.speaker.name == "John Kerry"
    assert annotation.target.name == "Vladimir Putin"
    assert annotation.claim == claim and (annotation.voice, annotation.position) == (
        "own",
        "supports",
    )
    assert annotation.note == "Threat framed as patience."


def test_an_unknown_actor_is_refused_with_advice(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, speaker="Nobody Known"), **HTMX)
    assert response.status_code == 422
    assert "No actor called “Nobody Known” in this project" in response.text


def test_a_new_claim_is_created_inline_only_when_asked(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, claim="Patience is running out"), **HTMX)
    assert response.status_code == 422
    assert "tick “Create this claim”" in response.text
    assert not Claim.objects.exists()
    client.post(
        _url(article), _data(article, claim="Patience is running out", create_claim="on"), **HTMX
    )
    assert Annotation.objects.get().claim.text == "Patience is running out"


def test_a_stance_without_a_claim_is_refused(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, voice="own", position="supports"), **HTMX)
    assert response.status_code == 422
    assert "A stance is taken towards a claim" in response.text


def test_a_tag_of_another_project_is_refused(client, cast, article):
    foreign = factories.make_tag(factories.make_project(), "elsewhere")
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, tags=[foreign.pk]), **HTMX)
    assert response.status_code == 422
    assert f"Select a valid choice. {foreign.pk} is not one of the available" in response.text
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "sent",
    [["x1"], ["999999"], ["999999", "x1"], ["-1"], [" 5"], ["²"], ["1.0"], ["5\x00"], "5"],
)
def test_tags_checked_against_the_codebook_get_the_errors_of_a_lookup(cast, sent):
    """The create view checks tags against the codebook it has read (no query of its
    own), with the same errors as the field's database lookup."""
    factories.make_tag(cast.project, "aid")
    tags = list(cast.project.tags.all())
    looked_up = CreateAnnotationForm({"tags": sent}, project=cast.project)
    known = CreateAnnotationForm({"tags": sent}, project=cast.project, tags=tags)
    assert not looked_up.is_valid() and not known.is_valid()
    assert known.errors["tags"] == looked_up.errors["tags"]


def test_tags_given_twice_are_chosen_once_in_codebook_order(cast):
    later = factories.make_tag(cast.project, "later", position=2)
    first = factories.make_tag(cast.project, "first", position=1)
    sent = {"tags": [str(later.pk), str(first.pk), str(later.pk)]}
    codebook = list(cast.project.tags.all())
    for form in (
        CreateAnnotationForm(sent, project=cast.project),
        CreateAnnotationForm(sent, project=cast.project, tags=codebook),
    ):
        form.is_valid()
        assert list(form.cleaned_data["tags"]) == [first, later]


def test_an_actor_of_another_project_is_not_found(client, cast, article):
    factories.make_actor(factories.make_project(), "Hidden Person")
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article, speaker="Hidden Person"), **HTMX)
    assert response.status_code == 422
    assert not Annotation.objects.exists()


def test_an_article_of_another_project_is_404(client, cast):
    foreign = factories.make_article(factories.make_project(), text=TEXT)
    client.force_login(cast.analyst)
    url = reverse("annotations:create", args=[cast.project.slug, foreign.pk])
    assert client.post(url, _data(foreign)).status_code == 404


def test_creating_takes_a_fixed_number_of_queries(
    client, cast, article, django_assert_max_num_queries
):
    tags = [factories.make_tag(cast.project) for _ in range(5)]
    client.force_login(cast.analyst)
    with django_assert_max_num_queries(16):
        client.post(_url(article), _data(article, tags=[t.pk for t in tags]))


def test_a_claim_created_inline_joins_the_claim_list_at_once(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(
        _url(article), _data(article, claim="Patience is running out", create_claim="on"), **HTMX
    )
    oob_list = response.text.split('<datalist id="claim-list" hx-swap-oob="true">')[1]
    assert '<option value="Patience is running out">' in oob_list


def test_saving_with_htmx_keeps_the_filters_of_the_page(client, cast, article):
    tag = factories.make_tag(cast.project, "kept")
    factories.make_annotation(article, cast.owner, "The family", note="olga's")
    client.force_login(cast.analyst)
    response = client.post(
        _url(article),
        _data(article, tags=[tag.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{article.get_absolute_url()}?annotator=me",
    )
    assert "(1 of 2)" in response.text
    assert "olga&#x27;s" not in response.text


def test_a_token_reused_by_someone_else_does_not_return_their_annotation(client, cast, article):
    data = _data(article)
    client.force_login(cast.owner)
    client.post(_url(article), data)
    client.force_login(cast.analyst)
    response = client.post(_url(article), data, **HTMX)
    assert response.status_code == 409
    assert "already used for another annotation" in response.text
    assert Annotation.objects.get().annotator == cast.owner


def test_a_token_replayed_with_another_passage_is_refused_not_reported_saved(client, cast, article):
    first = _data(article, "Kerry said")
    client.force_login(cast.analyst)
    assert client.post(_url(article), first, **HTMX).status_code == 200
    again = client.post(_url(article), first, **HTMX)  # a double submit: the same one back
    assert again.status_code == 200 and Annotation.objects.count() == 1
    other = _data(article, "The family", client_token=first["client_token"])
    response = client.post(_url(article), other, **HTMX)
    assert response.status_code == 409
    assert "This form already saved the passage “Kerry said”" in response.text
    assert list(Annotation.objects.values_list("quote", flat=True)) == ["Kerry said"]


def test_the_page_is_told_which_annotation_was_saved(client, cast, article):
    client.force_login(cast.analyst)
    response = client.post(_url(article), _data(article), **HTMX)
    assert (
        response["HX-Trigger"] == f'{{"annotationSaved": {{"id": {Annotation.objects.get().pk}}}}}'
    )


def test_a_form_with_ten_thousand_tags_or_a_long_note_gets_a_field_error(client, cast, article):
    client.force_login(cast.analyst)
    data = _data(article, tags=[str(n) for n in range(10_000)])
    response = client.post(_url(article), data, **HTMX)
    assert response.status_code == 422 and response["HX-Retarget"] == "#annotation-form"
    assert "An annotation takes at most 200 tags; this form sent 10,000." in response.text
    response = client.post(_url(article), _data(article, note="x" * 1_000_000), **HTMX)
    assert response.status_code == 422
    assert "at most 5000 characters" in response.text
    assert not Annotation.objects.exists()


def test_a_form_over_the_sites_limits_says_so_instead_of_a_bare_400(
    client, cast, article, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client.force_login(cast.analyst)
    data = _data(article, tags=[str(n) for n in range(100)])
    response = client.post(_url(article), data, **HTMX)
    assert response.status_code == 413
    assert (
        response.text == "This sent more than 50 fields, more than a form may: nothing was saved."
    )
    page = client.post(_url(article), data)  # without JavaScript: a page that says so
    assert page.status_code == 413 and "Too much at once" in page.text and "<html" in page.text
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client.post(_url(article), _data(article, note="x" * 2_000_000), **HTMX)
    assert response.status_code == 413 and "over 1 MB of form data" in response.text
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("chosen", [[], ["aid"]])
def test_the_form_given_the_codebook_checks_tags_without_a_query(
    cast, article, chosen, django_assert_num_queries
):
    codebook = [factories.make_tag(cast.project, "aid"), factories.make_tag(cast.project, "war")]
    by_name = {tag.name: tag for tag in codebook}
    data = {**_data(article), "tags": [str(by_name[name].pk) for name in chosen]}
    form = CreateAnnotationForm(data, project=cast.project, tags=codebook)
    with django_assert_num_queries(0):
        assert form.is_valid(), form.errors
    assert list(form.cleaned_data["tags"]) == [by_name[name] for name in chosen]
    foreign = factories.make_tag(factories.make_project("other"), "aid")
    stray = CreateAnnotationForm(
        {**data, "tags": [str(foreign.pk)]}, project=cast.project, tags=codebook
    )
    with django_assert_num_queries(0):
        assert not stray.is_valid()
    assert "tags" in stray.errors
