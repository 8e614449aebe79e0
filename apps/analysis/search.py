"""Search across a project: article titles and texts, passages (quotes and notes),
actors (names and aliases) and claims.

One query language (``parse``) and one function (``search``) over two engines: on
PostgreSQL ``tsvector`` values with GIN indexes (the articles' in a table of their own,
``search_article``, kept in its rows: ``analysis/migrations/0006``; the annotations' a
generated column), on SQLite FTS5 tables (``0001_search_index.py``). Both split
text into words the same way (letters and digits; everything else separates) and stem
nothing, so the same query finds the same articles and passages on both (tested). Only
the ranking differs: PostgreSQL ranks with ``ts_rank``, SQLite with ``bm25``.

Snippets, and the offsets of the hits that a result links to, are found in Python in the
canonical text with the same rule (``Query.finder``), in code points.

The language: words must all occur (in any order, anywhere in the title or text, or in the
quote or note); ``"two words"`` is a phrase; ``conv*`` matches words that begin with
``conv``. Letters are matched without regard to case; accents count (``cafe`` does not
find ``café``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL, Window
from django.db.models.functions import RowNumber
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.annotations.models import Actor, Annotation, Claim
from apps.corpus.models import Article
from apps.projects.models import Project

MAX_QUERY = 200
MAX_TERMS = 10
SNIPPET_CHARS = 90  # around a hit, each side
WORD = re.compile(r"[^\W_]+")
_PART = re.compile(r'["“”„]([^"“”„]*)["“”„]?|(\S+)')


class QueryError(ValueError):
    """A query that cannot be searched for, with the reason to show."""


@dataclass(frozen=True)
class Term:
    """Words that must occur one after the other (one word, or a phrase); the last may
    be the beginning of a word."""

    words: tuple[str, ...]
    prefix: bool = False

    def as_tsquery(self) -> str:
        lexemes = [f"'{word}'" for word in self.words]
        if self.prefix:
            lexemes[-1] += ":*"
        return " <-> ".join(lexemes)

    def as_fts5(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    def as_regex(self) -> str:
        words = [re.escape(word) for word in self.words]
        if self.prefix:
            words[-1] += r"[^\W_]*"
        return r"(?<![^\W_])" + r"[\W_]+".join(words) + r"(?![^\W_])"


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]
    # Any term instead of every term: the words of a claim looked for elsewhere
    # (``candidates.py``), where each passage carries only some of them.
    any_term: bool = False

    @cached_property
    def finder(self) -> re.Pattern[str]:
        """Every hit of any term, in a text (as the engines match: case aside)."""
        return re.compile("|".join(term.as_regex() for term in self.terms), re.IGNORECASE)

    @cached_property
    def _each_term(self) -> list[re.Pattern[str]]:
        return [re.compile(term.as_regex(), re.IGNORECASE) for term in self.terms]

    def matches(self, text: str) -> bool:
        """Whether every term occurs in ``text`` (actor names, claims: matched here)."""
        return all(pattern.search(text) for pattern in self._each_term)


def parse(text: str) -> Query:
    """The query of what was typed, or QueryError saying what is wrong with it.

    Words go to the engines as typed: each folds case itself, the same way for its text
    and its queries (lower-casing here first broke the Turkish dotted İ)."""
    text = text.strip()
    if len(text) > MAX_QUERY:
        raise QueryError(f"A search is at most {MAX_QUERY} characters long.")
    terms: dict[tuple, Term] = {}  # one term per spelling, case aside
    for phrase, word in _PART.findall(text):
        words = tuple(WORD.findall(phrase or word))
        if not words:
            continue
        prefix = not phrase and word.endswith("*") and len(words) == 1
        if prefix and len(words[0]) < 2:
            raise QueryError(f"Give at least two letters before the * in “{word}”.")
        terms.setdefault((tuple(w.casefold() for w in words), prefix), Term(words, prefix))
    if not terms:
        raise QueryError("Type a word to search for (punctuation alone finds nothing).")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"A search has at most {MAX_TERMS} words or phrases.")
    return Query(text, tuple(terms.values()))


def _tsquery(query: Query) -> str:
    joiner = " | " if query.any_term else " & "
    return joiner.join(f"({term.as_tsquery()})" for term in query.terms)


def _fts5(query: Query) -> str:
    return (" OR " if query.any_term else " ").join(term.as_fts5() for term in query.terms)


def matching(query: Query, selection: QuerySet) -> QuerySet:
    """The rows of ``selection`` (articles or annotations) that match ``query``."""
    return selection.filter(condition(query, selection.model, selection.db))


def condition(query: Query, model: type[Article] | type[Annotation], using: str, prefix="") -> Q:
    """Rows (of ``model``, or reaching it through ``prefix``) that match ``query``.

    The engine's index gives the matching ids, and the other conditions are checked on
    those: asking the index whether each row of a selection matches read the whole
    selection first (a second for 20,000 annotations on SQLite). On PostgreSQL the
    condition on an annotation's own row is on the row itself: as a subquery of ids, the
    planner joined the table to itself (a common word's passages counted in 106 ms
    instead of 24)."""
    if not prefix and model is Annotation and connections[using].vendor == "postgresql":
        return Q(_OnSearchColumn(query))
    return Q(**{f"{prefix}pk__in": index_hits(query, model, using)})


def index_hits(query: Query, model: type[Article] | type[Annotation], using: str) -> RawSQL:
    """The ids of ``model``'s rows that match ``query``, as a subquery."""
    if connections[using].vendor == "postgresql":
        table, pk = _PG_INDEX[model]
        ids = f"SELECT {pk} FROM {table} WHERE search @@ to_tsquery('simple', %s)"
        return RawSQL(ids, [_tsquery(query)])
    fts = _FTS5_TABLES[model]
    return RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [_fts5(query)])


