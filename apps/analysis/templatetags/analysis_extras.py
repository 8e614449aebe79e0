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
    voice, unless the stance says it reports someone else."""
    return Stance.voice(str(passage.speaker) if passage.speaker else None, passage.stance)


@register.filter
def clamp(value: int, most: int) -> int:
    """``{{ depth|clamp:3 }}``: at most ``most`` (the deepest indentation styled)."""
    return min(int(value), int(most))


@register.filter
def indent(depth: int) -> str:
    """Indentation of a tree's item inside a <select>, where no CSS reaches."""
    return "\u2003" * int(depth)
