"""Revisions re-anchor every annotation; nothing moves silently, nothing is dropped."""

import pytest

from apps.annotations.anchoring import OffsetMap, revise_article
from apps.annotations.models import Annotation
from apps.corpus.models import ArticleRevision
from apps.sampledata.demo import load_demo
from tests import factories

TEXT = (
    "Kerry said on Wednesday that “our patience is not infinite”.\n\n"
    "Gerasimov replied that Russia is in full compliance with the ceasefire.\n\n"
    "The American side always has problems with the opposition under its control.\n\n"
    "Gerasimov replied that Russia is in full compliance with the ceasefire."
)


@pytest.fixture
def article(cast):
    return factories.make_article(cast.project, text=TEXT)


def _annotate(article, user, quote, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = article.text.index(quote, start + 1)
    from apps.annotations.annotating import create_annotation

    return create_annotation(article=article, annotator=user, start=start, end=start + len(quote))


def _fresh(annotation):
    annotation.refresh_from_db()
    return annotation


def test_offsets_map_through_insertions_and_deletions():
    offsets = OffsetMap("abc def ghi", "abc XX def ghi")
    assert offsets.map(4) == 7  # 'd' moved right by three
    offsets = OffsetMap("abc def ghi", "abc ghi")
    assert offsets.map(8) == 4  # 'g' moved left
    assert offsets.map(5) == 4  # inside the deleted word: its edge


def test_offsets_map_in_code_points_across_emoji():
    offsets = OffsetMap("a😀b c", "a😀😀b c")
    assert offsets.map(2) == 3


def test_a_paragraph_inserted_before_moves_annotations_with_their_words(article, cast):
    annotation = _annotate(article, cast.analyst, "full compliance")
    summary = revise_article(
        article=article, new_text="A new first paragraph.\n\n" + TEXT, author=cast.owner
    )
    annotation = _fresh(annotation)
    article.refresh_from_db()
    assert (summary.moved, summary.exact) == (1, 0)
    assert article.text[annotation.start : annotation.end] == "full compliance"
    assert annotation.anchor_status == "anchored"


def test_an_edit_after_the_passage_keeps_it_exact(article, cast):
    annotation = _annotate(article, cast.analyst, "Kerry said")
    summary = revise_article(article=article, new_text=TEXT + "\n\nA closing line.", author=None)
    assert summary.exact == 1
    assert (_fresh(annotation).start, annotation.end) == (0, 10)


def test_a_paragraph_deleted_before_moves_and_the_deleted_passage_is_orphaned(article, cast):
    kept = _annotate(article, cast.analyst, "opposition under its control")
    lost = _annotate(article, cast.analyst, "our patience is not infinite")
    new = TEXT.split("\n\n", 1)[1]
    summary = revise_article(article=article, new_text=new, author=None)
    assert (summary.moved, summary.orphaned) == (1, 1)
    lost = _fresh(lost)
    assert lost.anchor_status == "orphaned"
    assert lost.quote == "our patience is not infinite"  # kept for its analyst
    article.refresh_from_db()
    kept = _fresh(kept)
    assert article.text[kept.start : kept.end] == "opposition under its control"


def test_a_word_changed_inside_the_quote_asks_for_review(article, cast):
    annotation = _annotate(article, cast.analyst, "always has problems with the opposition")
    new = TEXT.replace("always has problems", "always had problems")
    summary = revise_article(article=article, new_text=new, author=None)
    annotation = _fresh(annotation)
    assert summary.needs_review == 1
    assert annotation.anchor_status == "needs_review"
    assert annotation.original_quote == "always has problems with the opposition"
    assert "had problems with the opposition" in annotation.quote
    article.refresh_from_db()
    assert article.text[annotation.start : annotation.end] == annotation.quote


def test_recleaning_quotes_and_spaces_keeps_annotations_anchored(article, cast):
    annotation = _annotate(article, cast.analyst, "our patience is not infinite")
    untouched = _annotate(article, cast.analyst, "Gerasimov replied")
    new = TEXT.replace("“", '"').replace("”", '"').replace("the ceasefire", "the  ceasefire")
    summary = revise_article(article=article, new_text=new, author=None)
    assert summary.orphaned == 0
    assert _fresh(annotation).anchor_status == "anchored"
    assert _fresh(untouched).anchor_status == "anchored"


def test_a_repeated_phrase_is_found_at_its_own_occurrence(article, cast):
    second = _annotate(article, cast.analyst, "Gerasimov replied", occurrence=1)
    # The diff cannot map it (the paragraph between changed a lot), so the quote is
    # searched for, and the context picks the second occurrence.
    new = TEXT.replace(
        "The American side always has problems with the opposition under its control.",
        "Completely different words were written here instead, many of them.",
    )
    revise_article(article=article, new_text=new, author=None)
    second = _fresh(second)
    assert second.start == new.rindex("Gerasimov replied")


def test_crlf_input_is_canonicalised_before_it_is_compared(article, cast):
    annotation = _annotate(article, cast.analyst, "Kerry said")
    assert (
        revise_article(article=article, new_text=TEXT.replace("\n\n", "\r\n"), author=None) is None
    )
    assert _fresh(annotation).version == 1


def test_the_old_text_is_kept_with_the_summary(article, cast):
    _annotate(article, cast.analyst, "Kerry said")
    revise_article(article=article, new_text="Prefix.\n\n" + TEXT, author=cast.owner, reason="fix")
    article.refresh_from_db()
    revision = ArticleRevision.objects.get()
    assert (revision.number, article.revision) == (1, 2)
    assert revision.text == TEXT
    assert revision.summary == {"exact": 0, "moved": 1, "needs_review": 0, "orphaned": 0}
    assert revision.replaced_by == cast.owner


def test_a_revision_bumps_versions_so_open_edit_forms_conflict(article, cast):
    annotation = _annotate(article, cast.analyst, "Kerry said")
    revise_article(article=article, new_text="Prefix.\n\n" + TEXT, author=None)
    assert _fresh(annotation).version == 2


def test_revising_twice_keeps_the_analysts_own_quote_for_review(article, cast):
    annotation = _annotate(article, cast.analyst, "always has problems with the opposition")
    first = TEXT.replace("always has problems", "always had problems")
    revise_article(article=article, new_text=first, author=None)
    revise_article(article=article, new_text=first + "\n\nMore.", author=None)
    assert _fresh(annotation).original_quote == "always has problems with the opposition"


def test_the_demo_corpus_survives_a_recleaning_edit(db):
    """Share re-anchored exactly on realistic edits of the five demo articles."""
    project = load_demo(with_users=True).project
    total = anchored = orphaned = 0
    for article in project.articles.all():
        text = article.text
        edited = "Editor's note: this article was updated.\n\n" + text.replace('"', "“", 1).replace(
            "  ", " "
        )
        paragraphs = edited.split("\n\n")
        paragraphs.insert(len(paragraphs) // 2, "An inserted paragraph in the middle.")
        summary = revise_article(article=article, new_text="\n\n".join(paragraphs), author=None)
        total += summary.total
        anchored += summary.exact + summary.moved
        orphaned += summary.orphaned
    # The coders' 49 passages, and the 7 adjudicated ones of the BBC article, which
    # follow the text like any passage.
    assert total == Annotation.objects.count() == 56
    assert Annotation.objects.filter(layer="coder").count() == 49
    assert orphaned == 0
    # 88 % of the coders' (the other six contain the quotation mark made curly).
    assert Annotation.objects.filter(layer="coder", anchor_status="anchored").count() == 43
    assert anchored == 43 + 6
    for annotation in Annotation.objects.filter(anchor_status="needs_review"):
        assert '"' in annotation.original_quote  # the character that was edited
    for annotation in Annotation.objects.filter(anchor_status="anchored").select_related("article"):
        assert annotation.article.text[annotation.start : annotation.end] == annotation.quote


REPEATED = (
    "Kerry said patience is not infinite. Moscow answered at once.\n\n"
    "Later that week the envoy met the press in Geneva and took questions.\n\n"
    "Asked again, he repeated it: Kerry said patience is not infinite. Nobody replied."
)


@pytest.mark.parametrize(
    "edit",
    [
        # The annotated (second) copy is deleted with its sentence…
        REPEATED.replace(
            " Kerry said patience is not infinite. Nobody replied.", " Nobody replied."
        ),
        # …or reworded: the first copy still reads the same.
        REPEATED.replace(
            "repeated it: Kerry said patience is not infinite.",
            "repeated it: Kerry said patience is short.",
        ),
    ],
)
def test_a_repeated_passage_is_never_reported_anchored_at_the_other_copy(cast, edit):
    quote = "Kerry said patience is not infinite."
    article = factories.make_article(cast.project, text=REPEATED)
    annotation = factories.make_annotation(article, cast.analyst, quote)
    second = REPEATED.rindex(quote)  # the analyst annotated the second copy
    Annotation.objects.filter(pk=annotation.pk).update(
        start=second,
        end=second + len(quote),
        prefix=REPEATED[max(0, second - 64) : second],
        suffix=REPEATED[second + len(quote) : second + len(quote) + 64],
    )
    revise_article(article=article, new_text=edit, author=None)
    annotation.refresh_from_db()
    first = edit.index(quote)
    assert not (annotation.anchor_status == "anchored" and annotation.start == first)
    assert annotation.anchor_status in ("needs_review", "orphaned")


def test_a_passage_moved_whole_with_its_context_is_still_found(cast):
    quote = "Kerry said patience is not infinite."
    article = factories.make_article(cast.project, text=REPEATED)
    annotation = factories.make_annotation(article, cast.analyst, "Moscow answered at once.")
    paragraphs = REPEATED.split("\n\n")
    moved = "\n\n".join([paragraphs[1], paragraphs[0], paragraphs[2]])  # first two swapped
    revise_article(article=article, new_text=moved, author=None)
    annotation.refresh_from_db()
    assert annotation.anchor_status == "anchored"
    assert moved[annotation.start : annotation.end] == "Moscow answered at once."
    assert quote in moved


def test_a_whole_paragraph_printed_twice_keeps_its_annotation_off_the_other_copy(cast):
    """The words and their context repeat (a CMS printed the paragraph twice): deleting the
    annotated copy must not anchor the annotation at the other one."""
    twice = (
        "Moscow answered at once and without delay. Kerry said patience is not infinite, "
        "and he said so twice over. Nobody replied."
    )  # the annotation's context lies within the paragraph: it repeats too
    text = f"{twice}\n\nA paragraph between them.\n\n{twice}"
    article = factories.make_article(cast.project, text=text)
    annotation = factories.make_annotation(article, cast.analyst, "patience is not infinite")
    assert annotation.start < len(twice)  # on the first copy
    revise_article(article=article, new_text=text[len(twice) + 2 :], author=None)
    annotation.refresh_from_db()
    assert annotation.anchor_status in ("needs_review", "orphaned")


def test_text_inserted_into_a_passage_is_not_mistaken_for_the_passage_moving(cast):
    """A passage beginning with a sentence's last character: a paragraph inserted just
    after that character ends with the same character, so the quote reads whole again a
    few characters on. Its words were cut, so it is for review."""
    text = "He left.\n\nThe military alliance made progress. In fact, it did."
    article = factories.make_article(cast.project, text=text)
    annotation = factories.make_annotation(article, cast.analyst, ".\n\nThe military alliance")
    new = text.replace("He left.\n\n", "He left.\n\nA paragraph added later.\n\n")
    revise_article(article=article, new_text=new, author=None)
    annotation.refresh_from_db()
    assert annotation.anchor_status == "needs_review"


def test_a_name_replaced_where_annotated_and_mentioned_elsewhere_is_not_moved_there(cast):
    """The only "Kerry" before and after, but in another sentence: another mention."""
    text = "Kerry said patience is not infinite.\n\nLavrov answered at once."
    article = factories.make_article(cast.project, text=text)
    annotation = factories.make_annotation(article, cast.analyst, "Kerry")
    new = "The secretary said patience is not infinite.\n\nLavrov answered Kerry at once."
    revise_article(article=article, new_text=new, author=None)
    annotation.refresh_from_db()
    assert annotation.anchor_status in ("needs_review", "orphaned")


def test_overlapping_copies_count_as_several():
    from apps.annotations.anchoring import _copies

    assert (_copies("ha ha ha", "ha ha"), _copies("ha ha", "ha ha"), _copies("x", "ha")) == (
        2,
        1,
        0,
    )