_FTS5_TABLES = {Article: "search_article", Annotation: "search_annotation"}
# PostgreSQL: the articles' vectors in a table of their own (kept in its rows: see
# migration 0006), the annotations' in a column of their row.
_PG_INDEX = {
    Article: ("search_article", "article_id"),
    Annotation: ("annotations_annotation", "id"),
}


class _OnSearchColumn(Func):
    """PostgreSQL: ``search @@ query`` on the ``search`` column of an annotation row,
    which the model does not know. The table is named by the alias of the row's own
    ``pk`` column, which Django renames when the query becomes a subquery (``U0``); a
    table name written out would then name nothing."""

    output_field = BooleanField()

    def __init__(self, query: Query):
        super().__init__(F("pk"), Value(_tsquery(query)))

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        pk, words = self.get_source_expressions()
        column = f"{compiler.quote_name_unless_alias(pk.alias)}.search"
        words_sql, params = compiler.compile(words)
        return f"{column} @@ to_tsquery('simple', {words_sql})", params


# PostgreSQL's ranking, as the search page and the candidates use it: normalisation 1
# (divided by 1 + the log of the text's length), as bm25 on SQLite also weighs a text's
# length; otherwise the longest articles rank first.
_PG_QUERY = "to_tsquery('simple', %s) query"
_PG_RANK = "ts_rank(search, query, 1)"


def _selected(articles: QuerySet[Article]) -> tuple[str, tuple]:
    """The selection's ids as SQL and its parameters, for a query written out below;
    EmptyResultSet for a selection that cannot hold any (``none()``, ``pk__in=[]``)."""
    return articles.order_by().values("pk").query.get_compiler(articles.db).as_sql()


def ranked_articles(query: Query, articles: QuerySet[Article]) -> list[int]:
    """The ids of the matching articles, best first (``ts_rank`` on PostgreSQL, ``bm25``
    on SQLite; ties by id)."""
    connection = connections[articles.db]
    try:
        selected, params = _selected(articles)
    except EmptyResultSet:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT article_id FROM search_article, {_PG_QUERY} WHERE search @@ query "
                f"AND article_id IN ({selected}) ORDER BY {_PG_RANK} DESC, article_id",
                [_tsquery(query), *params],
            )
            return [pk for (pk,) in cursor.fetchall()]
    # One query: the index's hits first (as a condition on the FTS table's rowid, the
    # selection made SQLite ask the index once per article: 1.5 s), then the selection.
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH hit AS MATERIALIZED (SELECT rowid AS id, rank FROM search_article "
            "WHERE search_article MATCH %s) "
            f"SELECT id FROM hit WHERE id IN ({selected}) ORDER BY rank, id",
            [_fts5(query), *params],
        )
        return [pk for (pk,) in cursor.fetchall()]


