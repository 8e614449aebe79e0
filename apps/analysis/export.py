"""Annotations, codebook and articles out as CSV (``export_jsonld`` writes JSON-LD).

Every writer streams: rows are read in chunks and written as they come, so memory stays
flat whatever the size, and the number of queries does not grow with it (annotations,
their tags and their stories are three ordered queries merged here; on PostgreSQL the
database gathers the tags, and the annotations' query is streamed while it runs). The
annotation CSV, the largest, writes its cells by hand (``annotation_csv``).

Spreadsheets run a cell that starts with ``= + - @`` (and tab, CR, LF, and the full-width
``＝ ＋ － ＠``) as a formula; ``neutralise``, the one guard, prefixes every such text cell
with ``'``. The annotation columns are one table, ``ANNOTATION_TABLE``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import CharField, Count, Func, IntegerField, Q, QuerySet, TextField

from apps.analysis.streaming import can_stream, stream_rows
from apps.annotations.models import Annotation, AnnotationTag, Tag
from apps.corpus.models import CODERS, Article, Story
from apps.projects import visibility
from apps.projects.models import Membership, Project

# Characters that make a spreadsheet run a cell as a formula (the full-width forms too).
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
BOM = "\ufeff"
# Rows are read, and the CSV sent, in small pieces. What a piece's strings leave in the
# worker's heap stays there once the export is done: with 2,000 rows and 500 lines a
# piece (and 5,000 articles remembered, below), a PostgreSQL worker stayed 14 MB larger
# after a 40,000-annotation export; with these sizes, 3 MB, in the same time.
CHUNK = 500
LINES_PER_PIECE = 100
TAG_SEPARATOR = "; "

# Filled from their own queries and merged in, not read from the annotation's row.
STORIES, TAGS = "<stories>", "<tags>"


class IsoText(Func):
    """A date or UTC timestamp as ISO 8601 text, formatted by the database.

    Converting 200,000 datetimes per 100,000 rows in Python (parse, make aware, format)
    was a third of the export's time; the database does it for free while it reads."""

    output_field = CharField()

    def __init__(self, expression, *, date_only: bool = False):
        self.date_only = date_only
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite stores UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' and dates as ISO
        # (``|| ''`` so that the sqlite3 module does not parse the date column back).
        template = (
            "%(expressions)s || ''"
            if self.date_only
            else ("REPLACE(%(expressions)s, ' ', 'T') || '+00:00'")
        )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = (
            "TO_CHAR(%(expressions)s, 'YYYY-MM-DD')"
            if self.date_only
            else "TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')'
        )
        return self.as_sql(compiler, connection, template=template, **extra)


# The annotation export, one line per column: its name, and the field (or expression
# below) the database reads for it. Adding a column is adding a line here. A field that
# starts with "article" depends on the article only (the writer formats it once per
# article).
ANNOTATION_TABLE: list[tuple[str, str]] = [
    ("annotation_id", "pk"),
    ("project", "article__project__name"),
    ("stories", STORIES),
    ("article_id", "article_id"),
    ("article_title", "article__title"),
    ("article_url", "article__url"),
    ("source", "article__source__name"),
    ("source_country", "article__source__country"),
    ("source_kind", "article__source__kind"),
    ("published", "article_published_iso"),
    ("annotator", "annotator__username"),
    ("start", "start"),
    ("end", "end"),
    ("quote", "quote"),
    ("prefix", "prefix"),
    ("suffix", "suffix"),
    ("tags", TAGS),
    ("speaker", "speaker__name"),
    ("target", "target__name"),
    ("claim", "claim__text"),
    ("voice", "voice"),
    ("position", "position"),
    ("note", "note"),
    ("anchor_status", "anchor_status"),
    ("created", "created_iso"),
    ("updated", "updated_iso"),
]
COMPUTED = {
    "article_published_iso": IsoText("article__published", date_only=True),
    "created_iso": IsoText("created_at"),
    "updated_iso": IsoText("updated_at"),
}
ANNOTATION_COLUMNS = [column for column, _ in ANNOTATION_TABLE]
LONG_COLUMNS = ["tag" if column == "tags" else column for column in ANNOTATION_COLUMNS]
_READ = [(column, field) for column, field in ANNOTATION_TABLE if field not in (STORIES, TAGS)]
_FIELDS = [field for _, field in _READ]
# Where each column read from the database sits in a record's values.
AT = {column: index for index, (column, _) in enumerate(_READ)}
# The merged columns go in at their places, in the order of those places.
_MERGED = sorted(
    (ANNOTATION_COLUMNS.index(column), field)
    for column, field in ANNOTATION_TABLE
    if field in (STORIES, TAGS)
)


