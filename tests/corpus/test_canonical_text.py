import pytest

from apps.corpus.text import (
    canonicalize,
    content_hash,
    paragraphs,
    splits_a_character,
    word_count,
)

SAMPLES = [
    "plain",
    "Caf\u00e9 and Cafe\u0301",
    "family 👨‍👩‍👧 here\r\n\r\nnext",
    "\ufeffBOM first line\nsecond",
    "  spaced   out\t\ttabs \u00a0nbsp  ",
    "مرحبا بالعالم\r\nשלום עולם",
    "a\rb\rc",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_canonicalising_twice_changes_nothing(text):
    once = canonicalize(text)
    assert canonicalize(once) == once


def test_combining_accents_are_composed_to_nfc():
    assert canonicalize("Cafe\u0301") == "Caf\u00e9"
    assert len(canonicalize("Cafe\u0301")) == 4


def test_crlf_and_lone_cr_become_paragraph_breaks():
    assert canonicalize("one\r\ntwo\rthree") == "one\n\ntwo\n\nthree"


def test_blank_lines_between_paragraphs_collapse_to_one():
    assert canonicalize("one\n\n\n\n  \n\ntwo\n") == "one\n\ntwo"


def test_each_non_empty_line_is_a_paragraph():
    assert canonicalize("one\ntwo") == "one\n\ntwo"


def test_utf8_bom_is_removed():
    assert canonicalize("\ufeffTitle") == "Title"


def test_whitespace_runs_and_no_break_spaces_collapse_to_one_space():
    assert canonicalize("  a \t b\u00a0\u00a0c  ") == "a b c"


def test_emoji_zero_width_joiner_sequences_survive_intact():
    family = "👨\u200d👩\u200d👧"
    assert canonicalize(f"family {family} here") == f"family {family} here"


def test_right_to_left_text_keeps_its_characters_and_direction_marks():
    text = "قال \u200fالمتحدث\u200f: لا"
    assert canonicalize(text) == text


def test_control_characters_and_zero_width_spaces_are_removed():
    assert canonicalize("a\x00b\x07c\u200bd") == "abcd"


def test_unicode_line_and_paragraph_separators_break_paragraphs():
    assert canonicalize("a\u2028b\u2029c") == "a\n\nb\n\nc"


def test_paragraph_offsets_are_code_points_into_the_text():
    text = canonicalize("😀 first\n\nCafé second\n\nthird")
    for start, paragraph in paragraphs(text):
        assert text[start : start + len(paragraph)] == paragraph
    assert [start for start, _ in paragraphs(text)] == [0, 9, 22]


def test_content_hash_identifies_texts_not_their_form():
    assert content_hash(canonicalize("a\r\nb")) == content_hash(canonicalize("a\n\nb"))
    assert content_hash("a") != content_hash("b")


def test_word_count_counts_words_across_paragraphs():
    assert word_count("one two\n\nthree") == 3


def test_the_dropped_characters_are_exactly_those_the_category_rule_names():
    import sys

    from apps.corpus.text import _DROPPED, _is_dropped_control

    # Every code point but the line breaks, which become LF before the rule applies.
    breaks = {"\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if ch not in breaks:
            assert bool(_DROPPED.fullmatch(ch)) == _is_dropped_control(ch), hex(code)


def test_a_character_is_split_exactly_where_grapheme_clusters_say():
    import regex

    # ASCII and Latin-1 beside combining accents, emoji sequences, flags, Hangul jamo,
    # Devanagari with its vowel signs: the quick answer for plain neighbours must agree
    # with segmenting the whole text.
    text = "Café é ñ x\u0301 👍🏽 👨‍👩‍👧 🇺🇸🇫🇷 \u1100\u1161 नमस्ते « ok » ¿sí?"
    boundaries = {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}
    for offset in range(len(text) + 1):
        assert splits_a_character(text, offset) == (offset not in boundaries), offset
