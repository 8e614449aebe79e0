"""The annotations of a selection, a page at a time: the export's columns as JSON, or
W3C Web Annotations (JSON-LD).

The selection is the exports' own form (``SearchForm``: the filter of every screen and
the search's words), and the rows are the export's records (``annotation_records``), so
a page holds exactly the CSV's rows of the same query string, in the same order.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from pydantic import create_model

from apps.analysis.export import ANNOTATION_COLUMNS, AT, annotation_records, story_names
from apps.analysis.export_jsonld import CONTEXT, OFFSET_UNIT, web_annotation
from apps.analysis.forms import SearchForm
from apps.annotations.models import Annotation
from apps.api.filters import valid
from apps.api.paging import Page, PageParams, page_of
from apps.projects.models import Project

LISTS = ("tags", "stories")  # joined with "; " in a CSV cell, lists here

# One annotation as the API gives it: the export's columns, by name.
AnnotationOut: Any = create_model(
    "Annotation",
    **{  # type: ignore[call-overload]
        column: ((list[str], ...) if column in LISTS else (int | str | None, ...))
        for column in ANNOTATION_COLUMNS
    },
)
AnnotationPage: Any = Page[AnnotationOut]


def selection(request: HttpRequest) -> SearchForm:
    """The form of the exports over the query string (its mistakes answer 422)."""
    return valid(SearchForm(request.GET))


def page(
    request: HttpRequest, project: Project, params: PageParams
) -> tuple[list[tuple], str | None]:
    """The export's records of one page of the selection, and the next page's link.

    The page's ids are read first (one indexed range read), then the records of those
    ids: the export's reader over a LIMIT would order and cut the whole selection once
    for each of its three queries."""
    passages = selection(request).passages(project, request.user)
    ids, after = page_of(request, passages.values_list("pk", flat=True), params)
    records = annotation_records(Annotation.objects.filter(pk__in=ids)) if ids else []
    return list(records), after


def as_json(records: list[tuple]) -> list[dict]:
    # The stories as lists (a CSV cell joins them).
    stories = story_names({values[AT["article_id"]] for values, _, _ in records})
    items = []
    for values, tags, _ in records:
        item = {column: values[AT[column]] for column in AT}
        item["tags"], item["stories"] = tags, stories.get(item["article_id"], [])
        items.append({column: item[column] for column in ANNOTATION_COLUMNS})
    return items


def as_jsonld(
    records: list[tuple], *, request: HttpRequest, project: Project, next_url: str | None
) -> dict:
    """A page of the W3C model (``AnnotationPage``), each item as the JSON-LD export
    writes it (the same ids, so the two can be merged)."""
    base_url = request.build_absolute_uri(project.get_absolute_url())
    page = {
        "@context": CONTEXT,
        "id": request.build_absolute_uri(),
        "type": "AnnotationPage",
        "partOf": {"type": "AnnotationCollection", "label": project.name},
        "nw:offsetUnit": OFFSET_UNIT,
        "items": [web_annotation(values, tags, base_url) for values, tags, _ in records],
    }
    if next_url:
        page["next"] = next_url
    return page
