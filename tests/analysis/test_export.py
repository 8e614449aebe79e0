import csv
import io
import json
import time

import pytest
from django.db import connection
from django.urls import reverse

from apps.analysis import export, export_jsonld
from apps.analysis.export import ANNOTATION_COLUMNS, LONG_COLUMNS, annotation_records, neutralise
from apps.annotations.models import Annotation
from apps.corpus.models import Article
from apps.sampledata.demo import load_demo
from tests import factories

FORMULAS = [
    '=HYPERLINK("x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "\nx",
    "＝1",
    "＋1",
    "－1",
    "＠x",
]


def _read(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def _restore(cell: str) -> str:
    """What a reader of the export does: drop the ' that neutralised a formula."""
    if cell.startswith("'") and neutralise(cell[1:]) != cell[1:]:
        return cell[1:]
    return cell


@pytest.fixture
def coded(cast):
    bbc = factories.make_source("BBC News", country="GB", kind="public_broadcaster")
    rt = factories.make_source("RT", country="RU", kind="state_affiliated")
    text = "=cmd|' /C calc'!A0 said Peskov.\n\nKerry 😀 said: patience – is – not infinite."
    one = factories.make_article(cast.project, text=text, source=bbc, title="@Peskov")
    two = factories.make_article(cast.project, text="Lavrov answered Kerry.", source=rt)
    factories.make_story(cast.project, one, two, name="Kerry's threat")
    tags = [factories.make_tag(cast.project, "threat"), factories.make_tag(cast.project, "blame")]
    kerry = factories.make_actor(cast.project, "John Kerry")
    claim = factories.make_claim(cast.project, "-Russia is isolated")
    a = factories.make_annotation(one, cast.analyst, "=cmd|' /C calc'!A0", tags=tags, note="+note")
    b = factories.make_annotation(
        one,
        cast.owner,
        "patience – is – not infinite",
        speaker=kerry,
        claim=claim,
        voice="own",
        position="supports",
    )
    c = factories.make_annotation(two, cast.analyst, "Lavrov answered", tags=tags[:1])
    return {"one": one, "two": two, "a": a, "b": b, "c": c, "tags": tags, "kerry": kerry, "rt": rt}


def _get(client, user, name, project, **params):
    client.force_login(user)
    return client.get(reverse(name, args=[project.slug]), params)


def test_the_annotation_csv_has_one_row_per_annotation_with_every_column(client, cast, coded):
    response = _get(client, cast.viewer, "analysis:annotations-csv", cast.project)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _read(response)
    assert list(rows[0]) == ANNOTATION_COLUMNS
    by_id = {int(r["annotation_id"]): r for r in rows}
    b = by_id[coded["b"].pk]
    assert b["source"] == "BBC News" and b["source_country"] == "GB"
    assert b["source_kind"] == "public_broadcaster"
    assert b["speaker"] == "John Kerry" and (b["voice"], b["position"]) == ("own", "supports")
    assert b["claim"] == "'-Russia is isolated"  # neutralised
    assert (b["stories"], b["annotator"]) == ("Kerry's threat", "olga")
    assert by_id[coded["a"].pk]["tags"] == "blame; threat"  # codebook order
    assert by_id[coded["a"].pk]["note"] == "'+note"


def test_download_starts_with_a_bom_for_excel_unless_asked_not_to(client, cast, coded):
    body = b"".join(
        _get(client, cast.viewer, "analysis:annotations-csv", cast.project).streaming_content
    )
    assert body.startswith("\ufeff".encode())
    body = b"".join(
        _get(
            client, cast.viewer, "analysis:annotations-csv", cast.project, bom="0"
        ).streaming_content
    )
    assert body.startswith(b"annotation_id,")


@pytest.mark.parametrize("value", FORMULAS)
def test_every_formula_start_is_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "Kerry said", "", "1", 5, None])
def test_harmless_cells_are_left_alone(value):
    assert neutralise(value) == value


