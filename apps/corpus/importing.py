"""Importing articles: files in, a preview, then articles (DESIGN §8).

Three steps, shared by the admin and ``manage.py import_articles``:

1. ``read_files`` turns uploads (text, Markdown, HTML, zip, CSV, JSONL) into raw items,
   enforcing the size limits; a bad file becomes a rejected item, never an exception.
2. ``prepare`` cleans each item (per-source boilerplate rules included), finds its source,
   and checks it against the project: new, duplicate (same URL and text, or same text),
   or a newer version of an article already there (same URL, other text).
3. ``import_articles`` saves what is new, turns newer versions into revisions (with
   re-anchoring), and reports. Each item is saved in its own transaction: one bad item
   never blocks or half-writes another, and running the same import twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.corpus import text as canonical_text
from apps.corpus.cleaning import Cleaned, clean_plain_text
from apps.corpus.decoding import Rejected, decode_bytes
from apps.corpus.html_pages import extract_html
from apps.corpus.models import Article, Source, Story
from apps.projects.models import Project

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson"}
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
    raw: str = ""
    title: str = ""
    url: str = ""
    source_name: str = ""
    published: str = ""  # ISO date
    byline: str = ""
    language: str = ""
    text: str = ""
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    status: str = ""  # new | duplicate | revision | rejected
    status_detail: str = ""
    source_id: int | None = None
    article_id: int | None = None  # the existing article for duplicate / revision

    @property
    def preview(self) -> str:
        return "\n".join(self.text.split("\n\n")[:3])[:600]

    @property
    def length(self) -> int:
        return len(self.text)

    @classmethod
    def rejected(cls, name: str, message: str) -> Item:
        return cls(name=name, error=message, status="rejected")


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.revised)} revised, "
            f"{len(self.duplicates)} skipped as duplicates, {len(self.rejected)} rejected"
        )


# 1. Reading files ------------------------------------------------------------------------


def read_files(files: Iterable[tuple[str, bytes]], *, limits: Limits | None = None) -> list[Item]:
    """Raw items from uploaded files; every problem becomes a rejected item."""
    limits = limits or Limits()
    items: list[Item] = []
    total = 0
    for name, data in files:
        total += len(data)
        if total > limits.batch_bytes:
            items.append(
                Item.rejected(
                    name,
                    f"The batch is over {_size(limits.batch_bytes)}: import the rest separately.",
                )
            )
            continue
        items.extend(_read_file(name, data, limits))
    return items


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
        if suffix in HTML_SUFFIXES or suffix in TEXT_SUFFIXES:
            text, encoding = decode_bytes(data)
            item = Item(name=name, kind="html" if suffix in HTML_SUFFIXES else "text", raw=text)
            if encoding not in ("utf-8", "utf-8-sig"):
                item.warnings.append(f"Decoded as {encoding}.")
            return [item]
    except Rejected as error:
        return [Item.rejected(name, str(error))]
    return [
        Item.rejected(name, "Unsupported file type: use .txt, .md, .html, .zip, .csv or .jsonl.")
    ]


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
        if path.name.startswith(".") or "__MACOSX" in path.parts:
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
    return [_row_item(label, row) for label, row in zip(labels, rows, strict=True)]


def _row_item(label: str, row: dict) -> Item:
    if "__error__" in row:
        return Item.rejected(label, row["__error__"])
    # A broken "\ud83d" escape in JSON gives a lone surrogate, which no database can store.
    row = {
        str(k).strip().lower(): ("" if v is None else str(v)).encode("utf-8", "replace").decode()
        for k, v in row.items()
        if k
    }
    html, body = row.get("html", "").strip(), row.get("text", "").strip()
    if not html and not body:
        return Item.rejected(label, "The row needs a text or html column with the article.")
    return Item(
        name=label,
        kind="html" if html and not body else "text",
        raw=body or html,
        title=row.get("title", "").strip(),
        url=row.get("url", "").strip(),
        source_name=row.get("source", "").strip(),
        published=row.get("published", "").strip() or row.get("date", "").strip(),
        byline=row.get("byline", "").strip() or row.get("author", "").strip(),
        language=row.get("language", "").strip(),
    )


def _size(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


# 2. Preparing ----------------------------------------------------------------------------


def clean_item(item: Item, patterns: list[str]) -> Item:
    """Clean one item in place (a pure function of the item: safe in a worker process)."""
    if item.status == "rejected":
        return item
    item.warnings = list(item.warnings)  # a copy may share the list with its original
    try:
        if item.kind == "html":
            cleaned = extract_html(item.raw, url=item.url, patterns=patterns)
        else:
            cleaned = clean_plain_text(item.raw, patterns=patterns)
    except Rejected as error:
        item.error, item.status = str(error), "rejected"
        return item
    _merge(item, cleaned)
    return item


def _merge(item: Item, cleaned: Cleaned) -> None:
    from apps.corpus.cleaning import parse_date

    item.text = cleaned.text
    item.title = item.title or cleaned.title
    item.url = item.url or cleaned.url
    item.byline = item.byline or cleaned.byline
    item.language = item.language or cleaned.language
    item.source_name = item.source_name or cleaned.site_name
    given = parse_date(item.published) if item.published else None
    if item.published and given is None:
        item.warnings.append(f"Could not read the date “{item.published}”.")
    found = given or cleaned.published
    item.published = found.isoformat() if found else ""
    item.removed = cleaned.removed
    item.warnings += cleaned.warnings
    if not item.title:
        first = item.text.split("\n\n", 1)[0]
        item.title = first if len(first) <= 150 else first[:149].rsplit(" ", 1)[0] + "…"
        item.warnings.append("No headline found: the first sentence is used as the title.")


def prepare(
    *,
    project: Project,
    items: list[Item],
    source: Source | None = None,
    clean: Callable[[list[tuple[Item, list[str]]]], list[Item]] | None = None,
) -> list[Item]:
    """Clean, attach sources and classify every item against the project.

    ``clean`` maps (item, patterns) pairs to cleaned items; the command passes one that
    uses a process pool, since extracting HTML is CPU-bound.
    """
    sources = list(Source.objects.all())
    limits = Limits()
    clean = clean or (lambda pairs: [clean_item(i, p) for i, p in pairs])
    # Clean copies: an item whose source has its own rules is cleaned again from the
    # original, with them (the first pass may be what finds the source).
    cleaned = clean([(replace(item), source.patterns if source else []) for item in items])
    again: list[int] = []
    for index, item in enumerate(cleaned):
        if item.status == "rejected":
            continue
        found = source or _detect_source(item, sources)
        if found is None:
            item.status = "rejected"
            item.error = "Source not recognised (no known outlet name or domain): choose one."
            continue
        item.source_id, item.source_name = found.pk, found.name
        if found.patterns and source is None:
            again.append(index)
    if again:
        by_id = {s.pk: s for s in sources}
        pairs = []
        for index in again:
            original = replace(items[index], source_id=cleaned[index].source_id)
            original.source_name = cleaned[index].source_name
            pairs.append((original, by_id[original.source_id].patterns))
        for index, item in zip(again, clean(pairs), strict=True):
            cleaned[index] = item
    items = cleaned
    seen_urls: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    for item in items:
        if item.status == "rejected":
            continue
        if len(item.text) > limits.article_chars:
            item.status = "rejected"
            item.error = (
                f"The text has {len(item.text):,} characters; "
                f"the limit is {limits.article_chars:,}."
            )
            continue
        _classify(project, item, seen_urls, seen_hashes)
    return items


def reclassify(*, project: Project, items: list[Item]) -> list[Item]:
    """Check prepared items against the project again: between a preview and its
    confirmation, someone may have imported, revised or deleted the same articles."""
    seen_urls: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    for item in items:
        if item.status != "rejected":
            item.article_id, item.status_detail = None, ""
            _classify(project, item, seen_urls, seen_hashes)
    return items


def _detect_source(item: Item, sources: list[Source]) -> Source | None:
    host = urlsplit(item.url).hostname or ""
    host = host.removeprefix("www.").lower()
    if host:
        for candidate in sources:
            domain = candidate.domain.lower().removeprefix("www.")
            if domain and (host == domain or host.endswith("." + domain)):
                return candidate
    name = item.source_name.strip().casefold()
    if name:
        for candidate in sources:
            if candidate.name.casefold() == name or (
                candidate.domain and candidate.domain.casefold() == name
            ):
                return candidate
    return None


def _classify(project: Project, item: Item, seen_urls: dict, seen_hashes: dict) -> None:
    digest = canonical_text.content_hash(item.text)
    if item.url and item.url in seen_urls:
        item.status, item.status_detail = "duplicate", f"Same URL as {seen_urls[item.url]}."
        return
    if digest in seen_hashes:
        item.status, item.status_detail = "duplicate", f"Same text as {seen_hashes[digest]}."
        return
    same_text = Article.objects.filter(project=project, content_hash=digest).first()
    if same_text is not None:
        item.status, item.article_id = "duplicate", same_text.pk
        item.status_detail = f"Same text as “{same_text.title}”."
    elif item.url and (same_url := Article.objects.filter(project=project, url=item.url).first()):
        item.status, item.article_id = "revision", same_url.pk
        item.status_detail = (
            f"A newer version of “{same_url.title}”: its text becomes revision "
            f"{same_url.revision + 1} and its annotations are re-anchored."
        )
    else:
        item.status = "new"
    if item.url:
        seen_urls[item.url] = item.name
    seen_hashes[digest] = item.name


# 3. Importing ----------------------------------------------------------------------------


def import_articles(
    *,
    project: Project,
    items: list[Item],
    user: User | None,
    story: Story | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Save the prepared items: new articles, revisions of changed ones. Idempotent."""
    report = Report()
    for number, item in enumerate(items, start=1):
        if progress:
            progress(number, len(items))
        if item.status == "rejected":
            report.rejected.append((item.name, item.error))
            continue
        if item.status == "duplicate":
            report.duplicates.append(item.name)
            if story and item.article_id:
                story.articles.add(item.article_id)
            continue
        try:
            with transaction.atomic():
                article, revised = _save(project, item, user)
                if story:
                    story.articles.add(article)
        except _Duplicate:
            report.duplicates.append(item.name)
            continue
        (report.revised if revised else report.created).append(item.name)
    return report


