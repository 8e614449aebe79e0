from django import template
from django.utils.safestring import SafeString

from apps.annotations.reader import PickerTag, picker_html

register = template.Library()


@register.filter
def tag_picker(picker: list[PickerTag], selected) -> SafeString:
    """The coding form's tags (``reader.picker_html``), ``selected`` ticked."""
    return picker_html(picker, {str(value) for value in selected or ()})
