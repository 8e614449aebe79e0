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

from apps.corpus.dates import date_line, match_date
from apps.corpus.decoding import Rejected
from apps.corpus.headers import same_text, take_footer_byline, take_header
from apps.corpus.sentences import (
    RUN_ON_CHARS,
    looks_like_title,
    paragraphs,
    sentences,
    strip_leading_time,
)
from apps.corpus.text import canonicalize

NO_TITLE = "No headline found: the title falls back to the first sentence."


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
    # Where a field came from, when it is more specific than "the text" or "the page".
    origins: dict[str, str] = field(default_factory=dict)


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
            # A CMS mirror's link back to the original ("Source", "Source link").
            r"source(?: link)?",
            # Engagement lines and widgets, whole or as a sentence of a run-on text.
            r"share this on (?:facebook|twitter).{0,120}",
            r"scroll down to (?:comment|leave a comment).{0,60}",
            r"(?:please )?(?:like|follow) us on (?:facebook|twitter).{0,80}",
            r"(?:watch|video): related video.{0,120}",
            r"story continued below",
            r"our standards: ?the thomson reuters trust principles\.?",
            r"tags?:?(?: [\w'-]+,?){2,40}\.?",  # each word starts with a space: no backtracking
            r"(?:image|photo) (?:copyright|caption)\b.{0,200}",
            # Photo credits and caption lines ("Photo: Reuters", "… /Getty Images").
            r"(?:photo|image|picture|file photo)(?: credit)?s?: .{0,150}",
            r".{0,150}/ ?(?:getty images|afp|reuters|ap|epa|anadolu agency)\)?\.?",
            # Newsletter boxes.
            r"(?:sign up|subscribe|register)(?: now| here| today)? (?:for|to) "
            r".{0,60}newsletter.{0,150}",
            r"(?:get|receive) (?:our|the) .{0,60}newsletter.{0,150}",
            # Legal footers: a year of copyright, or policies named together.
            r"(?:©|copyright|\(c\))\s*(?:©\s*)?\d{4}\b.{0,300}",
            r".{0,200}\ball rights reserved\b.{0,200}",
            r".{0,200}\b(?:cookie|privacy) policy\b.{0,100}\b(?:cookie|privacy|terms)\b.{0,100}",
            # Author bios under the article.
            r"(?:about the author|author bio)\b.{0,300}",
            r".{0,200}\bfollow (?:him|her|them) on (?:twitter|x|facebook)\b.{0,80}",
            r"\W*\d{1,2}:\d{2}",  # the duration under a video widget ("5:52")
        ]
    ),
    re.IGNORECASE,
)

_VIDEO_WIDGET = re.compile(r"play(?: video)?\b.{0,200}\bembed\b.{0,40}", re.IGNORECASE)
_DURATION_END = re.compile(r".{0,200}\s\d{1,2}:\d{2}")

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
        if any(rule.fullmatch(form) for rule in (_CHROME, _CALL_TO_ACTION, _VIDEO_WIDGET)):
            return ""
    # A paragraph without a letter ("$", "0", "---", "* * *", a lone bullet) has no words to
    # annotate, unless it is a date the header may hold (21/06/2016). Symbols such as emoji
    # count as content.
    if not any(_is_wordlike(ch) for ch in text) and not date_line(text)[1]:
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
# Plain text


def clean_plain_text(raw: str, *, patterns: Sequence[str] = (), title: str = "") -> Cleaned:
    """Clean a plain-text or Markdown article as scraped.

    The first lines give the headline, date, byline and site name when they show them; the
    rest is the body minus boilerplate (generic rules above, plus the source's ``patterns``).
    Raises Rejected for an invalid pattern or when no article text is left.
    """
    rules = compile_patterns(patterns)
    cleaned = Cleaned(text="")
    # A title the file states elsewhere (a column, an XML element) is looked for at the
    # top of the text, to drop it there; never guessed over.
    known = (title,) if title else ()
    clean_into(cleaned, canonicalize(raw), rules, known_titles=known, guess_title=not title)
    if not cleaned.title and not title:
        cleaned.warnings.append(NO_TITLE)
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
    if "\n" not in text and len(text) > RUN_ON_CHARS:
        text = _run_on(text, cleaned, rules, known_titles=known_titles, guess_title=guess_title)
    lines = [(line, _clean_line(line, rules)) for line in text.split("\n\n") if line]
    cut = _footer_start(lines, rules)
    kept = []
    after_widget = False
    for index, (line, body_line) in enumerate(lines):
        # Under a video widget ("Play … Embed"), its caption repeats with a duration.
        caption = after_widget and _DURATION_END.fullmatch(line)
        if body_line and index < cut and not caption:
            kept.append(body_line)
        else:
            cleaned.removed.append(line)
        after_widget = bool(_VIDEO_WIDGET.fullmatch(line))
    kept = _drop_repeats(kept, cleaned)
    kept = take_header(kept, cleaned, known_titles=known_titles, guess_title=guess_title)
    kept = take_footer_byline(kept, cleaned)
    cleaned.text = canonicalize("\n".join(kept))
    if not cleaned.text:
        raise Rejected("No article text found: nothing is left once boilerplate is removed.")


def _run_on(
    text: str, cleaned: Cleaned, rules: _Rules, *, known_titles: Sequence[str], guess_title: bool
) -> str:
    """A text on one line (a dataset row): its leading dateline becomes the date, a
    headline it starts with becomes (or repeats) the title, each sentence is judged by
    the boilerplate rules, and the rest is regrouped into paragraphs."""
    found = match_date(text)
    if found is not None and found[0] is not None and found[1].strip():
        date, rest, _ = found
        if cleaned.published is None:
            cleaned.published = date
            cleaned.origins["published"] = "a dateline at the start of the text"
        text = strip_leading_time(rest.strip())
    parts = sentences(text)
    if len(parts) > 1:
        first = parts[0].rstrip(".")
        if any(same_text(first, title) for title in known_titles if title):
            parts.pop(0)  # the title, repeated as the first sentence
        elif guess_title and looks_like_title(parts[0]):
            cleaned.title = first
            cleaned.origins["title"] = "the first sentence of the text"
            parts.pop(0)
    kept = []
    for sentence in parts:
        if body := _clean_line(sentence, rules):
            kept.append(body)
        else:
            cleaned.removed.append(sentence)
    return "\n\n".join(paragraphs(kept))