def best_per_source(query: Query, articles: QuerySet[Article], *, per_source: int) -> list[int]:
    """The ids of each outlet's ``per_source`` best matching articles (ranked as by
    ``ranked_articles``), chosen in the database: reading every match's id and outlet
    to choose them in Python took longer than the ranking."""
    connection = connections[articles.db]
    try:
        selected, params = _selected(articles)
    except EmptyResultSet:
        return []
    table = Article._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM (SELECT a.id, row_number() OVER (PARTITION BY a.source_id "
                f"ORDER BY {_PG_RANK} DESC, a.id) AS place FROM search_article "
                f"JOIN {table} a ON a.id = article_id, {_PG_QUERY} "
                f"WHERE search @@ query AND a.id IN ({selected})) ranked WHERE place <= %s",
                [_tsquery(query), *params, per_source],
            )
            return [pk for (pk,) in cursor.fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH hit AS MATERIALIZED (SELECT rowid AS id, rank FROM search_article "
            "WHERE search_article MATCH %s) "
            "SELECT id FROM (SELECT hit.id, row_number() OVER "
            "(PARTITION BY a.source_id ORDER BY hit.rank, hit.id) AS place "
            f"FROM hit JOIN {table} a ON a.id = hit.id WHERE hit.id IN ({selected})) "
            "WHERE place <= %s",
            [_fts5(query), *params, per_source],
        )
        return [pk for (pk,) in cursor.fetchall()]


@dataclass
class Snippet:
    html: SafeString
    start: int  # the first hit, in code points of the canonical text
    end: int


def highlight(text: str, query: Query) -> SafeString:
    """``text`` escaped, its hits in ``<mark>``."""
    parts, last = [], 0
    for hit in query.finder.finditer(text):
        parts += [escape(text[last : hit.start()]), f"<mark>{escape(hit.group())}</mark>"]
        last = hit.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above


def snippets(text: str, query: Query, *, limit: int = 2) -> list[Snippet]:
    """Up to ``limit`` passages of ``text`` around its hits (hits close together share
    one), with where the first hit of each lies."""
    found: list[Snippet] = []
    covered_to = -1
    for hit in query.finder.finditer(text):
        if hit.start() < covered_to:
            continue
        begin = max(0, hit.start() - SNIPPET_CHARS)
        end = min(len(text), hit.end() + SNIPPET_CHARS)
        # Cut at spaces so that no word is split (a text without one before the hit, as
        # in Chinese, is cut where it is), and mark what was left out.
        space = text.find(" ", begin, hit.start()) if begin else -1
        begin = space + 1 if space != -1 else begin
        cut = text.rfind(" ", hit.end(), end) if end < len(text) else -1
        end = cut if cut > hit.end() else end
        body = highlight(text[begin:end].replace("\n\n", " ¶ "), query)
        html = ("… " if begin else "") + body + (" …" if end < len(text) else "")
        found.append(Snippet(mark_safe(html), hit.start(), hit.end()))
        covered_to = end
        if len(found) == limit:
            break
    return found


@dataclass
class PassageHit:
    annotation: Annotation
    quote: SafeString  # shortened, hits marked
    note: SafeString


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class ArticleHit:
    article: Article
    title: SafeString
    snippets: list[Snippet]
    passages: list[PassageHit] = field(default_factory=list)
    more_passages: int = 0


@dataclass
class Results:
    query: Query
    articles: list[ArticleHit]  # this page's
    article_count: int  # on every page
    passage_count: int
    actors: list[Actor]
    claims: list[Claim]
    page: int
    per_page: int

    @property
    def page_count(self) -> int:
        return _page_count(self.article_count, self.per_page)

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1


def _page_count(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


PASSAGES_SHOWN = 3


def search(
    query: Query,
    *,
    project: Project,
    articles: QuerySet[Article],
    annotations: QuerySet[Annotation],
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Articles of ``articles`` whose title or text matches, and passages of
    ``annotations`` whose quote or note matches, grouped by article: articles whose own
    text matches first (best first), then those with matching passages only (most
    first). Actors (by name or alias) and claims of the project that match come apart."""
    in_text = ranked_articles(query, articles)
    found = matching(query, annotations)
    # Counted per article by the database: a common word matches tens of thousands.
    per_article = dict(
        found.order_by().values("article_id").annotate(n=Count("pk")).values_list("article_id", "n")
    )
    text_set = set(in_text)
    ordered = in_text + sorted(
        (a for a in per_article if a not in text_set), key=lambda a: (-per_article[a], a)
    )
    page = max(1, min(page, _page_count(len(ordered), per_page)))  # past the end: the last
    shown_ids = ordered[(page - 1) * per_page : page * per_page]
    shown = Article.objects.select_related("source", "project").defer("raw").in_bulk(shown_ids)
    passages: dict[int, list[Annotation]] = {}
    # Only the passages shown, each article's first in reading order: a common word has
    # dozens in an article, each read with its coder, speaker and claim.
    place = Window(RowNumber(), partition_by=F("article_id"), order_by=[F("start"), F("pk")])
    for annotation in (
        found.filter(article_id__in=shown_ids)
        .annotate(place=place)
        .filter(place__lte=PASSAGES_SHOWN)
        .select_related("annotator", "speaker", "claim")
        .order_by("start", "pk")
    ):
        passages.setdefault(annotation.article_id, []).append(annotation)
    hits = []
    for pk in shown_ids:
        article = shown[pk]
        listed = passages.get(pk, [])  # in reading order
        hits.append(
            ArticleHit(
                article=article,
                title=highlight(article.title, query),
                snippets=snippets(article.text, query) if pk in text_set else [],
                passages=[
                    PassageHit(
                        annotation=a,
                        quote=highlight(_shortened(a.quote, 200), query),
                        note=highlight(_shortened(a.note, 120), query),
                    )
                    for a in listed[:PASSAGES_SHOWN]
                ],
                more_passages=max(0, per_article.get(pk, 0) - PASSAGES_SHOWN),
            )
        )
    # A project has hundreds of actors and claims at most: matched here, with the rule.
    actors = [
        actor
        for actor in project.actors.order_by("name")
        if any(query.matches(name) for name in (actor.name, *actor.alias_list))
    ]
    claims = [claim for claim in project.claims.order_by("text") if query.matches(claim.text)]
    return Results(
        query=query,
        articles=hits,
        article_count=len(ordered),
        passage_count=sum(per_article.values()),
        actors=actors,
        claims=claims,
        page=page,
        per_page=per_page,
    )