def test_no_exported_cell_can_start_a_formula(client, cast, coded):
    for row in _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project)):
        for value in row.values():
            assert not value.startswith(tuple(f[0] for f in FORMULAS)), value


def test_the_long_form_has_a_row_per_tag_and_untagged_annotations_once(client, cast, coded):
    rows = _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project, format="long"))
    assert list(rows[0]) == LONG_COLUMNS
    per_annotation = {}
    for row in rows:
        per_annotation.setdefault(int(row["annotation_id"]), []).append(row["tag"])
    assert per_annotation[coded["a"].pk] == ["blame", "threat"]
    assert per_annotation[coded["b"].pk] == [""]
    assert per_annotation[coded["c"].pk] == ["threat"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "rt"}, {"c"}),
        ({"tag": "blame"}, {"a"}),
        ({"actor": "kerry"}, {"b"}),
        ({"annotator": "olga"}, {"b"}),
        ({"article": "two"}, {"c"}),
        ({}, {"a", "b", "c"}),
    ],
)
def test_the_filters_select_the_same_annotations_as_the_screens(
    client, cast, coded, params, expected
):
    resolve = {
        "rt": coded["rt"].pk,
        "blame": coded["tags"][1].pk,
        "kerry": coded["kerry"].pk,
        "two": coded["two"].pk,
    }
    query = {k: resolve.get(v, v) for k, v in params.items()}
    rows = _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project, **query))
    assert {int(r["annotation_id"]) for r in rows} == {coded[k].pk for k in expected}


def test_a_round_trip_gives_back_every_quote_at_its_offsets(client, cast, coded):
    rows = _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project))
    texts = dict(Article.objects.values_list("pk", "text"))
    for row in rows:
        text = texts[int(row["article_id"])]
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == _restore(row["quote"])
        assert text[max(0, start - 32) : start] == _restore(row["prefix"])


def test_the_demo_export_round_trips_too(client, db):
    project = load_demo(with_users=True).project
    client.force_login(project.memberships.get(role="viewer").user)
    rows = _read(client.get(reverse("analysis:annotations-csv", args=[project.slug])))
    texts = dict(Article.objects.values_list("pk", "text"))
    # The coders' passages (the adjudicated ones are asked for with layer=gold).
    assert len(rows) == Annotation.objects.filter(layer="coder").count() == 49
    for row in rows:
        assert texts[int(row["article_id"])][int(row["start"]) : int(row["end"])] == _restore(
            row["quote"]
        )


def test_the_codebook_and_article_csvs(client, cast, coded):
    codebook = _read(_get(client, cast.viewer, "analysis:codebook-csv", cast.project))
    assert [(r["tag"], r["annotations"]) for r in codebook] == [("blame", "1"), ("threat", "2")]
    articles = _read(_get(client, cast.viewer, "analysis:articles-csv", cast.project))
    titles = {r["title"]: r for r in articles}
    assert "'@Peskov" in titles  # neutralised title
    assert (
        titles["'@Peskov"]["annotations"] == "2"
        and titles["'@Peskov"]["stories"] == "Kerry's threat"
    )


