import uuid

import pytest
from django.core.exceptions import ValidationError

from apps.annotations.anchoring import revise_article
from apps.annotations.annotating import StaleText, create_annotation
from apps.annotations.models import Actor, Annotation, Claim, Tag
from apps.corpus.models import Article
from tests import factories

TRICKY = (
    "The family 👨\u200d👩\u200d👧 waited.\n\n"
    "Caf\u00e9 owners said: «enough».\n\n"
    "قال المتحدث إن الهدنة انتهت\n\n"
    "Kerry said patience is not infinite."
)


@pytest.fixture
def article(cast):
    return factories.make_article(cast.project, text=TRICKY)


def _span(article, quote):
    start = article.text.index(quote)
    return start, start + len(quote)


def _post(article, annotator, passage, **more):
    """``create_annotation``'s arguments for ``passage`` of the article."""
    start, end = _span(article, passage)
    return {"article": article, "annotator": annotator, "start": start, "end": end, **more}


def test_the_stored_quote_is_the_servers_slice_of_the_text(article, cast):
    start, end = _span(article, "Kerry said")
    annotation = create_annotation(
        article=article, annotator=cast.analyst, start=start, end=end, quote="Kerry said"
    )
    assert annotation.quote == article.text[annotation.start : annotation.end] == "Kerry said"


def test_offsets_after_an_emoji_count_code_points_not_utf16_units(article, cast):
    start, end = _span(article, "waited")
    annotation = create_annotation(
        article=article, annotator=cast.analyst, start=start, end=end, quote="waited"
    )
    # 'The family ' is 11 code points, the family emoji 5 (three people, two joiners),
    # then a space: 17. Counting UTF-16 units, as JavaScript does, would give 20.
    assert annotation.start == 17
    assert article.text[annotation.start : annotation.end] == "waited"


def test_right_to_left_and_accented_quotes_round_trip(article, cast):
    for quote in ("المتحدث إن الهدنة", "Caf\u00e9 owners"):
        start, end = _span(article, quote)
        annotation = create_annotation(
            article=article, annotator=cast.analyst, start=start, end=end, quote=quote
        )
        assert annotation.quote == quote


def test_a_quote_that_does_not_match_the_text_is_refused(article, cast):
    start, end = _span(article, "Kerry said")
    with pytest.raises(ValidationError) as error:
        create_annotation(
            article=article, annotator=cast.analyst, start=start, end=end, quote="Lavrov said"
        )
    assert error.value.code == "quote_mismatch"
    assert not Annotation.objects.exists()


def test_a_quote_seen_with_other_whitespace_is_accepted(article, cast):
    quote = "waited.\n\nCaf\u00e9"
    start, end = _span(article, quote)
    annotation = create_annotation(
        article=article, annotator=cast.analyst, start=start, end=end, quote="waited.\nCaf\u00e9"
    )
    assert annotation.quote == quote


@pytest.mark.parametrize(("start", "end"), [(-1, 4), (5, 5), (9, 3), (0, 1_000_000)])
def test_offsets_out_of_range_are_refused(article, cast, start, end):
    with pytest.raises(ValidationError) as error:
        create_annotation(article=article, annotator=cast.analyst, start=start, end=end)
    assert error.value.code == "out_of_range"


def test_a_selection_of_only_whitespace_is_refused(article, cast):
    start = article.text.index("\n\n")
    with pytest.raises(ValidationError):
        create_annotation(article=article, annotator=cast.analyst, start=start, end=start + 2)


def test_a_page_showing_an_older_text_is_refused(article, cast):
    start, end = _span(article, "Kerry")
    with pytest.raises(StaleText):
        create_annotation(
            article=article, annotator=cast.analyst, start=start, end=end, text_hash="0" * 64
        )


def test_prefix_and_suffix_keep_32_code_points_of_context(article, cast):
    start, end = _span(article, "Kerry said")
    annotation = create_annotation(article=article, annotator=cast.analyst, start=start, end=end)
    assert annotation.prefix == article.text[start - 32 : start]
    assert annotation.suffix == article.text[end : end + 32]


def test_context_is_shorter_at_the_edges_of_the_text(article, cast):
    annotation = create_annotation(article=article, annotator=cast.analyst, start=0, end=3)
    assert annotation.prefix == ""
    assert len(annotation.suffix) == 32


@pytest.mark.parametrize("field", ["tags", "speaker", "target", "claim"])
def test_codebook_entries_of_another_project_are_refused(article, cast, field):
    other = factories.make_project()
    foreign = {
        "tags": [factories.make_tag(other)],
        "speaker": factories.make_actor(other),
        "target": factories.make_actor(other),
        "claim": factories.make_claim(other),
    }[field]
    with pytest.raises(ValidationError) as error:
        factories.make_annotation(article, cast.analyst, **{field: foreign})
    assert field in error.value.message_dict
    assert not Annotation.objects.exists()


def test_a_stance_needs_a_claim(article, cast):
    with pytest.raises(ValidationError) as error:
        factories.make_annotation(article, cast.analyst, voice="own", position="supports")
    assert "voice" in error.value.message_dict


