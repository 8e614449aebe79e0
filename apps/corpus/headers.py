"""The header and signature lines of an article: headline, site name, dateline, byline.

Scraped texts start with some of these above the body (and sometimes end with a
signature); they become the article's fields instead of body paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from apps.corpus.dates import MONTHS, date_line

if TYPE_CHECKING:
    from apps.corpus.cleaning import Cleaned


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_OUTLET_WORDS = _words(
    "NEWS TIMES POST HERALD TRIBUNE JOURNAL GUARDIAN TELEGRAPH GAZETTE EXPRESS MAIL "
    "CHRONICLE OBSERVER INDEPENDENT TODAY DAILY WEEKLY PRESS WIRE RADIO TV TELEVISION "
    "MEDIA AGENCY REVIEW MAGAZINE INSIDER STAR SUN MIRROR STANDARD TELEGRAM MONITOR "
    "NETWORK"
)
# All-caps section labels that are not an outlet ("WORLD NEWS", "LATEST NEWS").
_SECTION_WORDS = _words(
    "NEWS WORLD LATEST TOP LOCAL BUSINESS SPORT SPORTS TECH POLITICS LIVE HOME MORE "
    "INTERNATIONAL OPINION VIDEO"
)
# Short words that are words, not initialisms, when a name is written in capitals.
_SHORT_WORDS = _words("THE NEW OF AND FOR DAY AL EL LA LE DIE DER DE DU")
_SITE_NAME = re.compile(r"[A-Z0-9][A-Z0-9&/'’ -]{0,48}")

# A label in capitals above a headline: one word (EXCLUSIVE, ANALYSIS) or a section name.
_KICKER = re.compile(r"[A-Z][A-Z-]{2,19}:?|(?:[A-Z]+ ){1,2}[A-Z]+")
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30
_LIST_MARKERS = ("•", "·", "- ", "* ", "– ", "— ", "+ ")
# A headline may end in an abbreviation's full stop ("... in the U.S.").
_ABBREVIATION_END = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Jr|Sr|Inc|Co|Ltd|St|Mr|Mrs|Dr)\.)$")

_BYLINE = re.compile(
    r"(?:by\s+|(?:--|—|–)\s*)(?P<names>[^\d,;:!?()]+(?:,\s*[^\d,;:!?()]+)*)", re.IGNORECASE
)
_NAME_PARTICLES = _words("and & de del der van von da di la le al bin ibn y")
_NOT_NAMES = _words(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday"
) | frozenset(MONTHS)
_HEADER_LINES = 6  # title, date, byline and the like sit within the first few lines


def _site_name(line: str) -> str:
    """'BBC NEWS' -> 'BBC News'; "" when the line is not an outlet's name in capitals."""
    if not _SITE_NAME.fullmatch(line) or not any(ch.isalpha() for ch in line):
        return ""
    words = line.split()
    if len(words) > 5 or all(word in _SECTION_WORDS for word in words):
        return ""
    if not (any(word in _OUTLET_WORDS for word in words) or _is_initialism(line)):
        return ""
    return " ".join(word if _is_initialism(word) else _capitalise(word) for word in words)


def _is_initialism(word: str) -> bool:
    """BBC, CNN, RFE/RL: kept in capitals. A vowel-less or three-letter word is taken for
    one unless it is a common short word (THE, NEW)."""
    parts = word.split("/")
    return all(_is_initialism_part(part) for part in parts)


def _is_initialism_part(part: str) -> bool:
    letters = [ch for ch in part if ch.isalpha()]
    if not letters or part in _OUTLET_WORDS or part in _SHORT_WORDS or " " in part:
        return False
    return len(letters) <= 3 or not any(ch in "AEIOU" for ch in letters)


def _capitalise(word: str) -> str:
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))


def _is_kicker(line: str) -> bool:
    if not _KICKER.fullmatch(line):
        return False
    words = line.split()
    return len(words) == 1 or all(word in _SECTION_WORDS for word in words)


def _looks_like_headline(line: str) -> bool:
    if len(line) > _HEADLINE_MAX_CHARS or len(line.split()) > _HEADLINE_MAX_WORDS:
        return False
    if line.startswith(_LIST_MARKERS) or not any(ch.isalpha() for ch in line):
        return False
    end = line.rstrip("\"'”’»)] ")
    if end.endswith((":", ",", ";")):
        return False
    # A final full stop makes it the first sentence of the body, not a headline.
    return not (end.endswith(".") and not end.endswith("...") and not _ABBREVIATION_END.search(end))


def _byline(line: str) -> str:
    if len(line) > 120:
        return ""
    match = _BYLINE.fullmatch(line)
    if not match:
        return ""
    names = match["names"].strip()
    words = re.split(r"[\s,]+", names)
    for word in words:
        if not word or word.lower() in _NAME_PARTICLES:
            continue
        if not word[0].isupper() or word.lower().strip(".") in _NOT_NAMES:
            return ""
    return names


def same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def take_header(
    lines: list[str], cleaned: Cleaned, *, known_titles: Sequence[str], guess_title: bool
) -> list[str]:
    """Move the headline, site name, date and byline at the top of ``lines`` to fields.

    Fields already set (from a page's metadata) are kept; a line repeating them is dropped.
    """
    start = 0
    title_seen = False
    # Keep at least one line: a text that is one line long is the body, not a title.
    while start < min(len(lines) - 1, _HEADER_LINES):
        line = lines[start]
        is_date, date = date_line(line)
        names = _byline(line)
        if any(same_text(line, title) for title in known_titles if title):
            title_seen = True  # the page repeats its own title above the body
        elif not title_seen and (name := _site_name(line)):
            cleaned.site_name = cleaned.site_name or name
        elif is_date and cleaned.published is None and date is not None:
            cleaned.published = date
        elif is_date:
            # "Updated on" whose date was lost in scraping, or a second date (the page's
            # metadata already gave one): never body text.
            cleaned.removed.append(line)
        elif names and (not cleaned.byline or same_text(names, cleaned.byline)):
            cleaned.byline = names
        elif not title_seen and _is_kicker(line):
            cleaned.removed.append(line)
        elif guess_title and not title_seen and _looks_like_headline(line):
            cleaned.title = line
            title_seen = True
        else:
            break
        start += 1
    return lines[start:]


def take_footer_byline(lines: list[str], cleaned: Cleaned) -> list[str]:
    # A signature under the article ("-- Joanna Paraszczuk"), just before any footer.
    for index in range(len(lines) - 1, max(len(lines) - 3, 0), -1):
        if not cleaned.byline and (names := _byline(lines[index])):
            cleaned.byline = names
            return lines[:index] + lines[index + 1 :]
    return lines
