"""Reading uploaded files into raw import items (step 1 of DESIGN §8's import).

Text, Markdown, HTML, zip, CSV and JSONL become ``Item``s; every problem (size limits,
a broken zip, an unreadable row) becomes a rejected item, never an exception, so one
bad file never stops a batch. Limits are checked on the raw bytes before any parsing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings

from apps.corpus.dates import numeric_order, parse_metadata_date
from apps.corpus.decoding import Rejected, decode_bytes
from apps.corpus.documents import Document, read_docx, read_pdf, read_xml

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson"}
XML_SUFFIXES = {".xml", ".rss", ".atom"}
DOCUMENT_SUFFIXES = {".docx", ".pdf"}
SUPPORTED = "text (.txt, .md), saved pages (.html), .xml, .docx, .pdf, .csv, .jsonl or .zip"
ARCHIVE_SUFFIXES = {".zip"}
ARCHIVES_INSIDE = {".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz"}


@dataclass(frozen=True)
class Limits:
    file_bytes: int = settings.IMPORT_MAX_FILE_BYTES
    batch_bytes: int = settings.IMPORT_MAX_BATCH_BYTES
    zip_members: int = settings.IMPORT_MAX_ZIP_MEMBERS
    zip_bytes: int = settings.IMPORT_MAX_ZIP_BYTES
    article_chars: int = settings.MAX_ARTICLE_CHARS


@dataclass
class Item:
    """One article to be, as the preview shows it. Plain data: it is stored as JSON
    between the preview and the confirmation."""

    name: str
    kind: str = "text"  # text | html
    raw: str = ""  # what cleaning reads
    original: str = ""  # the file as it came, when ``raw`` is already a part of it (XML)
    title: str = ""
    url: str = ""
    source_name: str = ""
    published: str = ""  # ISO date
    byline: str = ""
    language: str = ""
    story: str = ""  # a story of its own, set in the preview ("" for the batch's)
    text: str = ""
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    status: str = ""  # new | duplicate | revision | rejected
    status_detail: str = ""
    source_id: int | None = None
    # A source the import will create, named from what the item says (site name, the
    # domain of its URL); ``source_id`` stays None until then.
    source_new: bool = False
    source_domain: str = ""
    article_id: int | None = None  # the existing article for duplicate / revision
    # Where each field came from ("front matter", "CSV column date", "the text"…).
    origins: dict[str, str] = field(default_factory=dict)

    def stated(self, field_name: str, value: str, origin: str) -> None:
        """Set a field the file states, unless an earlier, better place set it."""
        if value and not getattr(self, field_name):
            setattr(self, field_name, value)
            self.origins[field_name] = origin

    @property
    def preview(self) -> str:
        return "\n".join(self.text.split("\n\n")[:3])[:600]

    @property
    def length(self) -> int:
        return len(self.text)

    @classmethod
    def rejected(cls, name: str, message: str) -> Item:
        return cls(name=name, error=message, status="rejected")


def read_files(files: Iterable[tuple[str, bytes]], *, limits: Limits | None = None) -> list[Item]:
    """Raw items from uploaded files; every problem becomes a rejected item."""
    return list(read_items(files, limits=limits))


def read_items(
    files: Iterable[tuple[str, bytes]], *, limits: Limits | None = None
) -> Iterator[Item]:
    """``read_files`` one file at a time, as the files come: a batch job reads its
    uploads from the database a few at a time, in constant memory."""
    limits = limits or Limits()
    total = 0
    seen: dict[str, int] = {}
    for name, data in files:
        # Two uploads may share a name; each item's name must tell them apart.
        seen[name] = seen.get(name, 0) + 1
        name = name if seen[name] == 1 else f"{name} ({seen[name]})"
        total += len(data)
        if total > limits.batch_bytes:
            yield Item.rejected(
                name, f"The batch is over {_size(limits.batch_bytes)}: import the rest separately."
            )
            continue
        yield from _read_file(name, data, limits)


def _read_file(name: str, data: bytes, limits: Limits) -> list[Item]:
    try:
        return _read_one(name, data, limits)
    except Rejected as error:
        return [Item.rejected(name, str(error))]
    except Exception as error:
        # Zip members that are encrypted or corrupt, CSV cells over the parser's limit,
        # JSON nested too deep…: the user learns which file, the import goes on.
        return [Item.rejected(name, f"This file could not be read ({type(error).__name__}).")]


def _read_one(name: str, data: bytes, limits: Limits) -> list[Item]:
    suffix = PurePosixPath(name.lower()).suffix
    if len(data) > limits.file_bytes:
        return [
            Item.rejected(
                name, f"The file is {_size(len(data))}; the limit is {_size(limits.file_bytes)}."
            )
        ]
    if suffix in ARCHIVE_SUFFIXES:
        return _read_zip(name, data, limits)
    try:
        if suffix in TABLE_SUFFIXES:
            return _read_table(name, data, suffix, limits)
        if suffix in TEXT_SUFFIXES and len(data) > 4 * limits.article_chars:
            # Even at four bytes a character this is more than one article may hold:
            # refused before decoding or cleaning a byte of it.
            return [Item.rejected(name, _too_long(limits))]
        if suffix in HTML_SUFFIXES or suffix in TEXT_SUFFIXES:
            text, encoding = decode_bytes(data)
            if suffix in TEXT_SUFFIXES and len(text) > limits.article_chars:
                return [Item.rejected(name, _too_long(limits))]
            item = Item(name=name, kind="html" if suffix in HTML_SUFFIXES else "text", raw=text)
            if encoding not in ("utf-8", "utf-8-sig"):
                item.warnings.append(f"Decoded as {encoding}.")
            return [item]
        if suffix in XML_SUFFIXES:
            documents = read_xml(data)
            if len(documents) > 1:
                return [_document_item(f"{name}, {d.label}", d) for d in documents]
            item = _document_item(name, documents[0])
            item.original = decode_bytes(data)[0]  # kept for provenance, never rendered
            return [item]
        if suffix == ".docx":
            return [_document_item(name, read_docx(data))]
        if suffix == ".pdf":
            return [_document_item(name, read_pdf(data))]
    except Rejected as error:
        return [Item.rejected(name, str(error))]
    return [Item.rejected(name, f"Unsupported file type: use {SUPPORTED}.")]


def _document_item(name: str, document: Document) -> Item:
    item = Item(name=name, kind=document.kind, raw=document.text)
    item.stated("title", document.title, "the file's title")
    item.stated("url", document.url, "the file's link")
    item.stated("source_name", document.site, "the file's site")
    item.stated("published", document.published, "the file's date")
    item.stated("byline", document.byline, "the file's author")
    return item


def _read_zip(name: str, data: bytes, limits: Limits) -> list[Item]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError):
        return [Item.rejected(name, "This is not a readable zip file.")]
    if len(members) > limits.zip_members:
        return [
            Item.rejected(
                name, f"The zip holds {len(members)} files; the limit is {limits.zip_members}."
            )
        ]
    # The sizes in the directory can lie (zip bombs): the reads below are capped too.
    if sum(m.file_size for m in members) > limits.zip_bytes:
        return [Item.rejected(name, f"The zip unpacks to more than {_size(limits.zip_bytes)}.")]
    items: list[Item] = []
    budget = limits.zip_bytes
    for member in members:
        label = f"{name}: {member.filename}"
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            items.append(Item.rejected(label, "A path leaving the archive was refused."))
            continue
        if path.name.startswith(".") or "__MACOSX" in path.parts or is_documentation(path.name):
            continue  # metadata of the tool that made the zip, not articles
        if path.suffix.lower() in ARCHIVES_INSIDE:
            items.append(Item.rejected(label, "Archives inside archives are not opened."))
            continue
        try:
            with archive.open(member) as handle:
                content = handle.read(min(limits.file_bytes, budget) + 1)
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile, ValueError, OSError):
            # Encrypted, an unknown compression, or corrupt: this member only.
            items.append(Item.rejected(label, "This file in the zip could not be unpacked."))
            continue
        if len(content) > min(limits.file_bytes, budget):
            items.append(Item.rejected(label, "Too large once unpacked."))
            continue
        budget -= len(content)
        items.extend(_read_file(label, content, limits))
    if not items:
        return [Item.rejected(name, "The zip holds no articles.")]
    return items


def _read_table(name: str, data: bytes, suffix: str, limits: Limits) -> list[Item]:
    text, _ = decode_bytes(data)
    if suffix == ".csv":
        # An article is a long cell: allow any that the article limit allows.
        csv.field_size_limit(max(csv.field_size_limit(), 4 * settings.MAX_ARTICLE_CHARS))
        rows = list(csv.DictReader(io.StringIO(text)))
        labels = [f"{name}, row {n}" for n in range(2, len(rows) + 2)]
    else:
        rows, labels = [], []
        # Split on LF only: a JSON string may hold U+2028, which splitlines() splits on.
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            labels.append(f"{name}, line {number}")
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                row = {"__error__": f"Not valid JSON ({error.msg})."}
            rows.append(row if isinstance(row, dict) else {"__error__": "Not a JSON object."})
    if not rows:
        raise Rejected("The file has no rows.")
    rows = [_normalise(row) if "__error__" not in row else row for row in rows]
    # Numeric dates of one file share an order: 9/25/2016 in one row makes 9/5/2016 in
    # another the 5th of September too.
    month_first = numeric_order([row.get("published", "") for row in rows])
    return [
        _row_item(label, row, month_first=month_first)
        for label, row in zip(labels, rows, strict=True)
    ]


# Column names datasets use for each field (lower case), best first.
COLUMNS = {
    "text": ("text", "article_content", "content", "body", "article_text", "article", "maintext"),
    "html": ("html", "raw_html"),
    "title": ("title", "article_title", "headline", "heading"),
    "url": ("url", "link", "article_url", "uri"),
    "source": ("source", "outlet", "site", "site_name", "publisher", "portal", "domain"),
    "published": ("published", "date", "pubdate", "publish_date", "published_at", "datetime"),
    "byline": ("byline", "author", "authors"),
    "language": ("language", "lang"),
}


def _normalise(row: dict) -> dict[str, str]:
    """A row's cells under the field names above, whatever the dataset called them."""
    # A broken "\ud83d" escape in JSON gives a lone surrogate, which no database can store.
    cells = {
        str(k).strip().lower(): ("" if v is None else str(v)).encode("utf-8", "replace").decode()
        for k, v in row.items()
        if k
    }
    return {
        field: next((cells[name].strip() for name in names if cells.get(name, "").strip()), "")
        for field, names in COLUMNS.items()
    }


