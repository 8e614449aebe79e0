"""A project, or any selection of it, as a REFI-QDA project (``.qdpx``) for MAXQDA,
ATLAS.ti, NVivo and QualCoder, streamed.

The file is a zip: ``sources/<guid>.txt`` holds each article's canonical text (UTF-8,
as the reader shows it) and ``project.qde`` the project (``urn:QDA-XML:project:1.0``):

- ``Users``: the members and every annotator of the file;
- ``CodeBook``: the tags as nested codes (GUID, colour, rule; an archived tag is not
  codable), then three branches of codes that are not tags, so that what a passage says
  survives in tools that only know codes: *Claims* (the claims, nested),
  *Actors* › *Speakers* and *Targets* (one code per actor in each), and *Stance* ›
  *Voice* and *Position*;
- ``Variables`` of each article (outlet, kind of outlet, country, published, URL, byline,
  language, stories), and one ``Case`` per outlet holding its articles, so that a QDA
  tool can cross-tabulate by outlet;
- ``Sources``: one ``TextSource`` per article, one ``PlainTextSelection`` per annotation
  with a ``Coding`` for each tag and for its claim, speaker, target, voice and position;
- ``Notes``: an annotation's note, and its speaker, target, claim and stance written
  out as lines (``Speaker: …``);
- ``Sets``: the stories, each the set of its articles in the file.

Positions count Unicode code points of the canonical text, as everywhere in this app
(DESIGN §5); a tool that counts UTF-16 units places a passage after an emoji one unit
early.

The zip is written as it is sent. The articles and their annotations are read once, in
step (both ordered by article); what the project file needs before them (the users, the
cases) is gathered on the way, and the sources' and notes' XML wait in temporary files
(in memory up to a few MB, then on disk) until the project file is written last. Memory
therefore stays flat however large the project; a GUID per exported article is kept
(for the cases and sets)."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import IO, TYPE_CHECKING

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.analysis.qdpx_codes import (
    ATTRIBUTES_NOTE,
    ORIGIN,
    Codes,
    codebook,
    element,
    guid,
    short_quote,
    text_element,
)
from apps.annotations.codebook_files import xml_text
from apps.annotations.models import AnchorStatus, Annotation, AnnotationTag
from apps.corpus.models import Article, Source, Story
from apps.projects.models import Project

if TYPE_CHECKING:
    from lxml.etree import _Element

NAMESPACE = "urn:QDA-XML:project:1.0"
_CHUNK = 1 << 20
_BATCH = 100  # articles read at a time
_SPOOL = 4 << 20

VARIABLES = (
    # (name, type): in this order on each source
    ("Outlet", "Text"),
    ("Kind of outlet", "Text"),
    ("Country", "Text"),
    ("Published", "Date"),
    ("URL", "Text"),
    ("Byline", "Text"),
    ("Language", "Text"),
    ("Stories", "Text"),
)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass
class _Gathered:
    """What the project file needs from the articles and annotations, kept as they go."""

    annotators: set[int] = field(default_factory=set)
    cases: dict[int, list[str]] = field(default_factory=dict)  # outlet id → article GUIDs
    articles: set[int] = field(default_factory=set)


class _Pipe:
    """The zip's output, handed on in pieces as it is written."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.pieces)
        self.pieces.clear()
        return data


def qdpx_stream(
    project: Project, *, articles: QuerySet[Article], annotations: QuerySet[Annotation]
) -> Iterator[bytes]:
    """The ``.qdpx`` of ``articles`` and their ``annotations`` (a selection of
    ``project``), as pieces of a zip."""
    from lxml import etree  # on use: a worker that never exports spares it

    pipe = _Pipe()
    codes = Codes.of(project)
    gathered = _Gathered()
    # Level 1: XML shrinks nearly as much (40 MB instead of 35 for 100,000 passages), a
    # second sooner.
    zipped = zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)  # type: ignore[call-overload]
    with (
        zipped as archive,
        tempfile.SpooledTemporaryFile(max_size=_SPOOL) as sources,
        tempfile.SpooledTemporaryFile(max_size=_SPOOL) as notes,
    ):
        for article, passages in _articles_with_passages(articles, annotations):
            article_guid = guid("article", article.pk)
            archive.writestr(f"sources/{article_guid}.txt", article.text.encode())
            source = _text_source(etree, article, article_guid, passages, codes, gathered, notes)
            sources.write(etree.tostring(source, encoding="utf-8"))
            yield pipe.take()
        # Its size is not known ahead, and the zip cannot go back to widen its header:
        # ZIP64 from the start, or a project file over 2 GiB would stop the download.
        with archive.open("project.qde", "w", force_zip64=True) as qde:
            for _ in _write_project(etree, qde, project, codes, gathered, sources, notes):
                yield pipe.take()
    yield pipe.take()


