from django import template

from apps.annotations.models import Stance

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """``{{ counts|get_item:key }}``: a dictionary lookup by a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def voice(passage) -> str:
    """Whose words a passage carries: its speaker; when none is named, the outlet's own
    voice, unless the outlet reports someone."""
    return Stance.voice_of(str(passage.speaker) if passage.speaker else None, passage.voice)


@register.filter
def stance(passage) -> str:
    """A passage's stance in a few words ("reported · disputes"), or ""."""
    return Stance.words(passage.voice, passage.position)


@register.filter
def clamp(value: int, most: int) -> int:
    """``{{ depth|clamp:3 }}``: at most ``most`` (the deepest indentation styled)."""
    return min(int(value), int(most))


@register.filter
def indent(depth: int) -> str:
    """Indentation of a tree's item inside a <select>, where no CSS reaches."""
    return "\u2003" * int(depth)