class _Duplicate(Exception):
    pass


def _save(project: Project, item: Item, user: User | None) -> tuple[Article, bool]:
    """Create the article, or revise the one with its URL; (article, revised?)."""
    from apps.annotations.anchoring import revise_article

    existing = None
    if item.status == "revision":
        existing = Article.objects.filter(pk=item.article_id, project=project).first()
    if existing is None and item.url:
        # Imported meanwhile under the same URL (another batch, another admin).
        existing = Article.objects.filter(project=project, url=item.url).first()
    if existing is None:
        try:
            with transaction.atomic():
                return _create(project, item), False
        except IntegrityError:
            # The same text arrived meanwhile (the database refuses a copy).
            raise _Duplicate from None
    summary = revise_article(
        article=existing,
        new_text=item.text,
        author=user,
        reason=f"imported again from {item.name}"[:200],
    )
    if summary is None:
        raise _Duplicate  # the same text after all
    return existing, True


def _create(project: Project, item: Item) -> Article:
    article = Article(
        project=project,
        source_id=item.source_id,
        title=item.title[:500],
        url=item.url[:1000],
        published=date.fromisoformat(item.published) if item.published else None,
        byline=item.byline[:300],
        language=(item.language or "en")[:16],
        raw=item.raw,
    )
    article.set_text(item.text)
    article.save()
    return article


def files_from_paths(paths: Iterable[str]) -> Iterable[tuple[str, bytes]]:
    """Files named on the command line; folders are walked."""
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                for file_name in sorted(names):
                    full = os.path.join(folder, file_name)
                    with open(full, "rb") as handle:
                        yield os.path.relpath(full, path), handle.read()
        else:
            with open(path, "rb") as handle:
                yield os.path.basename(path), handle.read()
