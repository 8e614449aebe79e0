"""Turning an imported file into a clean article body plus what the page says about itself.

Articles arrive as scraped: plain text or Markdown with the site's chrome around them (feed
mirrors, share widgets, blog footers, ad scripts), or a saved web page. Annotations will index
into the result by code point (DESIGN §5), so everything here ends in ``canonicalize`` and
never rewrites the article's own words: it only drops lines and markup.

Per-source patterns
-------------------
A Source may list extra rules for boilerplate only that outlet prints, one per entry:

* A plain entry is a regular expression. Every line it matches in full is removed. Matching
  ignores case and the spaces around the line, so ``Before it's here.*`` removes the line
  "Before it's here, it's on the Bloomberg Terminal. LEARN MORE".
* An entry starting with ``from:`` removes the first line it matches *and everything after
  it*, e.g. ``from:About This Blog`` drops a blog's footer block.

Escape the characters ``. ( ) [ ] ? * + | ^ $ \\`` with a backslash to match them literally.
Blank entries are ignored; an invalid expression is refused with its text in the message.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from apps.corpus.decoding import Rejected
from apps.corpus.text import canonicalize

PATTERNS_HELP = (
    "One rule per line. A line of the article that a rule matches in full (regular "
    "expression, case-insensitive) is removed. A rule starting with from: removes the "
    "matching line and everything after it, e.g. from:About This Blog"
)


@dataclass
class Cleaned:
    text: str  # canonical article body, without the headline, date and byline lines
    title: str = ""  # the headline the text or page shows, "" if none
    published: datetime.date | None = None
    byline: str = ""
    site_name: str = ""  # an outlet name the text shows ("BBC NEWS" -> "BBC News")
    url: str = ""  # from the page's metadata (canonical link), else the URL given
    language: str = ""  # primary language subtag from the page's metadata ("en")
    # Boilerplate dropped without becoming a field (title, date, byline and site name lines
    # are shown in their fields instead), so an import preview can show what went.
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+)?"
# "Updated on", "Published:", "Last updated" ... in front of the date of an article.
_DATE_LABEL = (
    r"(?P<label>(?:(?:last\s+|first\s+)?(?:updated|published|posted|modified)|date)\b"
    r"(?:\s+on)?\s*:?\s*)?"
)
_NUMERIC_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})")
_DATE_FORMS = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
    _NUMERIC_DAY_FIRST,
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.I),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", re.I),
)
_LABEL_RE = re.compile(_DATE_LABEL + _WEEKDAY, re.I)
# What may follow the date on a date line: a time, a zone, an ISO time part.
_TIME_RE = re.compile(
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"(?:[\s,|·•–-]*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*\(?(?:[A-Z]{2,5}|(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?)\)?)?)?",
    re.I,
)


def parse_date(value: str) -> datetime.date | None:
    """Lenient date parsing for import metadata: ISO (2016-06-21, 2016-06-21T10:00Z),
    21/06/2016 (day first), 'December 14, 2015', '14 December 2015', 'Dec 14, 2015',
    'Updated on December 14, 2015 ...' (anything after the date is ignored). None if unknown.
    """
    found = _match_date(value.strip())
    return found[0] if found else None


def _match_date(value: str) -> tuple[datetime.date | None, str, bool] | None:
    """Read a date at the start of ``value`` (after an optional label such as "Updated on").

    Returns (date, the rest of the string, whether a label was present), or None. The date
    is None when only a label was there: "Updated on" with the date lost in scraping.
    """
    label = _LABEL_RE.match(value)
    has_label = bool(label and label.group("label"))
    rest = value[label.end() :] if label else value
    for form in _DATE_FORMS:
        match = form.match(rest)
        if match and (date := _make_date(match)):
            return date, rest[match.end() :], has_label
    if has_label and not rest:
        return None, "", True
    return None


def _make_date(match: re.Match[str]) -> datetime.date | None:
    year, day = int(match["year"]), int(match["day"])
    month_text = match["month"].lower()
    month = _MONTHS[month_text] if month_text in _MONTHS else int(month_text)
    if match.re is _NUMERIC_DAY_FIRST and month > 12 >= day:
        # Day first is the rule (21/06/2016), but 06/21/2016 can only be a US date.
        day, month = month, day
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date_line(line: str) -> tuple[bool, datetime.date | None]:
    """Is the whole line a date (with optional label and time)? Returns (is it, the date)."""
    found = _match_date(line)
    if not found:
        return False, None
    date, rest, has_label = found
    if date is None:
        return has_label, None
    return bool(_TIME_RE.fullmatch(rest.strip())), date


# ---------------------------------------------------------------------------------------
# Per-source patterns


@dataclass(frozen=True)
class _Rules:
    lines: tuple[re.Pattern[str], ...] = ()
    cut_from: tuple[re.Pattern[str], ...] = ()


# A group with a repetition inside, itself repeated: (x+)+, (x*)*, (?:x+){2,}…
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


def check_patterns(patterns: Iterable[str]) -> None:
    """Raise Rejected naming the first invalid pattern (for form validation)."""
    compile_patterns(patterns)


def compile_patterns(patterns: Iterable[str]) -> _Rules:
    lines: list[re.Pattern[str]] = []
    cut_from: list[re.Pattern[str]] = []
    for entry in patterns:
        entry = entry.strip()
        is_cut = entry.lower().startswith("from:")
        expression = entry[len("from:") :].strip() if is_cut else entry
        if not expression:
            continue
        try:
            compiled = re.compile(expression, re.IGNORECASE)
        except re.error as exc:
            raise Rejected(
                f'The pattern "{entry}" is not a valid regular expression: {exc}.'
            ) from None
        if _NESTED_REPEAT.search(expression):
            # (a+)+ and the like backtrack exponentially on a line that almost matches:
            # one such rule could stall every import from that outlet.
            raise Rejected(
                f'The pattern "{entry}" repeats a group that itself repeats, like (a+)+; '
                "such a rule can take hours on one line. Write it without the nesting."
            )
        (cut_from if is_cut else lines).append(compiled)
    return _Rules(tuple(lines), tuple(cut_from))


# ---------------------------------------------------------------------------------------
# Generic boilerplate

# Lines that are site furniture whatever the outlet. Each matches a whole line, ignoring case.
_CHROME = re.compile(
    "|".join(
        [
            # Feed mirrors (rssing.com and the like) wrap every item in their navigation.
            r"quantcast",
            r"viewing all articles.*",
            r"browse latest browse all \d+",
            r"channel: [^.!?]{1,60}",
            r"trending articles",
            r"join the conversation about this story\W*",
            r"now watch:.*",
            # Links to other articles ("Read more [Title](#)", "[READ MORE: Title](#)").
            r"\[?\s*(?:read more|read also|also read)\b.{0,250}",
            r"\[?\s*(?:see also|related(?: articles?| stories| coverage)?)\s*:.{0,250}",
            # Navigation, share and subscribe widgets.
            r"accessibility links",
            r"skip to (?:the )?(?:main )?content",
            r"breaking news",
            r"advertisement|sponsored(?: content)?",
            r"subscribe(?: now| here| to:? .{1,60})?",
            r"(?:share|tweet|email|print)(?: this(?: article| story| page| post)?)?"
            r"(?: on \w+)?:?",
            r"follow us(?: on .{1,60})?",
            r"(?:latest|recent|popular|related) (?:posts|articles|stories)",
            r"(?:newer|older) posts?(?: (?:newer|older) posts?)?(?: home)?|home",
            # Bootstrap's responsive-size markers leak into scraped text as XS/SM/MD/LG.
            r"(?:(?:xs|sm|md|lg|xl|xxl)\s*)+",
        ]
    ),
    re.IGNORECASE,
)

# A promo that ends in a shouted call to action ("... Terminal. LEARN MORE"). Case matters:
# an article's sentence does not end in capitals like these.
_CALL_TO_ACTION = re.compile(
    r".{0,200}\b(?:LEARN MORE|FIND OUT MORE|SIGN UP(?: NOW)?|SUBSCRIBE(?: NOW)?|"
    r"WATCH NOW|TRY IT FREE|GET STARTED|DOWNLOAD NOW)\W*"
)

# Blog footers: the article ends where these begin (comments, "about this blog" blurbs).
# Blogger prints "No comments:" / "3 comments:" above the comments themselves.
_FOOTER_START = re.compile(
    r"about this blog|about the author|no comments:?|\d+ comments?:|post a comment|"
    r"leave a (?:comment|reply)",
    re.IGNORECASE,
)

# Markup: scripts and styles go with their content; other tags go, their text stays. A
# block-level tag ends a paragraph; an inline one may sit inside a word ("<b>Putin</b>'s").
_SCRIPT_BLOCK = re.compile(
    r"<(script|style|noscript|template|iframe)\b[^>]*>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<![A-Za-z][^<>]*>|<\?[^<>]*\?>", re.DOTALL)
# Possessive quantifiers (*+): the name and the attributes could otherwise split a long
# run of letters in every possible way, and an unclosed "<abc…" took quadratic time.
_HTML_TAG = re.compile(r"</?[A-Za-z][\w:-]*+(?:\"[^\"]*+\"|'[^']*+'|[^'\"<>])*+>")
_LONGEST_TAG = 2000  # beyond this a "<...>" match is prose with stray brackets, not a tag
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|table|blockquote|pre|section|article|"
    r"main|header|footer|nav|aside|figure|figcaption|form)\b",
    re.IGNORECASE,
)

_MD_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()\s]*\)")
_MD_LINK = re.compile(
    r"(?<!!)\[([^\[\]]++)\]\(([^()\s]*+(?:\([^()\s]*+\))?[^()\s]*+)(?:\s+\"[^\"]*+\")?\)"
)
_MD_HEADING = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?![\s*_])(.+?)(?<![\s*_])\1")


def _strip_markup(text: str, cleaned: Cleaned) -> str:
    def drop_block(match: re.Match[str]) -> str:
        cleaned.removed.append(match[0])
        return "\n"

    def drop_tag(match: re.Match[str]) -> str:
        if len(match[0]) > _LONGEST_TAG:
            return match[0]
        return "\n" if _BLOCK_TAG.match(match[0]) else ""

    before = text
    text = _SCRIPT_BLOCK.sub(drop_block, text)
    text = _HTML_COMMENT.sub(drop_block, text)
    text = _HTML_TAG.sub(drop_tag, text)
    if text != before:
        cleaned.warnings.append("Removed HTML markup (tags, scripts or styles) from the text.")
    return text


def _clean_line(line: str, rules: _Rules) -> str:
    """The line without Markdown markup, or "" when the whole line is boilerplate."""
    if any(pattern.fullmatch(line) for pattern in rules.lines):
        return ""
    text = _MD_IMAGE.sub("", line).strip()
    text = _MD_LINK.sub(r"\1", text)
    if heading := _MD_HEADING.fullmatch(text):
        text = heading[1]
    # Emphasis around a whole paragraph is markup; inside a sentence it is left alone.
    while (emphasis := _MD_EMPHASIS.fullmatch(text)) and emphasis[1] not in emphasis[2]:
        text = emphasis[2]
    text = text.strip()
    if text != line and any(pattern.fullmatch(text) for pattern in rules.lines):
        return ""
    for form in {line, text}:
        if _CHROME.fullmatch(form) or _CALL_TO_ACTION.fullmatch(form):
            return ""
    # A paragraph without a letter ("$", "0", "---", "* * *", a lone bullet) has no words to
    # annotate, unless it is a date the header may hold (21/06/2016). Symbols such as emoji
    # count as content.
    if not any(_is_wordlike(ch) for ch in text) and not _date_line(text)[1]:
        return ""
    return text


def _is_wordlike(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "So"


def _footer_start(lines: list[tuple[str, str]], rules: _Rules) -> int:
    """Index of the line where the article's footer starts (len(lines) if none)."""
    for index, forms in enumerate(lines):
        if any(pattern.fullmatch(form) for pattern in rules.cut_from for form in forms):
            return index
        # Generic markers only count in the second half: the same words in a site's top
        # menu must not eat the article.
        if index >= len(lines) / 2 and any(_FOOTER_START.fullmatch(form) for form in forms):
            return index
    return len(lines)


