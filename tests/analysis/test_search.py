"""Search: the query language, the same answers on PostgreSQL and SQLite (this module
runs on both; every expected answer is written out), snippets, filters and the page."""

import csv
import io
import re

import pytest
from django.db import connection
from django.urls import reverse

from apps.analysis.forms import SearchForm
from apps.analysis.search import MAX_QUERY, MAX_TERMS, QueryError, Term, parse, search, snippets
from apps.annotations.anchoring import revise_article
from apps.annotations.models import Annotation
from tests import factories


def test_words_phrases_and_beginnings():
    query = parse('Convoy  “grain deal” sanct* US-led "x"')
    assert query.terms == (
        Term(("Convoy",)),  # as typed: each engine folds case itself
        Term(("grain", "deal")),
        Term(("sanct",), prefix=True),
        Term(("US", "led")),  # a hyphenated word is a phrase of its parts, as indexed
        Term(("x",)),
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Type a word"),
        ("  ?! -- ", "Type a word"),
        ("x" * (MAX_QUERY + 1), f"at most {MAX_QUERY} characters"),
        (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), f"at most {MAX_TERMS} words"),
        ("a*", "at least two letters"),
    ],
)
def test_a_query_that_cannot_be_searched_says_why(text, reason):
    with pytest.raises(QueryError, match=reason):
        parse(text)


def test_the_same_word_twice_is_one_term_and_counts_once():
    assert len(parse("Kerry kerry KERRY").terms) == 1
    assert len(parse(" ".join(["kerry"] * (MAX_TERMS + 5)) + " putin").terms) == 2


@pytest.fixture
def corpus(cast):
    """Texts where the right answer to each query is known."""
    bbc = factories.make_source("BBC News")
    rt = factories.make_source("RT")
    project = cast.project
    a = factories.make_article(
        project,
        title="Convoy strike near Aleppo",
        text="The US-led coalition denied it. Café owners said 3.5 tonnes of aid burned.\n\n"
        "Kerry said patience is not infinite.",
        source=bbc,
        published="2016-09-20",
    )
    b = factories.make_article(
        project,
        title="Moscow blames Washington",
        text="Russia said the strike on the convoy was a provocation. Sanctions followed.",
        source=rt,
        published="2016-09-21",
    )
    c = factories.make_article(
        project, title="Grain", text="A grain deal was signed in Istanbul.", source=rt
    )
    # Another project's article holds every word: it must never be found.
    elsewhere = factories.make_project("Elsewhere", owner=cast.outsider)
    factories.make_article(elsewhere, title="Convoy strike Kerry", text="convoy strike Kerry US")
    tag = factories.make_tag(project, "blame")
    blamed = factories.make_annotation(
        b, cast.analyst, "the strike on the convoy", tags=[tag], note="Blames the US", voice=""
    )
    return {"a": a, "b": b, "c": c, "tag": tag, "blamed": blamed, "project": project}


def _find(cast, text, **filters):
    form = SearchForm({"q": text, **filters})
    assert form.is_valid(), form.errors
    articles, annotations = form.selection(cast.project, cast.analyst)
    results = search(
        form.cleaned_data["q"], project=cast.project, articles=articles, annotations=annotations
    )
    titles = {hit.article.title for hit in results.articles}
    passages = {p.annotation.quote for hit in results.articles for p in hit.passages}
    return titles, passages, results


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("convoy", {"Convoy strike near Aleppo", "Moscow blames Washington"}),
        ("CONVOY STRIKE", {"Convoy strike near Aleppo", "Moscow blames Washington"}),
        ('"convoy strike"', {"Convoy strike near Aleppo"}),  # a phrase keeps its order
        ('"strike convoy"', set()),
        ("led", {"Convoy strike near Aleppo"}),  # US-led is two words
        ("US-led", {"Convoy strike near Aleppo"}),
        ("café", {"Convoy strike near Aleppo"}),
        ("cafe", set()),  # accents count, on both databases
        ("5", {"Convoy strike near Aleppo"}),  # 3.5 is two words, on both
        ("sanct*", {"Moscow blames Washington"}),
        ("sanct", set()),
        ("kerry aleppo", {"Convoy strike near Aleppo"}),  # title and text together
        ("kerry sanctions", set()),  # every word must occur
        ("grain deal", {"Grain"}),
        ('"Aleppo The"', {"Convoy strike near Aleppo"}),  # from the title into the text
    ],
)
def test_articles_found_are_the_same_on_every_database(cast, corpus, query, titles):
    found, _, _ = _find(cast, query)
    assert found == titles


