"""Importing articles: files in, a preview, then articles (DESIGN §8).

Three steps, shared by the admin and ``manage.py import_articles``:

1. ``reading.read_files`` turns uploads (text, Markdown, HTML, zip, CSV, JSONL) into raw
   items, enforcing the size limits; a bad file becomes a rejected item, never an exception.
2. ``prepare`` cleans each item (per-source boilerplate rules included), finds its source,
   and checks it against the project: new, duplicate (same URL and text, or same text),
   or a newer version of an article already there (same URL, other text).
3. ``import_articles`` saves what is new, turns newer versions into revisions (with
   re-anchoring), and reports. Each item is saved in its own transaction: one bad item
   never blocks or half-writes another, and running the same import twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from apps.accounts.models import User

# The one upward import of the corpus app (ARCHITECTURE.md): a newer version of an
# article re-anchors its annotations.
from apps.annotations.anchoring import revise_article
from apps.corpus import text as canonical_text
from apps.corpus.cleaning import Cleaned, clean_plain_text
from apps.corpus.dates import parse_date
from apps.corpus.decoding import Rejected
from apps.corpus.html_pages import extract_html
from apps.corpus.models import Article, Source, Story
from apps.corpus.reading import Item, Limits
from apps.projects.models import Project


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


# Preparing ------------------------------------------------------------------------------


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
    again: list[tuple[int, Source]] = []
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
            again.append((index, found))
    if again:
        pairs = []
        for index, found in again:
            original = replace(items[index], source_id=found.pk, source_name=found.name)
            pairs.append((original, found.patterns))
        for (index, _), item in zip(again, clean(pairs), strict=True):
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


# Importing ------------------------------------------------------------------------------


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
    existing = None
    if item.status == "revision" and item.article_id is not None:
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
    assert item.source_id is not None, "prepare() gives a source to every item it keeps"
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
