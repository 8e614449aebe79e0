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