def _drop_repeats(lines: list[str], cleaned: Cleaned) -> list[str]:
    # Scrapers duplicate photo captions (alt text and figcaption). Only an immediate repeat
    # is dropped: a refrain further down is the author's.
    kept: list[str] = []
    for line in lines:
        if kept and line == kept[-1]:
            cleaned.removed.append(line)
        else:
            kept.append(line)
    return kept


# ---------------------------------------------------------------------------------------
# Title, site name, byline


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
) | frozenset(_MONTHS)
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


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _take_header(
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
        is_date, date = _date_line(line)
        names = _byline(line)
        if any(_same(line, title) for title in known_titles if title):
            title_seen = True  # the page repeats its own title above the body
        elif not title_seen and (name := _site_name(line)):
            cleaned.site_name = cleaned.site_name or name
        elif is_date and cleaned.published is None and date is not None:
            cleaned.published = date
        elif is_date:
            # "Updated on" whose date was lost in scraping, or a second date (the page's
            # metadata already gave one): never body text.
            cleaned.removed.append(line)
        elif names and (not cleaned.byline or _same(names, cleaned.byline)):
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


def _take_footer_byline(lines: list[str], cleaned: Cleaned) -> list[str]:
    # A signature under the article ("-- Joanna Paraszczuk"), just before any footer.
    for index in range(len(lines) - 1, max(len(lines) - 3, 0), -1):
        if not cleaned.byline and (names := _byline(lines[index])):
            cleaned.byline = names
            return lines[:index] + lines[index + 1 :]
    return lines


# ---------------------------------------------------------------------------------------
# Plain text


def clean_plain_text(raw: str, *, patterns: Sequence[str] = ()) -> Cleaned:
    """Clean a plain-text or Markdown article as scraped.

    The first lines give the headline, date, byline and site name when they show them; the
    rest is the body minus boilerplate (generic rules above, plus the source's ``patterns``).
    Raises Rejected for an invalid pattern or when no article text is left.
    """
    rules = compile_patterns(patterns)
    cleaned = Cleaned(text="")
    clean_into(cleaned, canonicalize(raw), rules, known_titles=(), guess_title=True)
    if not cleaned.title:
        cleaned.warnings.append(
            "No headline found in the text: the title falls back to the first sentence."
        )
    return cleaned


def clean_into(
    cleaned: Cleaned,
    text: str,
    rules: _Rules,
    *,
    known_titles: Sequence[str],
    guess_title: bool,
) -> None:
    text = canonicalize(_strip_markup(text, cleaned))
    lines = [(line, _clean_line(line, rules)) for line in text.split("\n\n") if line]
    cut = _footer_start(lines, rules)
    kept = []
    for index, (line, body_line) in enumerate(lines):
        if body_line and index < cut:
            kept.append(body_line)
        else:
            cleaned.removed.append(line)
    kept = _drop_repeats(kept, cleaned)
    kept = _take_header(kept, cleaned, known_titles=known_titles, guess_title=guess_title)
    kept = _take_footer_byline(kept, cleaned)
    cleaned.text = canonicalize("\n".join(kept))
    if not cleaned.text:
        raise Rejected("No article text found: nothing is left once boilerplate is removed.")