def test_tags_speaker_target_claim_and_stance_are_stored(article, cast):
    tags = [factories.make_tag(cast.project), factories.make_tag(cast.project)]
    speaker, target = factories.make_actor(cast.project), factories.make_actor(cast.project)
    claim = factories.make_claim(cast.project)
    annotation = factories.make_annotation(
        article,
        cast.analyst,
        "Kerry said",
        tags=tags,
        speaker=speaker,
        target=target,
        claim=claim,
        voice="own",
        position="disputes",
        note="  check the date  ",
    )
    annotation.refresh_from_db()
    assert set(annotation.tags.all()) == set(tags)
    assert (annotation.speaker, annotation.target, annotation.claim) == (speaker, target, claim)
    assert (annotation.voice, annotation.position) == ("own", "disputes")
    assert annotation.note == "check the date"
    assert Tag.objects.count() == 2


GRAPHEMES = (
    "Flags 🇺🇦🇸🇾 waved. A thumbs-up 👍🏽 came. The family 👨\u200d👩\u200d👧 waited. "
    "The letter q\u0301 stays."  # a letter and a combining accent with no composed form
)


@pytest.mark.parametrize(
    ("inside", "side"),
    [
        ("🇺🇦🇸🇾", "start"),  # between a flag's two regional indicators
        ("🇺🇦🇸🇾", "end"),
        ("👍🏽", "end"),  # between the emoji and its skin tone
        ("👨\u200d👩\u200d👧", "end"),  # inside a ZWJ sequence
        ("q\u0301", "end"),  # between a letter and its accent
    ],
)
def test_a_selection_that_cuts_through_a_character_is_refused(cast, inside, side):
    article = factories.make_article(cast.project, text=GRAPHEMES)
    text = article.text
    assert inside in text  # canonical text (NFC) keeps each of them as it is
    at = text.index(inside) + 1  # one code point into the character
    start, end = (at, text.index(" ", at)) if side == "start" else (text.index(inside) - 6, at)
    with pytest.raises(ValidationError) as error:
        create_annotation(
            article=article, annotator=cast.analyst, start=start, end=end, quote=text[start:end]
        )
    assert error.value.code == "splits_character"
    # The whole character is fine.
    whole = text.index(inside)
    annotation = create_annotation(
        article=article,
        annotator=cast.analyst,
        start=whole,
        end=whole + len(inside),
        quote=inside,
    )
    assert annotation.quote == inside


def test_boundaries_of_characters_are_found_in_code_points():
    from apps.corpus.text import splits_a_character

    text = "a🇺🇦b\n\u0301x"  # a combining mark at a line's start stands alone
    assert [splits_a_character(text, i) for i in range(len(text) + 1)] == [
        False, False, True, False, False, False, False, False,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("first_by", "passage", "outcome"),
    [
        ("analyst", "Kerry said", "the first"),  # a double click: the same post twice
        ("analyst", "waited", "token_replayed"),  # the same form, another passage
        ("owner", "Kerry said", "token_reused"),  # someone else's token
    ],
)
def test_a_post_whose_token_was_used_leaves_nothing_of_its_own(
    article, cast, first_by, passage, outcome
):
    """The token's unique index settles it (asked at the insert, not before, so a race
    is the same case): the same post gets the first annotation, anything else a refusal,
    never an error page or a second annotation; the claim and the actor this post would
    have made are rolled back with it."""
    token = uuid.uuid4()
    start, end = _span(article, passage)
    create_annotation(
        article=article, annotator=getattr(cast, first_by), start=start, end=end, client_token=token
    )
    again = _post(
        article,
        cast.analyst,
        "Kerry said",
        client_token=token,
        new_claim="A claim only this post names",
        new_speaker="An actor only this post names",
    )
    if outcome == "the first":
        assert create_annotation(**again) == Annotation.objects.get()
    else:
        with pytest.raises(ValidationError) as refused:
            create_annotation(**again)
        assert refused.value.code == outcome
    assert Annotation.objects.count() == 1
    assert not Claim.objects.filter(text__startswith="A claim only").exists()
    assert not Actor.objects.filter(name__startswith="An actor only").exists()


@pytest.mark.parametrize(
    ("saved", "revision", "outcome"),
    [
        (True, "{}\n\nA closing line.", "the first"),  # the passage stayed where it was
        (True, "A first line.\n\n{}", "token_replayed"),  # it moved: not the same passage
        (False, "{}\n\nA closing line.", "stale"),  # the form never saved
    ],
)
def test_a_post_sent_again_after_the_text_was_revised(article, cast, saved, revision, outcome):
    """The first post saved before an owner revised the text; the same form sent again
    (the old page's hash) gets that annotation, or the refusal that names the passage it
    saved, not a 409 asking to select the passage again (which would make a second one).
    A form that never saved is stale, as before."""
    post = _post(
        article,
        cast.analyst,
        "Kerry said",
        quote="Kerry said",
        text_hash=article.content_hash,
        client_token=uuid.uuid4(),
    )
    first = create_annotation(**post) if saved else None
    revise_article(article=article, new_text=revision.format(article.text), author=cast.owner)
    post["article"] = Article.objects.get(pk=article.pk)  # as the next request reads it
    if outcome == "the first":
        assert create_annotation(**post) == first
    elif outcome == "token_replayed":
        with pytest.raises(ValidationError) as refused:
            create_annotation(**post)
        assert refused.value.code == "token_replayed"
        assert "Kerry said" in refused.value.messages[0]
    else:
        with pytest.raises(StaleText):
            create_annotation(**post)
    assert Annotation.objects.count() == (1 if saved else 0)