def neutralise(value: object) -> object:
    """The formula guard of every export: a text cell that a spreadsheet would run as a
    formula is prefixed with ``'``, which makes it text. Other values pass through."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def _cell(value: object) -> object:
    """Any other cell: empty, a number, a date, or text through the guard."""
    if value is None or type(value) in (int, float):
        return value  # csv writes None as an empty cell; a number ("-0.25") is no formula
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list], *, bom: bool = False) -> Iterator[str]:
    """The CSV text, in pieces of ``LINES_PER_PIECE`` lines: a piece per line made the
    server write 20,000 times for 20,000 annotations."""
    writer = csv.writer(_Echo())
    first = writer.writerow(header)
    yield (BOM + first) if bom else first
    starts, cell, write = FORMULA_START, _cell, writer.writerow
    piece: list[str] = []
    for row in rows:
        # ``neutralise``, inlined for text cells: a call per cell (18 per annotation) was
        # a fifth of an export's time.
        guarded = [("'" + v if v[:1] in starts else v) if type(v) is str else cell(v) for v in row]
        piece.append(write(guarded))
        if len(piece) == LINES_PER_PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def _tag_names(annotations: QuerySet) -> Iterator[tuple[int, list[str]]]:
    links = (
        AnnotationTag.objects.filter(annotation__in=annotations.values("pk"))
        .order_by("annotation_id", "tag__position", "tag__name")
        .values_list("annotation_id", "tag__name")
        .iterator(chunk_size=CHUNK)
    )
    for annotation_id, group in groupby(links, key=lambda link: link[0]):
        yield annotation_id, [name for _, name in group]


def story_names(articles: QuerySet | Iterable[int]) -> dict[int, list[str]]:
    """The names of each article's stories, by name (one query): ``articles`` are ids,
    or a query of them."""
    names: dict[int, list[str]] = defaultdict(list)
    links = Story.articles.through.objects.filter(article_id__in=articles)
    for article_id, name in links.order_by("story__name").values_list("article_id", "story__name"):
        names[article_id].append(name)
    return names


def _stories_by_article(annotations: QuerySet) -> dict[int, str]:
    names = story_names(annotations.values("article_id"))
    return {article_id: TAG_SEPARATOR.join(found) for article_id, found in names.items()}


def annotation_records(annotations: QuerySet) -> Iterator[tuple[tuple, list[str], str]]:
    """(row values, tag names, story names) per annotation, ordered by id.

    The stories of the articles involved are one query, read first; the annotations and
    their tag names one or two more whatever the size (``_streamed`` on PostgreSQL,
    ``_merged`` elsewhere). On PostgreSQL the connection is busy until the records are
    read to the end (or the generator closed): read them before asking anything else.
    """
    stories = _stories_by_article(annotations)
    for values, names in (_streamed if can_stream(annotations.db) else _merged)(annotations):
        yield values, names, stories.get(values[_ARTICLE], "")


def _merged(annotations: QuerySet) -> Iterator[tuple[tuple, list[str]]]:
    """The annotations and their tag links, both ordered by the annotation's id (read
    ``CHUNK`` rows at a time), merged here."""
    tags = _tag_names(annotations)
    pending = next(tags, None)
    rows = annotations.annotate(**COMPUTED).order_by("pk").values_list(*_FIELDS)
    for values in rows.iterator(chunk_size=CHUNK):
        pk = values[0]
        while pending is not None and pending[0] < pk:
            pending = next(tags, None)
        names: list[str] = []
        if pending is not None and pending[0] == pk:
            names = pending[1]
            pending = next(tags, None)
        yield values, names


def _streamed(annotations: QuerySet) -> Iterator[tuple[tuple, list[str]]]:
    """PostgreSQL: the annotations with their tag names gathered by the database, one
    query streamed while it runs (``stream_rows``; 100,000 annotations in process 1.6–1.7
    → 1.1 s against ``_merged``)."""
    from django.contrib.postgres.aggregates import ArrayAgg  # PostgreSQL's own

    joins = [getattr(join, "join_field", None) for join in annotations.query.alias_map.values()]
    if any(field.one_to_many or field.many_to_many for field in joins if field):
        # The selection joined a many-valued relation to filter on it (the app's own
        # filters ask with EXISTS instead): an aggregate over that join would gather only
        # the tags that matched it, or each tag once per row it repeats. A fresh query
        # over the selection's ids does not.
        annotations = Annotation.objects.using(annotations.db).filter(
            pk__in=annotations.values("pk")
        )
    names = ArrayAgg(
        "tags__name",
        order_by=("tags__position", "tags__name"),
        filter=Q(tags__isnull=False),
        default=[],
    )
    rows = annotations.annotate(**COMPUTED, tag_names=names).order_by("pk")
    for row in stream_rows(rows.values_list(*_FIELDS, "tag_names"), chunk=CHUNK):
        yield row[:-1], row[-1]


_ARTICLE = AT["article_id"]


def _row(values: tuple, tags: str, stories: str) -> list:
    row = list(values)
    for index, field in _MERGED:
        row.insert(index, stories if field == STORIES else tags)
    return row


def text_cell(value: str | None) -> str:
    """A text cell exactly as ``csv.writer`` writes it (default dialect), after the
    formula guard: empty for none, quoted when it holds a comma, a double quote, CR or LF.

    ``csv.writer`` looks at each character in turn; these searches run at memory speed,
    which made the annotation export twice as fast (the tests compare the bytes)."""
    if not value:
        return ""
    if value[:1] in FORMULA_START:
        value = "'" + value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def _number_cell(value: int | None) -> str:
    return "" if value is None else str(value)


# A repeating value (a username, an actor, a stance) is formatted once: the cache is C
# code, cheaper than formatting it again.
_repeated_cell = lru_cache(maxsize=4096)(text_cell)


def _kind(field: str) -> str:
    """How a column of ``ANNOTATION_TABLE`` is written: "article" (depends on the
    article only), "number", "repeated" (from a related row or a choice), or "text"."""
    if field.startswith("article"):
        return "article"
    if field in COMPUTED:
        return "text"
    *path, name = field.split("__")
    model: Any = Annotation
    for part in path:
        model = model._meta.get_field(part).related_model
    found = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if isinstance(getattr(found, "target_field", found), IntegerField):
        return "number"
    if not isinstance(found, (CharField, TextField)):
        # ``text_cell`` writes strings: a date, a number with decimals or a yes/no needs
        # its own way of being written (or an expression in COMPUTED that gives text).
        raise TypeError(f"The export cannot write {field} ({type(found).__name__}) yet.")
    return "repeated" if path or getattr(found, "choices", None) else "text"


def _getter(indexes: list[int]) -> Callable[[tuple], tuple]:
    """``itemgetter`` that always returns a tuple."""
    if len(indexes) == 1:
        return lambda values: (values[indexes[0]],)
    return itemgetter(*indexes)


# Columns read from the database, by the way they are written. A line's cells are put
# together as: the article's (formatted once per article, its stories last), the numbers,
# the repeated, the texts, the tags; ``_PICK`` puts them in the order of the columns.
_BY_KIND = {
    kind: [i for i, (_, field) in enumerate(_READ) if _kind(field) == kind]
    for kind in ("article", "number", "repeated", "text")
}
_ARTICLE_CELLS, _NUMBERS, _REPEATED, _TEXTS = (_getter(_BY_KIND[kind]) for kind in _BY_KIND)
_ASSEMBLED = [i for kind in _BY_KIND for i in _BY_KIND[kind]]
_STORIES_AT = len(_BY_KIND["article"])
_PICK = itemgetter(
    *_row(
        tuple(_ASSEMBLED.index(i) + (i not in _BY_KIND["article"]) for i in range(len(_READ))),
        len(_READ) + 1,  # type: ignore[arg-type]  # the tags, last
        _STORIES_AT,  # type: ignore[arg-type]
    )
)
ARTICLES_REMEMBERED = 1000


def annotation_csv(
    annotations: QuerySet, *, long: bool = False, bom: bool = False
) -> Iterator[str]:
    """The annotation CSV (``ANNOTATION_COLUMNS``, or ``LONG_COLUMNS`` with a line per
    tag when ``long``) in pieces of ``LINES_PER_PIECE`` lines: the bytes ``csv.writer``
    writes over ``annotation_records`` with the formula guard (the tests compare them),
    in half the time or less.

    An article's cells (title, outlet, stories…) are formatted once and remembered for
    the next ``ARTICLES_REMEMBERED`` articles, so memory stays flat whatever the size."""
    header = ",".join(LONG_COLUMNS if long else ANNOTATION_COLUMNS) + "\r\n"
    yield (BOM + header) if bom else header
    shared: dict[int, list[str]] = {}
    piece: list[str] = []
    text, repeated, pick = text_cell, _repeated_cell, _PICK
    for values, tags, stories in annotation_records(annotations):
        article = values[_ARTICLE]
        cells = shared.get(article)
        if cells is None:
            if len(shared) == ARTICLES_REMEMBERED:
                shared.clear()
            cells = [_number_cell(v) if type(v) is int else text(v) for v in _ARTICLE_CELLS(values)]
            cells.append(text(stories))
            shared[article] = cells
        cells = [
            *cells,
            *map(_number_cell, _NUMBERS(values)),
            *map(repeated, _REPEATED(values)),
            *map(text, _TEXTS(values)),
        ]
        for tag in (tags or [""]) if long else [TAG_SEPARATOR.join(tags)]:
            cells.append(repeated(tag))
            piece.append(",".join(pick(cells)))
            cells.pop()
        if len(piece) >= LINES_PER_PIECE:
            yield "\r\n".join(piece) + "\r\n"
            piece = []
    if piece:
        yield "\r\n".join(piece) + "\r\n"


CODEBOOK_COLUMNS = ["tag", "parent", "description", "colour", "shortcut", "annotations"]


def codebook_rows(project: Project, *, seen_by: Membership | None) -> Iterator[list]:
    """The codebook, each tag with the passages ``seen_by`` may see (blind coding)."""
    seen = CODERS & visibility.condition(seen_by, "annotations__")
    tags = (
        Tag.objects.filter(project=project)
        .select_related("parent")
        .annotate(count=Count("annotations", filter=seen))
        .order_by("position", "name")
    )
    for tag in tags:
        parent = tag.parent.name if tag.parent else ""
        yield [tag.name, parent, tag.description, tag.color, tag.shortcut, tag.count]


ARTICLE_COLUMNS = [
    "article_id",
    "title",
    "url",
    "source",
    "source_country",
    "source_kind",
    "published",
    "byline",
    "language",
    "words",
    "revision",
    "annotations",
    "stories",
    "content_hash",
]


def article_rows(project: Project, *, seen_by: Membership | None) -> Iterator[list]:
    """The articles, each with the passages ``seen_by`` may see (blind coding)."""
    seen = CODERS & visibility.condition(seen_by, "annotations__")
    articles = (
        Article.objects.filter(project=project)
        .annotate(count=Count("annotations", filter=seen))
        .order_by("published", "pk")
        .values_list(
            "pk",
            "title",
            "url",
            "source__name",
            "source__country",
            "source__kind",
            "published",
            "byline",
            "language",
            "word_count",
            "revision",
            "count",
            "content_hash",
        )
    )
    stories = story_names(Article.objects.filter(project=project).values("pk"))
    for values in articles.iterator(chunk_size=CHUNK):
        *head, digest = values
        yield [*head, TAG_SEPARATOR.join(stories.get(values[0], [])), digest]