def test_passages_are_found_by_quote_and_note_and_listed_under_their_article(cast, corpus):
    titles, passages, results = _find(cast, "blames")  # in a title, and in a note
    assert titles == {"Moscow blames Washington"}
    assert passages == {"the strike on the convoy"}
    assert (results.article_count, results.passage_count) == (1, 1)
    _, passages, _ = _find(cast, "US")
    assert passages == {"the strike on the convoy"}  # its note: "Blames the US"


def test_an_article_with_only_a_matching_passage_is_listed_after_those_whose_text_matches(
    cast, corpus
):
    factories.make_annotation(corpus["c"], cast.analyst, "grain deal", note="Kerry's deal")
    _, _, results = _find(cast, "kerry")
    assert [hit.article.title for hit in results.articles] == ["Convoy strike near Aleppo", "Grain"]
    assert results.articles[1].snippets == []  # its text does not say Kerry


def test_the_index_follows_edits_and_deletions(cast, corpus):
    assert _find(cast, "provocation")[0] == {"Moscow blames Washington"}
    revise_article(
        article=corpus["b"],
        new_text="Russia said the strike on the convoy was a mistake. Sanctions followed.",
        author=cast.owner,
    )
    assert _find(cast, "provocation")[0] == set()
    assert _find(cast, "mistake")[0] == {"Moscow blames Washington"}
    Annotation.objects.filter(pk=corpus["blamed"].pk).update(note="now about Ankara")
    assert _find(cast, "ankara")[1] == {"the strike on the convoy"}
    corpus["c"].delete()
    assert _find(cast, "grain")[0] == set()


def test_filters_narrow_the_search(cast, corpus):
    assert _find(cast, "convoy", source=str(corpus["a"].source_id))[0] == {
        "Convoy strike near Aleppo"
    }
    assert _find(cast, "convoy", since="2016-09-21")[0] == {"Moscow blames Washington"}
    # A filter on passages finds the articles that have such a passage.
    assert _find(cast, "convoy", tag=str(corpus["tag"].pk))[0] == {"Moscow blames Washington"}
    assert _find(cast, "convoy", coded="coded")[0] == {"Moscow blames Washington"}
    assert _find(cast, "convoy", coded="uncoded")[0] == {"Convoy strike near Aleppo"}
    assert _find(cast, "convoy", voice="own", position="disputes")[0] == set()
    with pytest.raises(AssertionError, match="not coded yet have no passages"):
        _find(cast, "convoy", coded="uncoded", tag=str(corpus["tag"].pk))
    factories.make_story(cast.project, corpus["a"], name="The convoy")
    story = cast.project.stories.get().pk
    assert _find(cast, "convoy", story=str(story))[0] == {"Convoy strike near Aleppo"}


def test_an_article_shows_its_first_passages_in_reading_order_and_counts_the_rest(cast):
    words = ["Kerry one.", "Kerry two.", "Kerry three.", "Kerry four.", "Kerry five."]
    article = factories.make_article(cast.project, title="Talks", text=" ".join(words))
    for quote in reversed(words):  # coded from the end: the order is the text's
        factories.make_annotation(article, cast.analyst, quote)
    _, _, results = _find(cast, "kerry")
    (hit,) = results.articles
    assert [p.annotation.quote for p in hit.passages] == words[:3]
    assert hit.more_passages == 2 and results.passage_count == 5


def test_actors_and_claims_are_matched_by_name_alias_and_text(cast, corpus):
    factories.make_actor(cast.project, "John Kerry", aliases="Secretary of State")
    factories.make_actor(cast.project, "Sergei Lavrov")
    factories.make_claim(cast.project, "The US struck the convoy")
    _, _, results = _find(cast, "secretary")
    assert [a.name for a in results.actors] == ["John Kerry"]
    _, _, results = _find(cast, "convoy")
    assert [c.text for c in results.claims] == ["The US struck the convoy"]


def test_snippets_are_escaped_marked_and_point_at_the_hit_in_code_points():
    text = "😀 <b>Kerry</b> said — and Kerry again. " + "word " * 60 + "Kerry at the end."
    found = snippets(text, parse("kerry"))
    assert "&lt;b&gt;<mark>Kerry</mark>&lt;/b&gt;" in found[0].html
    assert "<b>" not in found[0].html
    assert text[found[0].start : found[0].end] == "Kerry"
    assert found[0].start == 5  # the emoji is one code point
    assert len(found) == 2 and text[found[1].start : found[1].end] == "Kerry"


def test_a_snippet_never_loses_its_hit_nor_runs_on():
    long_word = "https://example.org/" + "x" * 200
    text = f"Start {long_word}so and more words Kerry follow here."
    found = snippets(text, parse("kerry"))
    assert "<mark>Kerry</mark>" in found[0].html
    chinese = "北" * 5000 + " Kerry " + "京" * 5000
    found = snippets(chinese, parse("kerry"))
    assert "<mark>Kerry</mark>" in found[0].html and len(found[0].html) < 400


