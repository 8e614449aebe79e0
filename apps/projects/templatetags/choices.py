"""A list's ``<option>``s and checkboxes, and a form's hidden fields, written as strings.

The filter bar and the reader offer every tag, claim, actor, outlet and coder of the
project; as template loops, a project of a few hundred of them spent most of the
page's rendering there (tens of microseconds an item). Each value and label is escaped
with ``html.escape``, as the templates' autoescaping does.
"""

from collections.abc import Iterable
from html import escape

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _picked(picked) -> set[str]:
    """The chosen values, as strings: none, one value or a list of them."""
    if picked is None or picked == "":
        return set()
    if isinstance(picked, (list, tuple, set, frozenset)):
        return {str(value) for value in picked}
    return {str(picked)}


@register.simple_tag
def options(choices: Iterable[tuple], picked=None) -> SafeString:
    """``<option>``s of ``(value, label)`` pairs, those whose value is ``picked`` (one
    value or a list) selected."""
    chosen = _picked(picked)
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) in chosen else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )


@register.simple_tag
def checkboxes(name: str, choices: Iterable[tuple], picked=None) -> SafeString:
    """Checkboxes named ``name`` of ``(value, label)`` pairs or ``(value, label, class)``
    triples (a class added to the label's ``check``), those in ``picked`` ticked."""
    chosen, field = _picked(picked), escape(name)
    parts = []
    for value, label, *more in choices:
        classes = f"check {escape(more[0])}" if more and more[0] else "check"
        ticked = " checked" if str(value) in chosen else ""
        parts.append(
            f'<label class="{classes}"><input type="checkbox" name="{field}" '
            f'value="{escape(str(value))}"{ticked}> {escape(str(label))}</label>'
        )
    return mark_safe("".join(parts))


@register.simple_tag
def hidden_fields(form: forms.BaseForm) -> SafeString:
    """The form's hidden fields as Django's ``HiddenInput`` renders them (a test
    compares), without a template each: on every reader page the create form's five
    cost a millisecond through the form renderer."""
    parts = []
    for bound in form.hidden_fields():
        field, widget = bound.field, bound.field.widget
        if (
            type(widget) is not forms.HiddenInput
            or widget.template_name != forms.HiddenInput.template_name
            or widget.attrs
            or field.disabled
            or field.show_hidden_initial
            or field.localize
        ):
            parts.append(str(bound))  # what only Django's rendering adds
            continue
        value = widget.format_value(bound.value())
        parts.append(hidden_input(bound.html_name, value, bound.auto_id or ""))
    return mark_safe("".join(parts))


def hidden_input(name: str, value, identity: str = "", *, swap_oob: bool = False) -> SafeString:
    """One hidden field as Django's ``HiddenInput`` writes it (no ``value`` for None, an
    ``id`` when given); ``swap_oob`` marks it to be swapped in place of itself (htmx)."""
    oob = 'hx-swap-oob="true" ' if swap_oob else ""
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    ids = f' id="{conditional_escape(identity)}"' if identity else ""
    return mark_safe(f'<input {oob}type="hidden" name="{conditional_escape(name)}"{shown}{ids}>')