def _row_item(label: str, row: dict, *, month_first: bool) -> Item:
    if "__error__" in row:
        return Item.rejected(label, row["__error__"])
    html, body = row["html"], row["text"]
    if not html and not body:
        return Item.rejected(label, "The row needs a text or html column with the article.")
    item = Item(name=label, kind="html" if html and not body else "text", raw=body or html)
    item.stated("title", row["title"], "the title column")
    item.stated("url", row["url"], "the URL column")
    item.stated("source_name", row["source"], "the source column")
    item.stated("byline", row["byline"], "the author column")
    item.stated("language", row["language"], "the language column")
    if written := row["published"]:
        date = parse_metadata_date(written, month_first=month_first)
        if date is None:
            item.warnings.append(f"Could not read the date “{written}”: left empty.")
        item.stated("published", date.isoformat() if date else "", "the date column")
    return item


def _too_long(limits: Limits) -> str:
    return f"The text is longer than an article may be ({limits.article_chars:,} characters)."


def _size(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


# A folder or zip of articles often carries its own documentation: not articles.
_DOCUMENTATION = {"readme", "license", "licence", "copying", "changelog", "citation", "notice"}


def is_documentation(file_name: str) -> bool:
    """README.md, LICENSE, CITATION.cff… in a folder or zip being imported (skipped)."""
    return PurePosixPath(file_name).stem.lower() in _DOCUMENTATION


def files_from_paths(paths: Iterable[str]) -> Iterable[tuple[str, bytes]]:
    """Files named on the command line; folders are walked."""
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                for file_name in sorted(names):
                    if file_name.startswith(".") or is_documentation(file_name):
                        continue
                    full = os.path.join(folder, file_name)
                    with open(full, "rb") as handle:
                        yield os.path.relpath(full, path), handle.read()
        else:
            with open(path, "rb") as handle:
                yield os.path.basename(path), handle.read()