def test_json_ld_follows_the_web_annotation_model(client, cast, coded):
    response = _get(client, cast.viewer, "analysis:annotations-jsonld", cast.project)
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "AnnotationCollection"
    assert "code points" in data["nw:offsetUnit"]
    items = {i["id"].rsplit("-", 1)[1]: i for i in data["first"]["items"]}
    b = items[str(coded["b"].pk)]
    quote, position = b["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "patience – is – not infinite"
    assert position["type"] == "TextPositionSelector"
    assert coded["one"].text[position["start"] : position["end"]] == quote["exact"]
    assert {"purpose": "identifying", "value": "John Kerry"}.items() <= b["body"][0].items()


@pytest.mark.parametrize("per_piece", [1, 2, 3, 4])
def test_json_ld_goes_out_in_pieces_of_items_written_as_json_dumps_writes_them(
    client, cast, coded, monkeypatch, per_piece
):
    # Three annotations: one piece each, a full piece and a part, exactly one full
    # piece (nothing may follow it), and a piece larger than the export.
    monkeypatch.setattr(export_jsonld, "LINES_PER_PIECE", per_piece)
    response = _get(client, cast.viewer, "analysis:annotations-jsonld", cast.project)
    pieces = [piece.decode("utf-8") for piece in response.streaming_content]
    base_url = "http://testserver" + cast.project.get_absolute_url()
    items = [
        json.dumps(export_jsonld.web_annotation(values, tags, base_url), ensure_ascii=False)
        for values, tags, _ in annotation_records(Annotation.objects.order_by("pk"))
    ]
    assert "".join(pieces[1:-1]) == ",\n".join(items)
    assert len(json.loads("".join(pieces))["first"]["items"]) == 3
    assert len(pieces) == 2 + -(-3 // per_piece)  # the head, the items' pieces, the end
    assert "patience – is – not infinite" in "".join(pieces)  # not escaped


@pytest.mark.parametrize(
    "name",
    [
        "analysis:annotations-csv",
        "analysis:annotations-jsonld",
        "analysis:codebook-csv",
        "analysis:articles-csv",
    ],
)
def test_every_member_may_export_and_outsiders_get_404(client, cast, coded, name):
    for role in ("owner", "analyst", "viewer"):
        assert _get(client, getattr(cast, role), name, cast.project).status_code == 200
    assert _get(client, cast.outsider, name, cast.project).status_code == 404
    client.logout()
    assert client.get(reverse(name, args=[cast.project.slug])).status_code == 302
    client.force_login(cast.owner)
    assert client.post(reverse(name, args=[cast.project.slug])).status_code == 405


def test_the_query_count_of_the_export_does_not_grow_with_its_size(
    client, cast, coded, django_assert_num_queries
):
    def run():
        response = client.get(reverse("analysis:annotations-csv", args=[cast.project.slug]))
        return len(_read(response))

    # Session, user, membership, the stories, the annotations, their tag links. PostgreSQL
    # gathers the tag names in the annotations' query, streamed between lifting its
    # statement timeout and putting it back, and here in a savepoint of the test's
    # transaction.
    queries = 9 if connection.vendor == "postgresql" else 6
    client.force_login(cast.viewer)
    with django_assert_num_queries(queries):
        assert run() == 3
    for n in range(30):
        article = factories.make_article(cast.project, text=f"Article {n} text.")
        factories.make_annotation(article, cast.analyst, "text", tags=coded["tags"])
    with django_assert_num_queries(queries):
        assert run() == 33


@pytest.mark.parametrize("joined", ["tags", "stories"])
def test_a_selection_that_joins_a_many_valued_relation_exports_every_tag_once(cast, coded, joined):
    # The app's filters ask for tags with EXISTS; a query that joins the tags must not
    # make the tags column hold only the ones that matched, nor one that repeats rows
    # (an article in two stories) hold each tag twice.
    a = coded["a"]
    every = list(a.tags.order_by("position", "name").values_list("name", flat=True))
    assert len(every) == 2
    if joined == "tags":
        selection = Annotation.objects.filter(tags__name="blame")  # a's second tag, only a's
    else:
        other = factories.make_story(cast.project, coded["one"], name="Another")
        stories = [*coded["one"].stories.exclude(pk=other.pk), other]
        selection = Annotation.objects.filter(article__stories__in=stories, pk=a.pk).distinct()
    assert [(values[0], tags) for values, tags, _ in annotation_records(selection)] == [
        (a.pk, every)
    ]


def test_tags_are_exported_in_the_codebook_s_order_not_by_name(client, cast, coded):
    zeta = factories.make_tag(cast.project, "zeta", position=0)
    alpha = factories.make_tag(cast.project, "alpha", position=1)
    article = factories.make_article(cast.project, text="Ordered tags here.")
    ordered = factories.make_annotation(article, cast.analyst, "Ordered", tags=[alpha, zeta])
    rows = _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project))
    assert {r["annotation_id"]: r["tags"] for r in rows}[str(ordered.pk)] == "zeta; alpha"
    long = _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project, format="long"))
    assert [r["tag"] for r in long if r["annotation_id"] == str(ordered.pk)] == ["zeta", "alpha"]


