"""The annotation CSV is written by hand for speed; it must be byte for byte what
``csv.writer`` writes over the same values with the formula guard (the reference below is
the writer the export used before)."""

import csv
import io
import random
import string

import pytest
from django.urls import reverse

from apps.analysis import export
from apps.analysis.export import (
    ANNOTATION_COLUMNS,
    LONG_COLUMNS,
    TAG_SEPARATOR,
    annotation_csv,
    annotation_records,
    csv_lines,
    neutralise,
    text_cell,
)
from apps.annotations.models import Annotation
from apps.sampledata.demo import load_demo
from tests import factories


def _reference(annotations, *, long: bool, bom: bool = False) -> str:
    """csv.writer over the rows, as the export wrote them before."""

    def rows():
        for values, tags, stories in annotation_records(annotations):
            for tag in (tags or [""]) if long else [TAG_SEPARATOR.join(tags)]:
                yield export._row(values, tag, stories)

    return "".join(csv_lines(LONG_COLUMNS if long else ANNOTATION_COLUMNS, rows(), bom=bom))


def _written(annotations, *, long: bool, bom: bool = False) -> str:
    return "".join(annotation_csv(annotations, long=long, bom=bom))


def _csv_writer_cell(value: str) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(value), "x"])
    return out.getvalue().removesuffix(",x\r\n")


TRICKY = ["", " ", ",", '"', '""', "a,b", 'say "no"', "a\nb", "a\r\nb", "\r", "=1", "+1",
          "-", "@x", "\tx", "＝1", "＋", "－", "＠", "'=1", "é😀", "a'b", " lead", "trail ",
          "ok"]  # fmt: skip


@pytest.mark.parametrize("value", TRICKY)
def test_a_text_cell_is_what_csv_writer_writes_after_the_guard(value):
    assert text_cell(value) == _csv_writer_cell(value)


def test_random_text_cells_are_what_csv_writer_writes():
    alphabet = [*"a ,\"\r\n\t=+-@'é😀", "＝", "＋", "－", "＠", *string.digits[:2]]
    rng = random.Random(5)
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert text_cell(value) == _csv_writer_cell(value), repr(value)


@pytest.fixture
def awkward(cast):
    """Values that need quoting, guarding or ordering in every column that can hold them."""
    outlet = factories.make_source('The "Daily", Ltd', country="GB", kind="commercial")
    plain = factories.make_source("Wire")
    text = 'He said: "no, never".\n\nThen =SUM(A1) appeared, and +1 too.\r\n\nLast line.'
    one = factories.make_article(
        cast.project, text=text, source=outlet, title='=Title, with "quotes"', published=None
    )
    two = factories.make_article(cast.project, text="Plain words here.", source=plain)
    factories.make_story(cast.project, one, two, name="Zeta, the story")
    factories.make_story(cast.project, one, name='"Alpha"')
    # Positions out of alphabetical order: tags are listed by position, then name.
    late = factories.make_tag(cast.project, "a, late", position=9)
    early = factories.make_tag(cast.project, 'z "early"', position=1)
    same = factories.make_tag(cast.project, "=same", position=1)
    speaker = factories.make_actor(cast.project, "@Speaker, Jr.")
    claim = factories.make_claim(cast.project, "-Claim\nwith a line")
    factories.make_annotation(
        one, cast.analyst, '"no, never"', tags=[late, early, same], note="line\r\nbreak, +x"
    )
    factories.make_annotation(one, cast.owner, "=SUM(A1)", speaker=speaker, claim=claim,
                              voice="own", position="supports")  # fmt: skip
    factories.make_annotation(two, cast.analyst, "Plain", tags=[late])
    factories.make_annotation(two, cast.owner, "words")  # no tag, no note
    return cast.project


@pytest.mark.parametrize("long", [False, True])
@pytest.mark.parametrize("bom", [False, True])
def test_the_annotation_csv_is_byte_for_byte_the_csv_writers(awkward, long, bom):
    annotations = Annotation.objects.filter(article__project=awkward)
    assert _written(annotations, long=long, bom=bom) == _reference(annotations, long=long, bom=bom)


def test_the_bytes_match_when_few_articles_are_remembered(awkward, monkeypatch):
    monkeypatch.setattr(export, "ARTICLES_REMEMBERED", 1)
    annotations = Annotation.objects.filter(article__project=awkward)
    assert _written(annotations, long=False) == _reference(annotations, long=False)


def test_the_demo_export_is_byte_for_byte_the_csv_writers(db):
    project = load_demo(with_users=True).project
    annotations = Annotation.objects.filter(article__project=project)
    for long in (False, True):
        assert _written(annotations, long=long) == _reference(annotations, long=long)


def test_the_download_sends_those_bytes_in_pieces(client, awkward, cast, monkeypatch):
    monkeypatch.setattr(export, "LINES_PER_PIECE", 2)
    client.force_login(cast.viewer)
    url = reverse("analysis:annotations-csv", args=[awkward.slug])
    response = client.get(url, {"bom": "0"})
    pieces = list(response.streaming_content)
    annotations = Annotation.objects.filter(article__project=awkward)
    assert b"".join(pieces).decode() == _reference(annotations, long=False)
    assert len(pieces) == 3  # the header, then two pieces of two lines
