"""Dates as article files print them: in metadata, datelines and "Updated on" lines.

Lenient on purpose (the forms outlets use), strict about never inventing a date: a
label whose date was lost in scraping gives ``None``, not a guess.
"""

from __future__ import annotations

import datetime
import re

MONTHS = {
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
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+)?"
# "Updated on", "Published:", "Last updated" ... in front of the date of an article.
_DATE_LABEL = (
    r"(?P<label>(?:(?:last\s+|first\s+)?(?:updated|published|posted|modified)"
    r"|date(?:\s+of\s+publication)?)\b"
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
    found = match_date(value.strip())
    return found[0] if found else None


def match_date(value: str) -> tuple[datetime.date | None, str, bool] | None:
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
    month = MONTHS[month_text] if month_text in MONTHS else int(month_text)
    if match.re is _NUMERIC_DAY_FIRST and month > 12 >= day:
        # Day first is the rule (21/06/2016), but 06/21/2016 can only be a US date.
        day, month = month, day
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def date_line(line: str) -> tuple[bool, datetime.date | None]:
    """Is the whole line a date (with optional label and time)? Returns (is it, the date)."""
    found = match_date(line)
    if not found:
        return False, None
    date, rest, has_label = found
    if date is None:
        return has_label, None
    return bool(_TIME_RE.fullmatch(rest.strip())), date


def parse_metadata_date(value: str, *, month_first: bool = False) -> datetime.date | None:
    """A date field of a file (front matter, a CSV column, an XML element): the forms
    above, else whatever ``dateparser`` reads with a day, a month and a year all present.
    A bare year or month is no date: it would invent the rest. ``month_first`` reads
    numeric dates as 9/5/2016 = 5 September (a column whose values say so)."""
    value = " ".join(value.split())
    if not value:
        return None
    numeric = _NUMERIC_DAY_FIRST.fullmatch(value.split(" ")[0])
    if numeric and month_first:
        month, day, year = int(numeric["day"]), int(numeric["month"]), int(numeric["year"])
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    if found := parse_date(value):
        return found
    import dateparser  # imported on use: it loads its language data (megabytes)

    parsed = dateparser.parse(
        value,
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False},
    )
    return parsed.date() if parsed else None


def numeric_order(values: list[str]) -> bool:
    """Whether a column of numeric dates is month first (US): some value has a second
    part over 12, and none a first part over 12. Day first otherwise, as most of the
    world writes."""
    firsts, seconds = set(), set()
    for value in values:
        if match := _NUMERIC_DAY_FIRST.match(value.strip()):
            firsts.add(int(match["day"]))
            seconds.add(int(match["month"]))
    return any(n > 12 for n in seconds) and not any(n > 12 for n in firsts)
