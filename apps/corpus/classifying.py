"""Where an item stands against the project and the rest of its batch: new, a
duplicate (of an article, or of an earlier item), or a newer version of an article."""

from __future__ import annotations

from apps.corpus import text as canonical_text
from apps.corpus.models import Article
from apps.corpus.reading import Item
from apps.projects.models import Project


class Classifier:
    """New, duplicate (of an article or of an earlier item of the batch) or a newer
    version: the project's articles as they were when it was made, and the items it has
    classified since."""

    def __init__(self, project: Project):
        self.project = project
        self.seen_urls: dict[str, str] = {}
        self.seen_hashes: dict[str, str] = {}
        # The project's articles as narrow rows, read once (a query per item was most of
        # a big import's time on PostgreSQL): by text, by URL, and (outlet, title), where
        # a corrected copy is looked for.
        rows = Article.objects.filter(project=project).values_list(
            "pk", "source_id", "title", "content_hash", "url"
        )
        self.by_hash: dict[str, tuple[int, str]] = {}
        self.by_url: dict[str, int] = {}
        self.titles: set[tuple[int, str]] = set()
        for pk, source_id, title, digest, url in rows.iterator(chunk_size=5000):
            self.by_hash[digest] = (pk, title)
            if url:
                self.by_url[url] = pk
            self.titles.add((source_id, title.lower()))

    def classify(self, item: Item) -> None:
        _classify(self.project, item, self)


def _classify(project: Project, item: Item, known: Classifier) -> None:
    seen_urls, seen_hashes = known.seen_urls, known.seen_hashes
    digest = canonical_text.content_hash(item.text)
    if item.url and item.url in seen_urls:
        item.status, item.status_detail = "duplicate", f"Same URL as {seen_urls[item.url]}."
        return
    if digest in seen_hashes:
        item.status, item.status_detail = "duplicate", f"Same text as {seen_hashes[digest]}."
        return
    if digest in known.by_hash:
        item.article_id, title = known.by_hash[digest]
        item.status, item.status_detail = "duplicate", f"Same text as “{title}”."
    elif older := _older_version(project, item, known):
        item.status, item.article_id = "revision", older.pk
        why = "same URL" if older.url and older.url == item.url else "same outlet and title"
        item.status_detail = (
            f"A newer version of “{older.title}” ({why}): its text becomes revision "
            f"{older.revision + 1} and its annotations are re-anchored."
        )
        if item.title != older.title or (item.published or None) != (
            older.published.isoformat() if older.published else None
        ):
            item.status_detail += (
                f" Its title and date stay “{older.title}”, "
                f"{older.published or 'no date'}; this version says “{item.title}”, "
                f"{item.published or 'no date'} (if it is right, change them on the "
                "article's details page)."
            )
    else:
        item.status = "new"
    if item.url:
        seen_urls[item.url] = item.name
    seen_hashes[digest] = item.name


# Two versions of one article: the same title from the same outlet, and texts this alike.
SAME_ARTICLE_SIMILARITY = 90.0


def _older_version(project: Project, item: Item, known: Classifier) -> Article | None:
    """The article this item is a newer version of: the same URL, or (without one) the
    same outlet and title and a nearly identical text (a corrected copy)."""
    if item.url and item.url in known.by_url:
        return Article.objects.filter(pk=known.by_url[item.url]).first()
    if item.source_id is None or (item.source_id, item.title.lower()) not in known.titles:
        return None
    from rapidfuzz import fuzz  # imported on use (as in anchoring)

    for candidate in Article.objects.filter(
        project=project, source_id=item.source_id, title__iexact=item.title
    ).only("pk", "title", "url", "text", "revision", "published")[:5]:
        if fuzz.ratio(candidate.text[:5000], item.text[:5000]) >= SAME_ARTICLE_SIMILARITY:
            return candidate
    return None
