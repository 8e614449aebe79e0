"""The coding form's lists as strings: its tags, and the actors and claims it offers. A
template loop costs tens of microseconds an item, and a project's codebook, actors and
claims are on every reader page (the options written, escaped, by
``projects.templatetags.choices``)."""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from apps.annotations.models import Actor, Claim
from apps.annotations.reader import PickerTag, picker_html
from apps.projects.templatetags.choices import options

register = template.Library()


@register.filter
def tag_picker(picker: list[PickerTag], selected) -> SafeString:
    """The coding form's tags (``reader.picker_html``), ``selected`` ticked."""
    return picker_html(picker, {str(value) for value in selected or ()})


@register.simple_tag
def actor_options(actors: Iterable[Actor]) -> SafeString:
    """The actors' datalist: each name, its aliases beside it."""
    return options((actor.name, ", ".join(actor.alias_list)) for actor in actors)


@register.simple_tag
def claim_options(claims: Iterable[Claim]) -> SafeString:
    """The claims' datalist."""
    return options((claim.text, "") for claim in claims)
