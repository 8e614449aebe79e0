"""How the agreement page writes a coefficient: its value, or "not defined" and why."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.analysis.reliability import Coefficient

register = template.Library()


@register.filter
def coefficient(value: Coefficient, kind: str = "") -> SafeString | str:
    """``{{ figures.alpha|coefficient }}`` (three decimals), ``{{ pair.percent|coefficient:
    "percent" }}`` (one decimal and %); never 0 or NaN for a value the data cannot give."""
    if value.value is None:
        return format_html(
            '<span class="undefined">not defined</span> <span class="reason">({})</span>',
            value.reason,
        )
    return f"{value.value:.1f}%" if kind == "percent" else f"{value.value:.3f}"