def test_an_empty_selection_exports_the_header_alone(client, cast, coded):
    # Passages of articles "not coded yet": none, whatever the database.
    assert list(annotation_records(Annotation.objects.none())) == []
    rows = _read(
        _get(client, cast.viewer, "analysis:annotations-csv", cast.project, coded="uncoded")
    )
    assert rows == []
    response = _get(
        client, cast.viewer, "analysis:annotations-jsonld", cast.project, coded="uncoded"
    )
    assert json.loads(b"".join(response.streaming_content))["first"]["items"] == []


def _columns_of(annotation: Annotation) -> dict:
    """An annotation's own columns, to make copies of it."""
    return {
        field.attname: getattr(annotation, field.attname)
        for field in Annotation._meta.concrete_fields
        if not field.primary_key
    }


def _stop_an_export_halfway(coded, monkeypatch) -> None:
    """A download the browser cancels closes the export in the middle of its rows (on
    PostgreSQL, of its stream): the worker's next query must still be answered."""
    # Enough rows (2 MB) that the database is still sending when the export stops.
    a = coded["a"]
    copies = [Annotation(**{**_columns_of(a), "note": "n" * 400}) for _ in range(5000)]
    Annotation.objects.bulk_create(copies)
    monkeypatch.setattr(export, "LINES_PER_PIECE", 1)
    lines = export.annotation_csv(Annotation.objects.all())
    assert next(lines).startswith("annotation_id,")
    assert next(lines).startswith(str(a.pk))
    lines.close()
    assert Annotation.objects.count() == 5003


def test_an_export_stopped_halfway_leaves_the_database_usable(cast, coded, monkeypatch):
    _stop_an_export_halfway(coded, monkeypatch)  # in the test's transaction


@pytest.mark.django_db(transaction=True)
def test_an_export_stopped_halfway_in_autocommit_leaves_the_database_usable(
    cast, coded, monkeypatch
):
    _stop_an_export_halfway(coded, monkeypatch)  # as a request runs


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL streams its exports")
def test_a_statement_timeout_does_not_cut_a_slow_download_short(cast, coded, monkeypatch):
    a = coded["a"]
    # 20 MB: more than the connection's buffers hold, so the server is still sending.
    Annotation.objects.bulk_create(
        [Annotation(**{**_columns_of(a), "note": "n" * 4000}) for _ in range(5000)]
    )
    monkeypatch.setattr(export, "LINES_PER_PIECE", 1000)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '200ms'")
    pieces = []
    for piece in export.annotation_csv(Annotation.objects.all()):
        pieces.append(piece)
        time.sleep(0.1)  # a client reading slowly: 0.6 s in all
    assert sum(piece.count("\r\n") for piece in pieces) == 1 + 5003
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "200ms"  # the session's own setting, back
        cursor.execute("RESET statement_timeout")


def test_the_command_writes_csv_long_and_jsonld(cast, coded, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "a.csv"
    call_command(
        "export_annotations", "--project", cast.project.slug, "-o", str(out), "--annotator", "olga"
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [int(r["annotation_id"]) for r in rows] == [coded["b"].pk]
    call_command(
        "export_annotations",
        "--project",
        cast.project.slug,
        "--format",
        "jsonld",
        "-o",
        str(tmp_path / "a.jsonld"),
    )
    assert len(json.loads((tmp_path / "a.jsonld").read_text())["first"]["items"]) == 3


def test_several_articles_can_be_exported_together(client, cast, coded):
    ids = f"{coded['one'].pk},{coded['two'].pk}"
    rows = _read(_get(client, cast.viewer, "analysis:annotations-csv", cast.project, article=ids))
    assert len(rows) == 3
    rows = _read(
        _get(client, cast.viewer, "analysis:annotations-csv", cast.project, article=coded["two"].pk)
    )
    assert [int(r["annotation_id"]) for r in rows] == [coded["c"].pk]
