import random
from dataclasses import dataclass

import pytest

from apps.annotations.segments import render_text, segment


@dataclass
class S:
    pk: int
    start: int
    end: int


def flat(paragraphs):
    return [(s.start, s.end, s.text, s.covering) for row in paragraphs for s in row]


def test_a_text_without_annotations_is_one_segment_per_paragraph():
    assert flat(segment("one\n\ntwo", [])) == [(0, 3, "one", ()), (5, 8, "two", ())]


def test_an_annotation_splits_its_paragraph_at_both_boundaries():
    assert flat(segment("abcdef", [S(1, 2, 4)])) == [
        (0, 2, "ab", ()),
        (2, 4, "cd", (1,)),
        (4, 6, "ef", ()),
    ]


def test_overlapping_annotations_split_at_every_boundary_and_list_both():
    assert flat(segment("abcdefgh", [S(1, 1, 5), S(2, 3, 7)])) == [
        (0, 1, "a", ()),
        (1, 3, "bc", (1,)),
        (3, 5, "de", (1, 2)),
        (5, 7, "fg", (2,)),
        (7, 8, "h", ()),
    ]


def test_nested_annotations_list_the_outer_one_first():
    segments = flat(segment("abcdefgh", [S(2, 3, 5), S(1, 1, 7)]))
    assert (3, 5, "de", (1, 2)) in segments


def test_adjacent_annotations_do_not_overlap():
    assert flat(segment("abcd", [S(1, 0, 2), S(2, 2, 4)])) == [
        (0, 2, "ab", (1,)),
        (2, 4, "cd", (2,)),
    ]


def test_identical_spans_cover_the_same_segment():
    assert flat(segment("abcd", [S(2, 1, 3), S(1, 1, 3)]))[1] == (1, 3, "bc", (1, 2))


def test_an_annotation_across_paragraphs_covers_both_sides_but_not_the_gap():
    assert flat(segment("abc\n\ndef", [S(1, 1, 7)])) == [
        (0, 1, "a", ()),
        (1, 3, "bc", (1,)),
        (5, 7, "de", (1,)),
        (7, 8, "f", ()),
    ]


def test_segment_offsets_are_code_points_around_emoji_and_combining_marks():
    text = "a👨\u200d👩\u200d👧b café e\u0301!"
    start = text.index("b")
    segments = flat(segment(text, [S(1, start, start + 1)]))
    assert segments[1] == (6, 7, "b", (1,))
    for s, e, t, _ in segments:
        assert text[s:e] == t


def test_spans_beyond_the_text_are_clipped_and_empty_ones_ignored():
    assert flat(segment("abc", [S(1, 2, 99), S(2, 5, 9)])) == [(0, 2, "ab", ()), (2, 3, "c", (1,))]


def test_an_empty_text_has_one_empty_paragraph():
    assert segment("", []) == [[]]


def test_a_long_text_with_many_annotations_keeps_every_character_once():
    text = "\n\n".join(f"Paragraph {n} with some words in it." for n in range(500))
    spans = [S(i, i * 37 % len(text), i * 37 % len(text) + 50) for i in range(1, 1000)]
    rebuilt = "\n\n".join("".join(s.text for s in row) for row in segment(text, spans))
    assert rebuilt == text


def covering_by_character(text, spans):
    """The reference: for each paragraph character, the spans over it, outermost first
    (earliest start, then longest, then id), worked out one character at a time."""
    order = sorted(spans, key=lambda s: (max(0, s.start), -min(len(text), s.end), s.pk))
    return {
        i: tuple(s.pk for s in order if max(0, s.start) <= i < min(len(text), s.end))
        for i in range(len(text))
        if text[i] != "\n"
    }


@pytest.mark.parametrize("seed", range(40))
def test_segments_agree_with_a_character_by_character_reading(seed):
    """Random paragraphs (empty ones too) and spans (across breaks, beyond the text,
    empty, sharing boundaries): a row per paragraph, an empty one for an empty paragraph;
    segments cut exactly at the boundaries of the (clipped, non-empty) spans inside a
    paragraph, each covered by what each of its characters is covered by; and asking for
    the first rows only gives those rows."""
    rng = random.Random(seed)
    text = "\n\n".join("x" * rng.choice([0, 1, 3, 8, 20]) for _ in range(rng.randint(1, 8)))
    spans = [
        S(pk, start, start + rng.randint(-2, 25))
        for pk in range(1, rng.randint(1, 30))
        for start in [rng.randint(-3, len(text) + 2)]
    ]
    expected = covering_by_character(text, spans)
    clipped = [(max(0, s.start), min(len(text), s.end)) for s in spans]
    boundaries = {offset for a, b in clipped if b > a for offset in (a, b)}
    rows = segment(text, spans)
    assert len(rows) == len(text.split("\n\n"))
    offset = 0
    for paragraph, row in zip(text.split("\n\n"), rows, strict=True):
        end = offset + len(paragraph)
        cuts = [seg.start for seg in row] + ([end] if row else [])
        assert cuts == sorted({offset, end} | {b for b in boundaries if offset < b < end}) or (
            not paragraph and row == []
        )
        for seg in row:
            assert seg.text == text[seg.start : seg.end]
            assert all(expected[i] == seg.covering for i in range(seg.start, seg.end))
        offset = end + 2
    for upto in range(len(rows)):
        assert segment(text, spans, upto) == rows[: upto + 1]


def test_rendered_text_escapes_the_article_and_the_hover_text():
    html = render_text("<b>x</b> & y", [S(1, 0, 3)], describe={1: '"><script>'})
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_rendered_segments_carry_offsets_ids_and_depth():
    html = render_text("abcdef", [S(7, 1, 4), S(8, 2, 3)], colour_class={7: "t1", 8: "t2"})
    assert '<span class="seg" data-o="0">a</span>' in html
    assert '<mark id="h7" class="seg hl d1 c1-t1" data-o="1" data-a="7"' in html
    assert '<mark id="h8" class="seg hl d2 c1-t1 c2-t2" data-o="2" data-a="7 8"' in html


def test_annotations_starting_together_each_get_an_anchor():
    html = render_text("abcdef", [S(1, 1, 3), S(2, 1, 4)])
    assert 'id="h2"' in html and 'id="h1"' in html


@pytest.mark.parametrize("text", ["", "x", "a\n\nb"])
def test_rendering_without_annotations_has_one_paragraph_per_paragraph(text):
    assert render_text(text, []).count("<p>") == len(text.split("\n\n"))


def test_a_paragraph_rendered_alone_is_that_paragraph_of_the_whole_text():
    """After a write only its paragraphs are rendered (and those after them not even
    walked): each must be exactly what the whole text puts there, anchors included."""
    text = "\n\n".join(f"Paragraph {n} with some words in it." for n in range(6))
    spans = [S(i, i * 37 % len(text), i * 37 % len(text) + 60) for i in range(1, 40)]
    whole = render_text(text, spans, numbered=True)
    for number in range(6):
        alone = render_text(text, spans, only={number})
        assert alone.count("<p ") == 1
        expected = whole.split(f'<p id="p{number}">')[1].split("</p>")[0]
        assert alone == f'<p id="p{number}" hx-swap-oob="true">{expected}</p>'
