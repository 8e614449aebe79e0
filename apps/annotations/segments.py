"""Flat segments of an article's text, for the reader (DESIGN §5).

The text is split at every paragraph break and every annotation boundary. Each segment
is one element carrying its code-point start (``data-o``) and the ids of the annotations
covering it, so overlapping highlights never nest elements and the browser can turn any
selection back into code-point offsets from the nearest anchor.

The HTML is built here rather than in a template: an article with a thousand
annotations has several thousand segments, and string building is an order of magnitude
faster than a template loop. Every piece of text goes through ``html.escape`` (the
standard library's: it escapes quotes too, and is several times cheaper than Django's
lazy-aware ``escape`` in a loop of thousands).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection, Iterable, Sequence
from html import escape
from typing import NamedTuple, Protocol

from django.utils.safestring import SafeString, mark_safe

from apps.corpus.text import paragraphs


class Span(Protocol):
    pk: int
    start: int
    end: int


class Segment(NamedTuple):
    # A tuple, not a frozen dataclass: an article has thousands and a tuple is built in
    # a third of the time.
    start: int
    end: int
    text: str
    covering: tuple[int, ...]  # annotation ids, outermost (earliest, longest) first


def segment(text: str, spans: Iterable[Span], upto: int | None = None) -> list[list[Segment]]:
    """Return the text's paragraphs, each a list of segments (only the first ``upto`` + 1
    of them when given).

    Spans outside the text are clipped; empty ones are ignored. Offsets are code points.
    """
    length = len(text)
    clipped = sorted(
        (
            (max(0, s.start), min(length, s.end), s.pk)
            for s in spans
            if min(length, s.end) > max(0, s.start)
        ),
        key=lambda item: (item[0], -item[1], item[2]),
    )
    # Sorted once, so each paragraph finds its own cuts by bisection rather than by
    # looking at every boundary of the text (paragraphs times boundaries).
    boundaries = sorted({offset for start, end, _ in clipped for offset in (start, end)})

    result: list[list[Segment]] = []
    active: list[tuple[int, int, int]] = []
    next_span = 0
    for number, (p_start, p_text) in enumerate(paragraphs(text)):
        if upto is not None and number > upto:
            break
        p_end = p_start + len(p_text)
        inside = boundaries[
            bisect.bisect_right(boundaries, p_start) : bisect.bisect_left(boundaries, p_end)
        ]
        cuts = [p_start, *inside, p_end] if p_end > p_start else [p_start]
        row: list[Segment] = []
        for a, b in itertools.pairwise(cuts):
            # Spans that started before this segment, including across the paragraph gap.
            while next_span < len(clipped) and clipped[next_span][0] <= a:
                active.append(clipped[next_span])
                next_span += 1
            active = [span for span in active if span[1] > a]
            row.append(Segment(a, b, text[a:b], tuple(span[2] for span in active)))
        result.append(row)
    return result


def render_text(
    text: str,
    annotations: Sequence,
    *,
    describe: dict[int, str] | None = None,
    colour_class: dict[int, str] | None = None,
    review: set[int] | frozenset[int] = frozenset(),
    dim: set[int] | frozenset[int] = frozenset(),
    numbered: bool = False,
    only: Collection[int] | None = None,
) -> SafeString:
    """Render the text as ``<p>`` paragraphs of ``<span>``/``<mark>`` segments.

    ``describe`` maps an annotation id to its hover text; ``colour_class`` to the CSS
    class of its first tag's colour. Segments covered by an annotation in ``review``
    (re-anchored to a similar passage) are marked for the reader to see; segments whose
    annotations are all in ``dim`` are dimmed (a focus on one tag or claim).

    ``numbered`` gives each paragraph an id (``p0``, ``p1``…: one text per page) and
    ``only`` names the paragraphs to render (after a write, the ones it changed), each
    marked to be swapped in place of its old self (htmx out of band); those before them
    are still walked, so each annotation's anchor lands where the whole text puts it,
    and those after the last one are not (they change nothing before them).
    """
    describe = describe or {}
    colour_class = colour_class or {}
    seen: set[int] = set()
    parts: list[str] = []
    # Neighbouring segments share their first annotations: the class list and the hover
    # text depend only on those (and on how many there are), so each is built once.
    looks: dict[tuple, tuple[str, str]] = {}
    names = {pk: str(pk) for pk in {a.pk for a in annotations}}
    # The paragraphs after the last one asked for change nothing in those before.
    upto = None if only is None else max(only, default=-1)
    for number, row in enumerate(segment(text, annotations, upto)):
        if only is not None and number not in only:
            for seg in row:  # only the anchors' bookkeeping
                seen.update(seg.covering)
            continue
        if only is not None:
            parts.append(f'<p id="p{number}" hx-swap-oob="true">')
        else:
            parts.append(f'<p id="p{number}">' if numbered else "<p>")
        for seg in row:
            body = escape(seg.text)
            covering = seg.covering
            if not covering:
                parts.append(f'<span class="seg" data-o="{seg.start}">{body}</span>')
                continue
            starting = [pk for pk in covering if pk not in seen]
            anchor = ""
            if starting:
                seen.update(starting)
                anchor = f' id="h{starting[0]}"'
                # One element holds one id: other annotations starting here get an empty
                # anchor, so every #h<id> fragment has a target.
                parts.extend(f'<span class="anchor" id="h{pk}"></span>' for pk in starting[1:])
            key = (
                covering[:3],
                len(covering),
                bool(review) and any(pk in review for pk in covering),
                bool(dim) and all(pk in dim for pk in covering),
            )
            look = looks.get(key)
            if look is None:
                classes = ["seg", "hl", f"d{min(len(covering), 3)}"]
                if key[2]:
                    classes.append("review")
                if key[3]:
                    classes.append("dim")
                for layer, pk in enumerate(covering[:3], start=1):
                    classes.append(f"c{layer}-{colour_class.get(pk, 'none')}")
                # Hover text names the first three; data-a lists them all for the script.
                shown = [describe.get(pk, "") for pk in covering[:3]]
                if len(covering) > 3:
                    shown.append(f"and {len(covering) - 3} more")
                look = looks[key] = (" ".join(classes), escape(" | ".join(shown)))
            ids = " ".join([names[pk] for pk in covering])
            parts.append(
                f'<mark{anchor} class="{look[0]}" data-o="{seg.start}" '
                f'data-a="{ids}" title="{look[1]}">{body}</mark>'
            )
        parts.append("</p>")
    return mark_safe("".join(parts))