def _articles_with_passages(
    articles: QuerySet[Article], annotations: QuerySet[Annotation]
) -> Iterator[tuple[Article, list[tuple[Annotation, list[int]]]]]:
    """Each article of the selection with its annotations (and their tag ids) in reading
    order, read by batches of articles: three queries a batch, whatever it holds."""
    listed = (
        articles.order_by("pk").select_related("source").defer("raw").prefetch_related("stories")
    ).iterator(chunk_size=_BATCH)
    while batch := list(islice(listed, _BATCH)):
        ids = [article.pk for article in batch]
        passages: dict[int, list[Annotation]] = {}
        for annotation in (
            # An orphaned passage has no place in the text: a QDA tool would show it at
            # its last offsets, on other words. The CSV exports carry it.
            annotations.filter(article_id__in=ids)
            .exclude(anchor_status=AnchorStatus.ORPHANED)
            .order_by("article_id", "start", "end", "pk")
        ):
            passages.setdefault(annotation.article_id, []).append(annotation)
        tags: dict[int, list[int]] = {}
        links = AnnotationTag.objects.filter(article_id__in=ids).order_by("pk")
        for annotation_id, tag_id in links.values_list("annotation_id", "tag_id"):
            tags.setdefault(annotation_id, []).append(tag_id)
        for article in batch:
            mine = passages.get(article.pk, [])
            yield article, [(a, tags.get(a.pk, [])) for a in mine]


def _text_source(
    etree,
    article: Article,
    article_guid: str,
    passages: list[tuple[Annotation, list[int]]],
    codes: Codes,
    gathered: _Gathered,
    notes: IO[bytes],
) -> _Element:
    """The article's ``TextSource`` with its passages; their ``Note``s go to ``notes``."""
    gathered.articles.add(article.pk)
    gathered.cases.setdefault(article.source_id, []).append(article_guid)
    source = element(
        etree,
        None,
        "TextSource",
        guid=article_guid,
        name=article.title,
        plainTextPath=f"internal://{article_guid}.txt",
        creationDateTime=_when(article.created_at),
    )
    for annotation, tag_ids in passages:
        gathered.annotators.add(annotation.annotator_id)
        # Written with lxml's own calls: only the quote is text that may hold characters
        # XML cannot (a million elements for 100,000 passages).
        user = codes.guid_of("user", annotation.annotator_id)
        created = _when(annotation.created_at)
        selection = etree.SubElement(
            source,
            "PlainTextSelection",
            guid=guid("annotation", annotation.pk),
            name=xml_text(short_quote(annotation.quote)),
            startPosition=str(annotation.start),
            endPosition=str(annotation.end),
            creatingUser=user,
            creationDateTime=created,
            modifiedDateTime=_when(annotation.updated_at),
        )
        for code in codes.of_annotation(annotation, tag_ids):
            coding = etree.SubElement(
                selection,
                "Coding",
                guid=guid("coding", f"{annotation.pk}:{code}"),
                creatingUser=user,
                creationDateTime=created,
            )
            etree.SubElement(coding, "CodeRef", targetGUID=code)
        for kind, name, text in (
            ("note", "Note", annotation.note),
            ("attributes", ATTRIBUTES_NOTE, codes.attributes(annotation)),
        ):
            if text:
                note_guid = guid(kind, annotation.pk)
                etree.SubElement(selection, "NoteRef", targetGUID=note_guid)
                note = etree.Element(
                    "Note", guid=note_guid, name=name, creatingUser=user, creationDateTime=created
                )
                text_element(etree, note, "PlainTextContent", text)
                notes.write(etree.tostring(note, encoding="utf-8"))
    outlet = article.source
    stories = "; ".join(story.name for story in article.stories.all())
    values = (
        outlet.name,
        outlet.get_kind_display(),
        outlet.country,
        article.published.isoformat() if article.published else "",
        article.url,
        article.byline,
        article.language,
        stories,
    )
    for (name, kind), value in zip(VARIABLES, values, strict=True):
        if value:
            holder = etree.SubElement(source, "VariableValue")
            element(etree, holder, "VariableRef", targetGUID=guid("variable", name))
            text_element(etree, holder, "DateValue" if kind == "Date" else "TextValue", value)
    return source


