"""Which outlet an imported item is from: a source the project's sources already know (by
the URL's domain or the site name the item states), or a new one, named from what the
item says and created with its first article."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from apps.corpus.models import Source
from apps.corpus.reading import Item


def detect_source(item: Item, sources: list[Source]) -> Source | None:
    host = urlsplit(item.url).hostname or ""
    host = host.removeprefix("www.").lower()
    if host:
        for candidate in sources:
            domain = candidate.domain.lower().removeprefix("www.")
            if domain and (host == domain or host.endswith("." + domain)):
                return candidate
    given = item.source_name.strip()
    # As written, as a name would be proposed from it ("right-wing-news"), or, for an item
    # that names nothing and has no URL, the outlet such items are filed under.
    names = {given.casefold(), source_display_name(given).casefold()} - {""}
    if not names and not host:
        names = {UNKNOWN_SOURCE.casefold()}
    for candidate in sources:
        if candidate.name.casefold() in names or (
            candidate.domain and candidate.domain.casefold() in names
        ):
            return candidate
    return None


UNKNOWN_SOURCE = "Unknown outlet"


def propose_source(item: Item) -> None:
    """A source to create for an outlet no source knows yet, named from what the item
    says: its site name (a column, front matter, an XML portal), else its URL's domain."""
    host = (urlsplit(item.url).hostname or "").lower().removeprefix("www.")
    name = source_display_name(item.source_name) or host
    item.source_id, item.source_new, item.source_domain = None, True, host
    if name:
        item.source_name = name[:120]
        origin = item.origins.get("source_name", "the URL's domain")
        item.warnings.append(f"New source “{item.source_name}” (from {origin}).")
    else:
        item.source_name = UNKNOWN_SOURCE
        item.warnings.append(
            f"The file names no outlet and has no URL: filed under “{UNKNOWN_SOURCE}”; "
            "choose its source (or import with a source given)."
        )


def source_display_name(value: str) -> str:
    """A dataset's outlet slug as a name: "right-wing-news" → "Right Wing News", "nna" →
    "NNA"; names written as names are kept."""
    value = " ".join(value.split())
    if not value or value != value.lower() or " " in value or "." in value:
        return value
    words = value.replace("_", "-").split("-")
    return " ".join(w.upper() if len(w) <= 3 else w.capitalize() for w in words if w)


def source_for(item: Item) -> Source:
    """The item's source, created now if the preview proposed a new one. Created once
    whoever asks first (two items, or two imports, naming the same new outlet)."""
    if item.source_id is not None and not item.source_new:
        return Source.objects.get(pk=item.source_id)
    # By name first: a name corrected in the preview wins over the URL's domain.
    domain = item.source_domain
    existing = Source.objects.filter(name__iexact=item.source_name).first()
    if existing is not None:
        if domain and not existing.domain:
            Source.objects.filter(pk=existing.pk, domain="").update(domain=domain)
        return existing
    if domain and (by_domain := Source.objects.filter(domain__iexact=domain).first()):
        return by_domain
    try:
        with transaction.atomic():
            return Source.objects.create(name=item.source_name, domain=domain)
    except IntegrityError:  # created meanwhile, or the domain belongs to another source
        existing = Source.objects.filter(name__iexact=item.source_name).first()
        if existing is not None:
            return existing
        return Source.objects.create(name=item.source_name)
