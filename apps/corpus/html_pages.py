"""Saved web pages: the article's text and what the page says about itself.

trafilatura finds the main text and the metadata; a page it gives up on falls back to
its paragraphs, with a warning. The text then goes through the same line rules as plain
text (``cleaning.clean_into``), per-source patterns included.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import lxml.etree
import lxml.html
import trafilatura

from apps.corpus.cleaning import NO_TITLE, Cleaned, clean_into, compile_patterns
from apps.corpus.dates import parse_date
from apps.corpus.decoding import Rejected

# Never article text, even when a page puts paragraphs inside them.
_NON_CONTENT = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
)
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "figcaption")
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def extract_html(html: str, *, url: str = "", patterns: Sequence[str] = ()) -> Cleaned:
    """Main text + metadata of a saved web page with trafilatura (no network access).

    Scripts, styles and event handlers never reach the text: only element text is read.
    Raises Rejected when no article text can be found.
    """
    rules = compile_patterns(patterns)
    # lxml refuses str input that declares its own encoding; the text is decoded already.
    html = _XML_DECLARATION.sub("", html)
    if not html.strip():
        raise Rejected("No article text found in this page.")
    page = _parse_page(html)
    document = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        # Only dates the page declares (meta tags, structured data, time elements): the
        # extensive search guesses from image paths and the text ("/2016/01/" became
        # 1 January), and a guessed date is an invented one.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    meta = _page_metadata(page) if page is not None else {}
    cleaned = Cleaned(text="")
    body = getattr(document, "text", None) or ""
    if not body.strip() and page is not None:
        body = _fallback_text(page)
        if body:
            cleaned.warnings.append(
                "The page has no clearly marked article: its paragraphs were taken as they "
                "are. Check the text for leftovers."
            )
    cleaned.title = _one_line(getattr(document, "title", None) or meta.get("title", ""))
    cleaned.byline = _one_line(getattr(document, "author", None) or "")
    cleaned.published = parse_date(getattr(document, "date", None) or meta.get("date", ""))
    cleaned.site_name = _site_name_from_meta(getattr(document, "sitename", None) or "")
    cleaned.url = _absolute_url(meta.get("url", "")) or _absolute_url(url)
    cleaned.language = _language(getattr(document, "language", None) or meta.get("language", ""))
    known_titles = (cleaned.title, meta.get("h1", ""), meta.get("og_title", ""))
    try:
        clean_into(cleaned, body, rules, known_titles=known_titles, guess_title=not cleaned.title)
    except Rejected:
        raise Rejected("No article text found in this page.") from None
    if not cleaned.title:
        cleaned.warnings.append(NO_TITLE)
    return cleaned


def _parse_page(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _page_metadata(page: lxml.html.HtmlElement) -> dict[str, str]:
    """Title, date, URL and language that the page declares, for when trafilatura has none."""

    def first(*xpaths: str) -> str:
        for xpath in xpaths:
            for value in page.xpath(xpath):
                value = _one_line(str(value))
                if value:
                    return value
        return ""

    h1s = page.xpath("//body//h1")
    h1 = _one_line(h1s[0].text_content()) if h1s else ""
    og_title = first("//meta[@property='og:title']/@content", "//meta[@name='og:title']/@content")
    return {
        "og_title": og_title,
        "h1": h1,
        "title": og_title or h1 or first("//title/text()"),
        "date": first(
            "//meta[@property='article:published_time']/@content",
            "//meta[@name='date']/@content",
            "//time/@datetime",
        ),
        "url": first("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"),
        "language": first(
            "/html/@lang",
            "//meta[@http-equiv='content-language']/@content",
            "//meta[@property='og:locale']/@content",
        ),
    }


def _fallback_text(page: lxml.html.HtmlElement) -> str:
    """Paragraph, heading and list-item text of <body>, for pages trafilatura gives up on."""
    body = page.find("body")
    if body is None:
        return ""
    for element in body.xpath(" | ".join(f".//{tag}" for tag in _NON_CONTENT)):
        element.drop_tree()
    blocks = []
    for element in body.iter(*_BLOCKS):
        # A <p> inside an <li> (or a quote) would be read twice.
        if any(ancestor.tag in _BLOCKS for ancestor in element.iterancestors()):
            continue
        blocks.append(element.text_content())
    if not blocks:
        blocks = [body.text_content()]
    return "\n".join(blocks)


def _one_line(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _site_name_from_meta(value: str) -> str:
    value = _one_line(value)
    # trafilatura falls back to the host name, which is not a name the page shows.
    return "" if re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+", value) else value


def _absolute_url(value: str) -> str:
    # A relative canonical link says nothing without the page's address.
    value = value.strip()
    return value if re.match(r"https?://[^\s/]+", value, re.I) else ""


def _language(value: str) -> str:
    # The primary subtag only: "en-GB" and "en-US" articles are compared as English.
    match = _LANGUAGE_TAG.fullmatch(value.strip())
    return match[1].lower() if match else ""
