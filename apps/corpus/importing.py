"""Importing articles: files in, a preview, then articles (DESIGN §8).

Three steps, shared by the admin and ``manage.py import_articles``:

1. ``reading.read_files`` turns uploads (text, Markdown, HTML, zip, CSV, JSONL) into raw
   items, enforcing the size limits; a bad file becomes a rejected item, never an exception.
2. ``prepare`` cleans each item (per-source boilerplate rules included), finds its source,
   and checks it against the project (``classifying.Classifier``): new, duplicate (same
   URL and text, or same text), or a newer version of an article already there.
3. ``import_articles`` saves what is new, turns newer versions into revisions (with
   re-anchoring), and reports. Each item is saved in its own savepoint (fifty to a
   transaction): one bad item never blocks or half-writes another, and running the same
   import twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from itertools import islice
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from apps.accounts.models import User

# The one upward import of the corpus app (ARCHITECTURE.md): a newer version of an
# article re-anchors its annotations.
from apps.annotations.anchoring import revise_article
from apps.corpus.classifying import Classifier
from apps.corpus.cleaning import NO_TITLE, Cleaned, clean_plain_text
from apps.corpus.dates import parse_metadata_date
from apps.corpus.decoding import Rejected
from apps.corpus.frontmatter import split_front_matter, split_title_site
from apps.corpus.models import Article, Source, Story
from apps.corpus.reading import Item, Limits
from apps.corpus.sources import detect_source, propose_source, source_for
from apps.corpus.stories import record_articles
from apps.projects.models import Project


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def add(self, name: str, outcome: str, detail: str = "") -> None:
        if outcome == "rejected":
            self.rejected.append((name, detail))
        else:
            lists = {"created": self.created, "revised": self.revised}
            lists.get(outcome, self.duplicates).append(name)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.revised)} revised, "
            f"{len(self.duplicates)} skipped as duplicates, {len(self.rejected)} rejected"
        )


# Preparing ------------------------------------------------------------------------------


# WordPress shortcodes that CMS exports leave in the body ([ad_1], [caption …]…).
_SHORTCODE = re.compile(
    r"\[/?(?:ad_\d+|caption|embed|gallery|video|audio|tweet|youtube|vc_\w+)\b[^\]]{0,500}\]"
)


def clean_item(item: Item, patterns: list[str]) -> Item:
    """Clean one item in place (a pure function of the item: safe in a worker process)."""
    if item.status == "rejected":
        return item
    # A copy may share these with its original: the original must stay as read.
    item.warnings, item.origins = list(item.warnings), dict(item.origins)
    front, body = split_front_matter(item.raw)
    if front is not None:
        title, site = split_title_site(front.title)
        item.stated("title", title, "front matter")
        item.stated("source_name", front.site or site, "front matter")
        item.stated("url", front.url, "front matter")
        item.stated("published", front.published, "front matter")
        item.stated("byline", front.byline, "front matter")
    body = _SHORTCODE.sub("", body)
    try:
        if item.kind == "html":
            # Imported here: trafilatura and lxml cost a worker about 20 MB, and only
            # saved web pages need them.
            from apps.corpus.html_pages import extract_html

            cleaned = extract_html(body, url=item.url, patterns=patterns)
        else:
            cleaned = clean_plain_text(body, patterns=patterns, title=item.title)
    except Rejected as error:
        item.error, item.status = str(error), "rejected"
        return item
    _merge(item, cleaned)
    return item


def _merge(item: Item, cleaned: Cleaned) -> None:
    where = "the page" if item.kind == "html" else "the text"
    item.text = cleaned.text
    title, site = split_title_site(cleaned.title) if item.kind == "html" else (cleaned.title, "")
    item.stated("title", title, cleaned.origins.get("title", where))
    item.stated("url", cleaned.url, where)
    item.stated("byline", cleaned.byline, where)
    item.stated("language", cleaned.language, where)
    item.stated("source_name", cleaned.site_name or site, where)
    if item.published and (given := parse_metadata_date(item.published)):
        item.published = given.isoformat()  # a date stated by the file itself comes first
        if cleaned.published and cleaned.published != given:
            item.warnings.append(
                f"The text says {cleaned.published:%-d %B %Y}; the date given by "
                f"{item.origins.get('published', 'the file')} is kept."
            )
    else:
        if item.published:
            item.warnings.append(f"Could not read the date “{item.published}”: left empty.")
        item.published = ""
        found = cleaned.published.isoformat() if cleaned.published else ""
        item.stated("published", found, cleaned.origins.get("published", where))
    if not item.published:
        item.warnings.append(
            "No date found: left empty (give it here, or later on the article's details page)."
        )
    if item.url and not is_web_address(item.url):
        item.warnings.append(f"“{item.url[:80]}” is not a web address (http or https): left out.")
        item.url = ""
        item.origins.pop("url", None)
    item.removed = cleaned.removed
    # Cleaning warns of a missing headline; the file may have stated one elsewhere.
    item.warnings += [w for w in cleaned.warnings if w != NO_TITLE]
    if not item.title:
        first = item.text.split("\n\n", 1)[0]
        item.title = first if len(first) <= 150 else first[:149].rsplit(" ", 1)[0] + "…"
        item.origins["title"] = "the first sentence (no headline found)"
        item.warnings.append(NO_TITLE)


def is_web_address(url: str) -> bool:
    """Only http(s) addresses with a host: a ``javascript:`` or ``data:`` URL from a CSV
    would otherwise become the reader's "original" link."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def prepare(
    *,
    project: Project,
    items: list[Item],
    source: Source | None = None,
    clean: Callable[[list[tuple[Item, list[str]]]], list[Item]] | None = None,
    classifier: Classifier | None = None,
) -> list[Item]:
    """Clean, attach sources and classify every item against the project.

    ``clean`` maps (item, patterns) pairs to cleaned items; the command passes one that
    uses a process pool, since extracting HTML is CPU-bound. A batch prepared in parts
    passes one ``classifier`` to every part, so that each part knows the earlier ones.
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
        found = source or detect_source(item, sources)
        if found is None:
            propose_source(item)
            continue
        item.source_id, item.source_name, item.source_new = found.pk, found.name, False
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
    classifier = classifier or Classifier(project)
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
        classifier.classify(item)
    return items


def reclassify(
    *, project: Project, items: list[Item], classifier: Classifier | None = None
) -> list[Item]:
    """Check prepared items against the project again: between a preview and its
    confirmation, someone may have imported, revised or deleted the same articles.
    (A batch checked in parts passes one ``classifier`` to every part.)"""
    classifier = classifier or Classifier(project)
    # A source chosen in the preview may have been deleted since: its name makes it anew.
    chosen = {item.source_id for item in items if item.source_id is not None}
    kept = set(Source.objects.filter(pk__in=chosen).values_list("pk", flat=True))
    for item in items:
        if item.source_id is not None and item.source_id not in kept:
            item.source_id, item.source_new = None, True
        if item.status != "rejected":
            item.article_id, item.status_detail = None, ""
            classifier.classify(item)
    return items


# Importing ------------------------------------------------------------------------------


# Called with each item, its outcome and its article, inside the transaction that saves it
# (which ``flush`` ends: what a recorder gathers is written then, in that transaction).
Recorder = Callable[[Item, str, Article | None], None]

# Items saved per transaction. Each item has its own savepoint inside it, so one bad item
# never blocks or half-writes another; a commit per item was a third of a big import's
# time on PostgreSQL. A failure that stops the import (the database goes away) undoes at
# most this many items, together with their outcome rows: the batch stays truthful.
ITEMS_PER_TRANSACTION = 50


def import_articles(
    *,
    project: Project,
    items: Iterable[Item],
    user: User | None,
    story: Story | None = None,
    progress: Callable[[int, int], None] | None = None,
    record: Recorder | None = None,
    flush: Callable[[], None] | None = None,
    total: int | None = None,
) -> Report:
    """Save the prepared items: new articles, revisions of changed ones. Idempotent.

    ``items`` may be any iterable (a job reads its batch a page at a time; then it gives
    the ``total``). ``progress(n, total)`` is called before the n-th item; ``record`` lets
    a job keep each item's outcome in the same transaction as its article, and ``flush``
    is called at the end of each transaction (to write what ``record`` gathered)."""
    if total is None:
        items = list(items)
        total = len(items)
    saver = _Saver(project, user=user, story=story, record=record)
    remaining, number = iter(items), 0
    while group := list(islice(remaining, ITEMS_PER_TRANSACTION)):
        with transaction.atomic():
            for item in group:
                number += 1
                if progress:
                    progress(number, total)
                saver.save(item)
            saver.record_created()
            if flush:
                flush()
    return saver.report


class _Saver:
    """Saves items one by one, remembering the stories and new sources it made."""

    def __init__(
        self, project: Project, *, user: User | None, story: Story | None, record: Recorder | None
    ):
        self.project, self.user, self.story, self.record = project, user, story, record
        self.report = Report()
        self.stories: dict[str, Story] = {}
        # New outlets created by earlier items, by name: later items of the same outlet
        # use them without asking the database again.
        self.new_sources: dict[str, int] = {}
        # New articles of the open transaction, whose history records are written
        # together at its end (one insert, not one per article); the articles filed in
        # each story, recorded likewise (one record per story).
        self.created: list[Article] = []
        self.filed: dict[Story, list[int]] = {}

    def record_created(self) -> None:
        Article.history.bulk_history_create(self.created, default_user=self.user)
        self.created = []
        for story, filed in self.filed.items():
            record_articles(story, "the import filed", filed, user=self.user)
        self.filed = {}

    def save(self, item: Item) -> None:
        if item.source_new and (pk := self.new_sources.get(item.source_name.lower())):
            item.source_id, item.source_new = pk, False
        outcome = self._save_one(item, self._story_of(item))
        self.report.add(item.name, outcome, item.error)

    def _story_of(self, item: Item) -> Story | None:
        # An item's own story (set in the preview) instead of the batch's.
        if not item.story:
            return self.story
        if item.story not in self.stories:
            self.stories[item.story] = Story.objects.get_or_create(
                project=self.project, name=item.story
            )[0]
        return self.stories[item.story]

    def _save_one(self, item: Item, story: Story | None) -> str:
        if item.status not in ("rejected", "duplicate"):
            try:
                with transaction.atomic():
                    article, revised = _save(self.project, item, self.user)
                    if story:
                        story.articles.add(article)
                        self.filed.setdefault(story, []).append(article.pk)
                    outcome = "revised" if revised else "created"
                    if self.record:
                        self.record(item, outcome, article)
                if item.source_new:
                    self.new_sources[item.source_name.lower()] = article.source_id
                if not revised:  # saved: its history record goes with the others
                    self.created.append(article)
                return outcome
            except IntegrityError:
                # The same text or URL arrived meanwhile (another batch, another owner) and
                # the database refused the copy; the item's savepoint is undone. The same
                # URL with another text is a newer version: saved as a revision.
                found = item.url and self.project.articles.filter(url=item.url).first()
                if found and item.status != "revision":
                    item.status, item.article_id = "revision", found.pk
                    return self._save_one(item, story)
                item.status = "duplicate"
            except _Duplicate:
                item.status = "duplicate"
        if item.status == "duplicate" and story and item.article_id:
            story.articles.add(item.article_id)
            self.filed.setdefault(story, []).append(item.article_id)
        if self.record:
            self.record(item, item.status, None)
        return item.status


class _Duplicate(Exception):
    pass


def _save(project: Project, item: Item, user: User | None) -> tuple[Article, bool]:
    """Create the article, or revise the one it is a newer version of; (article, revised?).

    An article imported meanwhile under the same URL is not looked for here (a query per
    item): the unique URL refuses the copy and ``_Saver`` retries it as a revision."""
    existing = None
    if item.status == "revision" and item.article_id is not None:
        existing = Article.objects.filter(pk=item.article_id, project=project).first()
    if existing is None:
        return _create(project, item), False
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
        title=item.title[:500],
        url=item.url[:1000],
        published=date.fromisoformat(item.published) if item.published else None,
        byline=item.byline[:300],
        language=(item.language or "en")[:16],
        raw=item.original or item.raw,
    )
    if item.source_id is not None and not item.source_new:
        article.source_id = item.source_id  # known: no need to read it
    else:
        article.source = source_for(item)
    article.set_text(item.text)
    article.skip_history_when_saving = True  # type: ignore[attr-defined]  # see record_created
    article.save()
    return article
