"""Article files that are documents rather than text: XML article files and news feeds,
Word (.docx) and PDF files with a text layer.

Each reader returns the fields the file states (title, URL, outlet, date, byline) and
the article's main text only: other fields of an XML file become metadata, never body
paragraphs. XML is parsed with defusedxml (no entity expansion, no external entities,
no DTD tricks). Dates are read as written (never converted to another time zone, which
would shift them a day) and never invented.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from apps.corpus.dates import parse_metadata_date
from apps.corpus.decoding import Rejected, repair_double_encoding

FEED_ROOTS = {"rss", "feed", "rdf"}
TITLE_STYLES = {"Title", "Heading 1"}  # Word paragraph styles that hold a headline
# Element names (lower case, without namespace) that hold each field of an article.
_FIELDS = {
    "title": ("title", "headline", "heading"),
    "url": ("uri", "url", "link", "canonical", "permalink", "source_url"),
    "text": ("maintext", "text", "body", "content", "articlebody", "fulltext", "story"),
    "byline": ("author", "byline", "creator", "authors"),
    "site": ("portal", "site", "sitename", "site_name", "publisher", "source", "outlet"),
    "published": ("date", "published", "pubdate", "publication_date", "datepublished", "time"),
}


@dataclass
class Document:
    text: str
    kind: str = "text"  # text | html: how the text is to be cleaned
    title: str = ""
    url: str = ""
    site: str = ""
    published: str = ""  # ISO date, "" if the file states none
    byline: str = ""
    label: str = ""  # which entry of a feed


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _text_of(element: Element) -> str:
    return "".join(element.itertext()).strip()


def read_xml(data: bytes) -> list[Document]:
    """An XML article file (a root element with a title, a URL, a main text…), or a
    news feed (RSS or Atom: one document per entry)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data)
    except DefusedXmlException:
        raise Rejected("This XML declares entities or a DTD, which are refused.") from None
    except Exception as error:  # ParseError and friends: the file is not well-formed
        raise Rejected(f"This is not well-formed XML ({error}).") from None
    if _local(root.tag) in FEED_ROOTS:
        return _read_feed(data)
    found: dict[str, str] = {}
    for element in root.iter():
        name = _local(element.tag)
        for field, names in _FIELDS.items():
            if field not in found and name in names and (value := _text_of(element)):
                found[field] = value
    text = repair_double_encoding(found.get("text", ""))
    if not text:
        raise Rejected("No main text in this XML file (no mainText, text, body or content).")
    date = parse_metadata_date(found.get("published", ""))
    return [
        Document(
            text=text,
            title=repair_double_encoding(found.get("title", "")),
            url=found.get("url", ""),
            site=found.get("site", ""),
            published=date.isoformat() if date else "",
            byline=repair_double_encoding(found.get("byline", "")),
        )
    ]


def _read_feed(data: bytes) -> list[Document]:
    import feedparser  # imported on use: only feeds need it

    feed = feedparser.parse(data)
    site = feed.feed.get("title", "")
    documents = []
    for number, entry in enumerate(feed.entries, start=1):
        contents = entry.get("content") or []
        body = contents[0].get("value", "") if contents else entry.get("summary", "")
        if not body.strip():
            continue
        written = entry.get("published") or entry.get("updated") or ""
        date = parse_metadata_date(written)
        documents.append(
            Document(
                text=body,
                kind="html",
                title=entry.get("title", ""),
                url=entry.get("link", ""),
                site=site,
                published=date.isoformat() if date else "",
                byline=entry.get("author", ""),
                label=f"entry {number}",
            )
        )
    if not documents:
        raise Rejected("This feed has no entries with text.")
    return documents


def read_docx(data: bytes) -> Document:
    """A Word file as saved from a news database: its paragraphs, and its title."""
    import docx  # imported on use
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise Rejected(f"This is not a readable Word file ({type(error).__name__}).") from None
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    if not paragraphs:
        raise Rejected("This Word file holds no text.")
    title = (document.core_properties.title or "").strip()
    styled = next(
        (
            p.text
            for p in document.paragraphs
            if p.style is not None and p.style.name in TITLE_STYLES
        ),
        "",
    )
    return Document(
        text="\n".join(paragraphs),
        title=title or styled.strip(),
        byline=(document.core_properties.author or "").strip(),
    )


def read_pdf(data: bytes) -> Document:
    """A PDF with a text layer; one without (a scan) is refused, saying so."""
    from pypdf import PdfReader  # imported on use
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Rejected("This PDF is encrypted: save an unprotected copy and import that.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Rejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise Rejected(f"This is not a readable PDF ({type(error).__name__}).") from None
    text = "\n".join(pages)
    if not text.strip():
        raise Rejected(
            "This PDF has no text layer (a scanned page?): run it through OCR, or import the "
            "article's text instead."
        )
    meta = reader.metadata
    title = str(meta.title or "").strip() if meta else ""
    return Document(text=text, title=title, byline=str(meta.author or "").strip() if meta else "")
