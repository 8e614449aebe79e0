"""The coding form's lists as strings: its tags, and the actors and claims it offers. A
template loop costs tens of microseconds an item, and a project's codebook, actors and
claims are on every reader page (each escaped with ``html.escape``, as the templates'
autoescaping does; the filters' choices: ``projects.templatetags.choices``)."""

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from apps.annotations.models import Actor, Claim
from apps.annotations.reader import PickerTag, picker_html

register = template.Library()


@register.filter
def tag_picker(picker: list[PickerTag], selected) -> SafeString:
    """The coding form's tags (``reader.picker_html``), ``selected`` ticked."""
    return picker_html(picker, {str(value) for value in selected or ()})


@register.simple_tag
def actor_options(actors: Iterable[Actor]) -> SafeString:
    """The actors' datalist: each name, its aliases beside it."""
    return mark_safe(
        "".join(
            f'<option value="{escape(actor.name)}">{escape(", ".join(actor.alias_list))}</option>'
            for actor in actors
        )
    )


@register.simple_tag
def claim_options(claims: Iterable[Claim]) -> SafeString:
    """The claims' datalist."""
    return mark_safe("".join(f'<option value="{escape(claim.text)}"></option>' for claim in claims))
