"""Metadata that files state about themselves in front matter, and how to read a URL or
a headline that a CMS wrapped.

Jekyll, Hugo and WordPress exports start a saved article with a YAML block between
``---`` lines (or TOML between ``+++``): its title, date, original link and author are
the article's, the block itself is never article text.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from apps.corpus.dates import parse_metadata_date

_YAML_BLOCK = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_TOML_BLOCK = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)
_MAX_BLOCK = 64_000  # a front matter block is a few lines; beyond this it is not one

# Keys of each field, best first. A mirror's own address (permalink) comes last: the
# original link, where there is one, is the article's.
_KEYS = {
    "title": ("title", "post_title", "headline", "original_title"),
    "url": ("original_link", "canonical_url", "canonical", "source_url", "link", "url"),
    "published": ("date", "post_date", "published_at", "pubdate", "publish_date", "published"),
    "byline": ("author", "byline", "authors"),
    "site": ("source", "site", "site_name", "publisher", "outlet", "publication"),
}
_FALLBACK_URL_KEYS = ("permalink",)

# A headline that ends with its outlet: "Turkey says … – BBC News", "… | Reuters".
_TITLE_SITE = re.compile(r"^(?P<title>.{8,}?)\s+[-–—|:]\s+(?P<site>[^-–—|:]{2,40})$")


@dataclass
class FrontMatter:
    title: str = ""
    url: str = ""
    published: str = ""  # ISO date, "" if none is stated
    byline: str = ""
    site: str = ""


def split_front_matter(text: str) -> tuple[FrontMatter | None, str]:
    """(the front matter, the rest) of a file's text; (None, text) when it has none or
    the block cannot be read (then it stays in the text, where cleaning shows it)."""
    for pattern, load in ((_YAML_BLOCK, _load_yaml), (_TOML_BLOCK, tomllib.loads)):
        match = pattern.match(text[: _MAX_BLOCK + 16])
        if match is None:
            continue
        try:
            data = load(match.group(1))
        except Exception:  # a malformed block: keep the text as it is
            return None, text
        if not isinstance(data, dict):
            return None, text
        return _fields(data), text[match.end() :]
    return None, text


def _load_yaml(block: str) -> Any:
    import yaml  # imported on use

    # safe_load builds only plain data (no objects); aliases are bounded by the size cap.
    return yaml.safe_load(block)


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> str:
    lowered = {str(k).lower(): v for k, v in data.items()}
    for key in keys:
        value = lowered.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str | int | float) and v), "")
        if isinstance(value, bool) or value is None:
            continue  # "published: true" is a flag, not a date
        text = html.unescape(str(value)).strip()
        if text:
            return " ".join(text.split())
    return ""


def _fields(data: dict[str, Any]) -> FrontMatter:
    date = parse_metadata_date(_first(data, _KEYS["published"]))
    return FrontMatter(
        title=_first(data, _KEYS["title"]),
        url=unwrap_redirect(_first(data, _KEYS["url"]) or _first(data, _FALLBACK_URL_KEYS)),
        published=date.isoformat() if date else "",
        byline=_first(data, _KEYS["byline"]),
        site=_first(data, _KEYS["site"]),
    )


def unwrap_redirect(url: str) -> str:
    """The article's own address inside an aggregator's redirect link
    (``news.google.com/news/url?…&url=http://www.bbc.co.uk/…``)."""
    url = html.unescape(url.strip())
    parts = urlsplit(url)
    if not parts.query or not re.search(r"(?:^|/)(?:url|redirect|r|out)/?$", parts.path):
        return url
    query = parse_qs(parts.query)
    for key in ("url", "u", "q", "target"):
        for value in query.get(key, []):
            if urlsplit(value).scheme in ("http", "https"):
                return value
    return url


def split_title_site(title: str) -> tuple[str, str]:
    """("Turkey says Russia violated its airspace", "BBC News") from the headline a CMS
    stored as "Turkey says Russia violated its airspace – BBC News". A suffix is taken
    for an outlet only when it reads like a name (short, capitalised words, or a domain)."""
    match = _TITLE_SITE.match(title.strip())
    if match is None:
        return title.strip(), ""
    site = match["site"].strip()
    words = site.split()
    looks_like_name = len(words) <= 4 and (
        all(w[:1].isupper() or w[:1].isdigit() for w in words) or re.search(r"\.\w{2,}$", site)
    )
    return (match["title"].strip(), site) if looks_like_name else (title.strip(), "")