def test_the_sqlite_index_goes_in_and_out_with_its_migration():
    """The migration's SQLite statements on a bare database: forwards, edits, backwards."""
    import importlib
    import sqlite3

    migration = importlib.import_module("apps.analysis.migrations.0001_search_index")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE corpus_article (id INTEGER PRIMARY KEY, title TEXT, text TEXT)")
    db.execute("CREATE TABLE annotations_annotation (id INTEGER PRIMARY KEY, quote, note)")
    db.execute("INSERT INTO corpus_article VALUES (1, 'Convoy strike', 'near Aleppo')")

    def run(index):
        for statements in migration.SQLITE:
            for statement in migration._split(statements[index]):
                db.execute(statement)

    def found(match):
        sql = "SELECT rowid FROM search_article WHERE search_article MATCH ?"
        return db.execute(sql, [match]).fetchall()

    run(0)
    assert found('"strike near"') == [(1,)]
    db.execute("UPDATE corpus_article SET text = 'far away'")
    assert found("aleppo") == [] and found("far") == [(1,)]
    db.execute("DELETE FROM corpus_article")
    assert found("far") == []
    run(1)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"corpus_article", "annotations_annotation"}
    run(0)  # and in again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own table")
def test_the_postgresql_article_index_follows_every_write(cast):
    """The articles' vectors live in ``search_article``, kept by triggers: a new
    article, a changed title or text, a deleted article, an emptied table."""
    project = cast.project

    def found(words):
        return search(parse(words), project=project, articles=project.articles.all(),
                      annotations=Annotation.objects.none()).article_count  # fmt: skip

    def rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_article")
            return cursor.fetchone()[0]

    article = factories.make_article(project, title="Convoy strike", text="Near Aleppo.")
    assert found('"strike near"') == 1 and rows() == 1
    revise_article(article=article, new_text="Far away.", author=cast.owner)
    assert found("aleppo") == 0 and found("far") == 1
    project.articles.filter(pk=article.pk).update(title="Ceasefire")
    assert found("convoy") == 0 and found("ceasefire far") == 1
    project.articles.filter(pk=article.pk).update(published="2016-09-19")  # not a word
    assert found("ceasefire") == 1 and rows() == 1
    factories.make_article(project, title="Second", text="Another one.")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM corpus_articlerevision")
        cursor.execute("DELETE FROM corpus_article WHERE id = %s", [article.pk])
    assert found("ceasefire") == 0 and rows() == 1
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks due so far, done
        cursor.execute("TRUNCATE corpus_article CASCADE")  # as a test run's flush does
    assert rows() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own table")