def _write_project(
    etree,
    out: IO[bytes],
    project: Project,
    codes: Codes,
    gathered: _Gathered,
    sources: IO[bytes],
    notes: IO[bytes],
) -> Iterator[None]:
    """``project.qde``: written as text around the pieces already serialised (the
    elements carry no namespace of their own, so they take the root's default one).
    Pauses after each piece, so that what is written is sent before the next."""

    def piece(part: _Element) -> None:
        out.write(etree.tostring(part, encoding="utf-8"))

    root = element(
        etree,
        None,
        "Project",
        name=project.name,
        origin=ORIGIN,
        creationDateTime=_when(project.created_at),
    )
    start = etree.tostring(root, encoding="unicode").removesuffix("/>")
    out.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'{start.rstrip()} xmlns="{NAMESPACE}">'.encode())
    users = _users(etree, project, gathered)
    if len(users):  # the schema wants at least one User in Users
        piece(users)
    piece(codebook(etree, project, codes))
    variables = etree.Element("Variables")
    for name, kind in VARIABLES:
        element(
            etree,
            variables,
            "Variable",
            guid=guid("variable", name),
            name=name,
            typeOfVariable=kind,
        )
    piece(variables)
    if gathered.cases:
        piece(_cases(etree, gathered))
    yield
    if gathered.articles:
        out.write(b"<Sources>")
        yield from _copy(sources, out)
        out.write(b"</Sources>")
    if notes.tell():
        out.write(b"<Notes>")
        yield from _copy(notes, out)
        out.write(b"</Notes>")
    sets = _sets(etree, project, gathered)
    if sets is not None:
        piece(sets)
    out.write(b"</Project>\n")
    yield


def _copy(spooled: IO[bytes], out: IO[bytes]) -> Iterator[None]:
    spooled.seek(0)
    while chunk := spooled.read(_CHUNK):
        out.write(chunk)
        yield


def _users(etree, project: Project, gathered: _Gathered) -> _Element:
    members = set(project.memberships.values_list("user_id", flat=True))
    users = etree.Element("Users")
    for user in User.objects.filter(pk__in=members | gathered.annotators).order_by("username"):
        element(
            etree,
            users,
            "User",
            guid=guid("user", user.pk),
            name=user.get_full_name() or user.username,
            id=user.username,
        )
    return users


def _cases(etree, gathered: _Gathered) -> _Element:
    cases = etree.Element("Cases")
    outlets = Source.objects.filter(pk__in=gathered.cases).order_by("name")
    for outlet in outlets:
        case = element(etree, cases, "Case", guid=guid("outlet", outlet.pk), name=outlet.name)
        if outlet.description:
            text_element(etree, case, "Description", outlet.description)
        for article_guid in gathered.cases[outlet.pk]:
            element(etree, case, "SourceRef", targetGUID=article_guid)
    return cases


def _sets(etree, project: Project, gathered: _Gathered) -> _Element | None:
    """The stories, each as the set of its articles that are in the file."""
    sets = etree.Element("Sets")
    members = Story.articles.through.objects.filter(story__project=project)
    by_story: dict[int, list[int]] = {}
    for story_id, article_id in members.order_by("article_id").values_list(
        "story_id", "article_id"
    ):
        if article_id in gathered.articles:
            by_story.setdefault(story_id, []).append(article_id)
    for story in Story.objects.filter(pk__in=by_story).order_by("name"):
        holder = element(etree, sets, "Set", guid=guid("story", story.pk), name=story.name)
        if story.description:
            text_element(etree, holder, "Description", story.description)
        for article_id in by_story[story.pk]:
            element(etree, holder, "MemberSource", targetGUID=guid("article", article_id))
    return sets if len(sets) else None
