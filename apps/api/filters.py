"""The API's filters are the exports' forms (``AnnotationFilter``, ``SearchForm``), read
from the query string as the screens read them: this module only says their mistakes the
API's way and lists their parameters in the OpenAPI schema."""

from __future__ import annotations

from typing import TypeVar

from django import forms
from ninja.errors import ValidationError

from apps.analysis.forms import SearchForm
from apps.annotations.filters import AnnotationFilter, ListWidget

F = TypeVar("F", bound=forms.Form)


def valid(form: F) -> F:
    """The form, if valid; else a 422 naming each mistake under its parameter (a broken
    filter must not widen to everything, nor answer nothing silently)."""
    if not form.is_valid():
        raise ValidationError(
            [
                {"loc": ["query", name], "msg": str(message), "type": "filter"}
                for name, messages in form.errors.items()
                for message in messages
            ]
        )
    return form


def on_articles_only(form: AnnotationFilter) -> AnnotationFilter:
    """``form``, if it filters articles only; a filter on passages (a tag, a speaker…)
    is a 422 on a list of articles, not a filter silently ignored."""
    if given := form.active_on_passages:
        raise ValidationError(
            [
                {
                    "loc": ["query", name],
                    "msg": "A filter on passages: the articles list takes only filters on "
                    "articles. Ask /annotations for the passages.",
                    "type": "filter",
                }
                for name in given
            ]
        )
    return form


def parameters(keys: tuple[str, ...] = SearchForm.KEYS) -> list[dict]:
    """The OpenAPI description of the filter's parameters, read from the form's fields."""
    found = []
    for name in keys:
        field = SearchForm.base_fields[name]
        many = isinstance(field.widget, ListWidget)
        schema: dict = {"type": "string"}
        if choices := getattr(field, "choices", None):
            schema["enum"] = [str(value) for value, _ in choices if value != ""]
        description = str(field.help_text or field.label or name)
        if many:
            description += " Repeat the parameter, or separate values with commas."
        found.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": {"type": "array", "items": schema} if many else schema,
            }
        )
    return found