@pytest.mark.django_db(transaction=True)
def test_the_postgresql_article_index_goes_out_and_in_with_its_migration(cast):
    from django.core.management import call_command

    def tables_with_search() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'search'"
            )
            return {name for (name,) in cursor.fetchall()}

    factories.make_article(cast.project, title="Convoy strike", text="Near Aleppo.")
    call_command("migrate", "analysis", "0005", verbosity=0)  # back: the column again
    try:
        assert tables_with_search() == {"corpus_article", "annotations_annotation"}
        factories.make_article(cast.project, title="Second", text="Written meanwhile.")
    finally:
        call_command("migrate", verbosity=0)
    assert tables_with_search() == {"search_article", "annotations_annotation"}
    assert _find(cast, '"strike near"')[0] == {"Convoy strike"}  # copied across
    assert _find(cast, "meanwhile")[0] == {"Second"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps its index by trigger")
def test_the_sqlite_index_triggers_survive_every_migration(db):
    # A migration that rebuilds one of these tables on SQLite drops its triggers, and the
    # index would go stale without a word: it must create them again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    for table in ("search_article", "search_annotation"):
        assert {f"{table}_insert", f"{table}_delete", f"{table}_update"} <= triggers


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps its index by trigger")
@pytest.mark.django_db(transaction=True)
def test_after_any_migrate_missing_triggers_are_made_again_and_the_index_refilled(cast):
    from django.core.management import call_command

    project = cast.project
    article = factories.make_article(project, title="Convoy", text="A convoy was hit.")
    # Back past the stance migration: SQLite rebuilds the annotations table, dropping its
    # triggers; the check after migrate makes them again.
    call_command("migrate", "annotations", "0009", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {name for (name,) in cursor.fetchall()}
        assert {"search_annotation_insert", "search_annotation_update"} <= triggers
    finally:
        call_command("migrate", verbosity=0)
    factories.make_annotation(article, cast.analyst, "convoy", note="ambush")
    form = SearchForm({"q": "ambush"})
    assert form.is_valid()
    assert [a.quote for a in form.passages(project, cast.analyst)] == ["convoy"]


# The page ---------------------------------------------------------------------------------


def _url(project):
    return reverse("analysis:search", args=[project.slug])


def test_every_member_may_search_and_outsiders_get_404(client, cast, corpus):
    for role in ("owner", "analyst", "viewer"):
        client.force_login(getattr(cast, role))
        response = client.get(_url(cast.project), {"q": "convoy"})
        assert response.status_code == 200
        assert "Moscow blames Washington" in response.text
    client.force_login(cast.outsider)
    assert client.get(_url(cast.project), {"q": "convoy"}).status_code == 404
    client.logout()
    assert client.get(_url(cast.project), {"q": "convoy"}).status_code == 302
    client.force_login(cast.owner)
    assert client.post(_url(cast.project), {"q": "convoy"}).status_code == 405


def test_the_page_links_into_the_reader_at_the_hit(client, cast, corpus):
    client.force_login(cast.analyst)
    response = client.get(_url(cast.project), {"q": "patience"})
    a = corpus["a"]
    start = a.text.index("patience")
    hit = f"?hit={start}-{start + len('patience')}&amp;text={a.content_hash[:12]}"
    assert a.get_absolute_url() + hit in response.text
    assert "<mark>patience</mark>" in response.text
    passage = corpus["blamed"]
    response = client.get(_url(cast.project), {"q": "blames"})
    assert f"{corpus['b'].get_absolute_url()}#h{passage.pk}" in response.text
    assert "note: <mark>Blames</mark> the US" in response.text  # hits in notes marked too


def test_htmx_gets_the_results_alone_and_a_bad_query_its_reason(client, cast, corpus):
    client.force_login(cast.analyst)
    response = client.get(_url(cast.project), {"q": "convoy"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="search-results"' in response.text
    response = client.get(_url(cast.project), {"q": "?!"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Type a word" in response.text
    response = client.get(_url(cast.project), {"q": "x", "since": "soon"})
    assert response.status_code == 422 and "Enter a valid date" in response.text


def test_a_query_in_markup_is_shown_as_text(client, cast, corpus):
    client.force_login(cast.analyst)
    response = client.get(_url(cast.project), {"q": "<script>alert(1)</script> convoy"})
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; convoy" in response.text


def test_results_come_in_pages(client, cast, corpus):
    for n in range(23):
        factories.make_article(cast.project, title=f"Copy {n}", text=f"A convoy again ({n}).")
    client.force_login(cast.analyst)
    first = client.get(_url(cast.project), {"q": "convoy"})
    assert "page 1 of 2" in first.text and "page=2" in first.text
    second = client.get(_url(cast.project), {"q": "convoy", "page": "2"})
    assert second.text.count('class="search-hit"') == 25 - 20
    beyond = client.get(_url(cast.project), {"q": "convoy", "page": "9"})
    assert "page 2 of 2" in beyond.text  # past the end: the last page


def test_the_query_count_does_not_grow_with_the_results(
    client, cast, corpus, django_assert_max_num_queries
):
    client.force_login(cast.analyst)
    with django_assert_max_num_queries(20) as small:
        client.get(_url(cast.project), {"q": "convoy"})
    for n in range(30):
        article = factories.make_article(cast.project, title=f"Copy {n}", text=f"Convoy {n}.")
        factories.make_annotation(article, cast.analyst, "Convoy", note="convoy")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(_url(cast.project), {"q": "convoy"})


def test_project_pages_have_the_search_box(client, cast, corpus):
    client.force_login(cast.viewer)
    response = client.get(cast.project.get_absolute_url())
    assert 'id="site-search"' in response.text and _url(cast.project) in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "convoy"},
        {"q": "blames"},
        {"q": "US"},
        {"q": "convoy", "tag": "TAG"},
        {"q": "convoy", "voice": "own", "position": "supports"},
        {"q": "zzzz"},
    ],
)
def test_the_passages_counted_are_the_rows_of_the_export(client, cast, corpus, params):
    factories.make_annotation(corpus["a"], cast.owner, "Café owners", note="the US view")
    factories.make_annotation(corpus["a"], cast.owner, "coalition", voice="", note="convoy")
    params = {k: str(corpus["tag"].pk) if v == "TAG" else v for k, v in params.items()}
    client.force_login(cast.viewer)
    page = client.get(_url(cast.project), params)
    counted = int(re.search(r"<strong>(\d+)</strong> passage", page.text).group(1))
    export = reverse("analysis:annotations-csv", args=[cast.project.slug])
    response = client.get(export, {**params, "bom": "0"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == counted
    if counted:
        assert f"{export}?" in page.text  # the page links to exactly this export
