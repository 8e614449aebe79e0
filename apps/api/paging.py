"""Cursor pages of every API list: rows in order of id, a page after an opaque cursor.

A cursor names the last id seen, so a page is one indexed range read (``id > cursor``)
however deep the walk, and rows added or removed meanwhile cause no gaps or repeats, as
an offset would. ``next`` is the whole URL of the following page (the same filters), or
null on the last page.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError

from apps.annotations.filters import MAX_ID

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
_PREFIX = "after:"

T = TypeVar("T")


class PageParams(Schema):
    cursor: str | None = Field(None, description="From the `next` link of the page before.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class Page(Schema, Generic[T]):
    next: str | None = Field(description="The URL of the next page; null on the last.")
    results: list[T]


def encode(after: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{after}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        digits = text[len(_PREFIX) :]
        # A made-up cursor past the largest id would overflow the database's integer.
        if text.startswith(_PREFIX) and digits.isdigit() and int(digits) < MAX_ID:
            return int(digits)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationError(
        [{"loc": ["query", "cursor"], "msg": "Not a cursor of this API.", "type": "cursor"}]
    )


def next_link(request: HttpRequest, after: int) -> str:
    query = request.GET.copy()
    query["cursor"] = encode(after)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(
    request: HttpRequest, rows: QuerySet, params: PageParams
) -> tuple[list[Any], str | None]:
    """The page's rows (models, or ids from ``values_list("pk", flat=True)``) and the
    link to the next page. One query: a row more than the page says whether one follows."""
    size = params.page_size
    # A range with both ends, not ``pk > cursor``: SQLite guesses that a one-sided range
    # keeps a quarter of the table, and then read every annotation of the project and
    # sorted them (28 ms for 500 of 200,000 with a filter); with both ends it walks the
    # ids in order and stops at the page's end (0.3 ms).
    window = (decode(params.cursor) + 1, MAX_ID)
    found = list(rows.filter(pk__range=window).order_by("pk")[: size + 1])
    if len(found) <= size:
        return found, None
    found = found[:size]
    last = found[-1]
    return found, next_link(request, getattr(last, "pk", last))
