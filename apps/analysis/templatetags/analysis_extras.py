from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.analysis.filter_bar import DEEPEST
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
def clamp(value: int, most: int = DEEPEST) -> int:
    """``{{ depth|clamp }}``: at most ``most``, by default the deepest indentation the
    stylesheet has (``depth-3``)."""
    return min(int(value), int(most))


@register.simple_tag
def comparison_cells(row, comparison, scope: str) -> SafeString:
    """The cells of one comparison row, written here rather than by the template engine:
    a story compared by month has hundreds of cells of three passages each, and the
    template loop was most of the page's time (330 of 430 ms for 816 cells). Every value
    is escaped."""
    by_source = comparison.grouping == "source"
    parts = []
    for cell in row.cells:
        if not cell.count:
            title = escape(f"{row.label}: not in {cell.column.label} {scope}")
            parts.append(f'<td class="gap" title="{title}"><span aria-label="none">—</span></td>')
            continue
        url = escape(cell.url)
        html = [
            f'<td><a class="count" href="{url}" title="All {cell.count} passages">{cell.count}</a>'
        ]
        if cell.per_1000_words is not None:
            html.append(f'<span class="rate">{cell.per_1000_words} / 1,000 words</span>')
        html.append('<ul class="cell-passages">')
        for p in cell.passages:
            words = Stance.words(p.voice, p.position)
            position = escape(p.position or "none")
            badge = (
                f'<span class="stance position-{position}">{escape(words)}</span> ' if words else ""
            )
            said = escape(Stance.voice_of(p.speaker, p.voice))
            target = f" → {escape(p.target)}" if p.target else ""
            outlet = "" if by_source else f" · {escape(p.source)}"
            # As |truncatechars:140, without its per-character look at combining marks.
            quote = escape(p.quote if len(p.quote) <= 140 else p.quote[:139] + "…")
            html.append(
                f'<li><a href="{escape(p.url)}">“{quote}”</a> '
                f'<span class="small">{badge}{said}{target}{outlet}</span></li>'
            )
        html.append("</ul>")
        if cell.more:
            html.append(f'<a class="small cell-more" href="{url}">and {cell.more} more</a>')
        html.append("</td>")
        parts.append("".join(html))
    return mark_safe("".join(parts))  # every value above is escaped


@register.simple_tag
def matrix_cells(row) -> SafeString:
    """The cells of one matrix row, written here for the reason ``comparison_cells`` is:
    the template loop was a third of the matrix page's time (800 cells of a 40,000-passage
    project). The same HTML as the loop it replaces (tested); every value is escaped."""
    parts = []
    for cell in row.cells:
        if not cell.count:
            parts.append(f'<td class="heat-{cell.heat}"><span class="zero">0</span></td>')
            continue
        rate = cell.per_1000_words
        rate_html = "" if rate is None else f'<span class="rate">{rate}</span>'
        parts.append(
            f'<td class="heat-{cell.heat}"><a href="{escape(cell.url)}">'
            f'<span class="n">{cell.count}</span>{rate_html}</a></td>'
        )
    return mark_safe("".join(parts))  # every value above is escaped, or a number
