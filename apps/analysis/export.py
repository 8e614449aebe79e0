"""Annotations, codebook and articles out, as CSV or JSON-LD (Web Annotation).

Every writer streams: rows are read with ``iterator()`` in chunks and written as they
come, so memory stays flat whatever the size, and the number of queries does not grow
with it (annotations, their tags and their stories are three ordered queries merged here).

Spreadsheets run a cell that starts with ``= + - @`` (and tab, CR, LF, and the full-width
``＝ ＋ － ＠``) as a formula; ``neutralise``, the one guard, prefixes every such text cell
with ``'``. The annotation columns are one table, ``ANNOTATION_TABLE``.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby

from django.db.models import CharField, Count, Func, QuerySet

from apps.annotations.models import AnnotationTag, Tag
from apps.corpus.models import Article, Story
from apps.projects.models import Project

# Characters that make a spreadsheet run a cell as a formula (the full-width forms too).
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
BOM = "\ufeff"
CHUNK = 2000
LINES_PER_PIECE = 500
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
        # SQLite stores UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' and dates as ISO.
        template = (
            "%(expressions)s"
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
# below) the database reads for it. Adding a column is adding a line here.
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
    ("published", "published_iso"),
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
    ("stance", "stance"),
    ("note", "note"),
    ("anchor_status", "anchor_status"),
    ("created", "created_iso"),
    ("updated", "updated_iso"),
]
_EXPRESSIONS = {
    "published_iso": IsoText("article__published", date_only=True),
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
    if value is None or type(value) is int:
        return value  # csv writes None as an empty cell
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


def _stories_by_article(annotations: QuerySet) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    for article_id, name in (
        Story.articles.through.objects.filter(article_id__in=annotations.values("article_id"))
        .order_by("story__name")
        .values_list("article_id", "story__name")
    ):
        names[article_id].append(name)
    return {article_id: TAG_SEPARATOR.join(found) for article_id, found in names.items()}


def annotation_records(annotations: QuerySet) -> Iterator[tuple[tuple, list[str], str]]:
    """(row values, tag names, story names) per annotation, ordered by id.

    Three queries whatever the size: annotations and tag links, both ordered by the
    annotation id and merged here, and the stories of the articles involved.
    """
    stories = _stories_by_article(annotations)
    tags = _tag_names(annotations)
    pending = next(tags, None)
    rows = annotations.annotate(**_EXPRESSIONS).order_by("pk").values_list(*_FIELDS)
    for values in rows.iterator(chunk_size=CHUNK):
        pk = values[0]
        while pending is not None and pending[0] < pk:
            pending = next(tags, None)
        names: list[str] = []
        if pending is not None and pending[0] == pk:
            names = pending[1]
            pending = next(tags, None)
        yield values, names, stories.get(values[_ARTICLE], "")


_ARTICLE = AT["article_id"]


def _row(values: tuple, tags: str, stories: str) -> list:
    row = list(values)
    for index, field in _MERGED:
        row.insert(index, stories if field == STORIES else tags)
    return row


def annotation_rows(annotations: QuerySet) -> Iterator[list]:
    """One row per annotation (``ANNOTATION_COLUMNS``)."""
    for values, tags, stories in annotation_records(annotations):
        yield _row(values, TAG_SEPARATOR.join(tags), stories)


def annotation_tag_rows(annotations: QuerySet) -> Iterator[list]:
    """One row per annotation and tag; an untagged annotation once (``LONG_COLUMNS``)."""
    for values, tags, stories in annotation_records(annotations):
        for tag in tags or [""]:
            yield _row(values, tag, stories)


CODEBOOK_COLUMNS = ["tag", "parent", "description", "colour", "shortcut", "annotations"]


def codebook_rows(project: Project) -> Iterator[list]:
    tags = (
        Tag.objects.filter(project=project)
        .select_related("parent")
        .annotate(count=Count("annotations"))
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


def article_rows(project: Project) -> Iterator[list]:
    articles = (
        Article.objects.filter(project=project)
        .annotate(count=Count("annotations"))
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
    stories: dict[int, list[str]] = defaultdict(list)
    for article_id, name in (
        Story.articles.through.objects.filter(article__project=project)
        .order_by("story__name")
        .values_list("article_id", "story__name")
    ):
        stories[article_id].append(name)
    for values in articles.iterator(chunk_size=CHUNK):
        *head, digest = values
        yield [*head, TAG_SEPARATOR.join(stories.get(values[0], [])), digest]


# JSON-LD ---------------------------------------------------------------------------------

NS = "https://narrative-workbench.org/ns#"


def jsonld_lines(annotations: QuerySet, *, label: str, base_url: str) -> Iterator[str]:
    """An AnnotationCollection of the W3C Web Annotation model, streamed.

    Positions (TextPositionSelector) count Unicode code points of the article's
    canonical text, as the Web Annotation model asks; the collection says so too.
    """
    head = {
        "@context": [
            "http://www.w3.org/ns/anno.jsonld",
            {"nw": NS},
        ],
        "type": "AnnotationCollection",
        "label": label,
        "nw:offsetUnit": "unicode code points of the article's canonical text (NFC, LF)",
    }
    yield (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "first": {"type": "AnnotationPage", "items": [\n'
    )
    first = True
    for values, tags, _ in annotation_records(annotations):
        item = _web_annotation(values, tags, base_url)
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]}}\n"


def _web_annotation(values: tuple, tags: list[str], base_url: str) -> dict:
    v = dict(zip(AT, values, strict=True))
    speaker, target, claim, note = v["speaker"], v["target"], v["claim"], v["note"]
    body: list[dict] = [{"type": "TextualBody", "purpose": "tagging", "value": t} for t in tags]
    if speaker:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "identifying",
                "value": speaker,
                "nw:role": "speaker",
            }
        )
    if target:
        body.append(
            {"type": "TextualBody", "purpose": "identifying", "value": target, "nw:role": "target"}
        )
    if claim:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "classifying",
                "value": claim,
                "nw:role": "claim",
                "nw:stance": v["stance"] or None,
            }
        )
    if note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": note})
    return {
        "id": f"{base_url}#annotation-{v['annotation_id']}",
        "type": "Annotation",
        "created": v["created"],
        "modified": v["updated"],
        "creator": {"type": "Person", "nickname": v["annotator"]},
        "body": body,
        "target": {
            "source": v["article_url"] or f"{base_url}#article-{v['article_id']}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": v["quote"],
                    "prefix": v["prefix"],
                    "suffix": v["suffix"],
                },
                {"type": "TextPositionSelector", "start": v["start"], "end": v["end"]},
            ],
        },
        "nw:anchorStatus": v["anchor_status"],
    }
