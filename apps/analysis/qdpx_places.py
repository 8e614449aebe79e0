"""Where the passages of a REFI-QDA project file go in their texts (``qdpx_reading``):
checked against their texts, moved into the canonical text, or left out with the reason,
never placed on other words (DESIGN §5)."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from apps.analysis.qdpx_codes import short_quote
from apps.annotations.anchoring import OffsetMap
from apps.annotations.annotating import squash
from apps.corpus import text as canonical_text

if TYPE_CHECKING:
    from apps.analysis.qdpx_reading import FileSelection, ProjectFile


def place(
    project: ProjectFile, name: str, text: str, canonical: str, selections: list[FileSelection]
) -> list[FileSelection]:
    """The selections that are where they say, moved into the canonical text; each one
    left out is counted, and its reason listed once per source."""
    offsets = OffsetMap(text, canonical) if canonical != text else None
    placed: list[FileSelection] = []
    refused: dict[str, int] = {}
    for selection in selections:
        reason = _misplaced(selection, text, project.ours)
        if reason is None and offsets is not None:
            start, end = offsets.map(selection.start), offsets.map(selection.end)
            was = text[selection.start : selection.end]
            if start >= end or squash(canonical_text.canonicalize(was)) != squash(
                canonical[start:end]
            ):
                reason = "its words are not found again once the text is canonical"
            selection.start, selection.end = start, end
        if reason is None and (
            canonical_text.splits_a_character(canonical, selection.start)
            or canonical_text.splits_a_character(canonical, selection.end)
        ):
            reason = "it cuts through a character"
        if reason is None and not canonical[selection.start : selection.end].strip():
            reason = "it holds only spaces"
        if reason is None:
            placed.append(selection)
        else:
            refused[reason] = refused.get(reason, 0) + 1
    for reason, count in refused.items():
        passages = "passage" if count == 1 else "passages"
        project.problems.append(f"Source “{name}”: {count} {passages} left out: {reason}.")
        project.passages_left_out += count
    return placed


def checked_inline(
    project: ProjectFile, name: str, text: str, selections: list[FileSelection]
) -> list[FileSelection]:
    """The passages of a text held inside ``project.qde`` that are where they say.

    XML reads a CR LF as one LF, but the tool that wrote the file may have counted two
    characters for each line break: its positions then fall later and later. A passage
    is kept only where the words its name gives are at its positions, counted one way or
    the other; the others are left out, never placed on other words."""
    breaks = [i + n for n, i in enumerate(j for j, ch in enumerate(text) if ch == "\n")]

    def lf(offset: int) -> int:  # an offset counted with CR LF, in the text read
        return offset - bisect.bisect_left(breaks, offset)

    def named(start: int, end: int, words: str) -> bool:
        return bool(words) and squash(short_quote(text[start:end])) == squash(words)

    kept, refused = [], 0
    for selection in selections:
        if named(selection.start, selection.end, selection.name):
            kept.append(selection)
        elif named(lf(selection.start), lf(selection.end), selection.name):
            selection.start, selection.end = lf(selection.start), lf(selection.end)
            kept.append(selection)
        else:
            refused += 1
    if refused:
        project.problems.append(
            f"Source “{name}”: {refused} passage{'s' if refused != 1 else ''} left out: its "
            "text is inside the project file, where line breaks may have been counted "
            "otherwise, and the passage's name does not give the words at its place."
        )
        project.passages_left_out += refused
    return kept


def _misplaced(selection: FileSelection, text: str, ours: bool) -> str | None:
    if not 0 <= selection.start < selection.end <= len(text):
        return f"positions outside its text of {len(text):,} characters"
    if (
        ours
        and selection.name
        and squash(short_quote(text[selection.start : selection.end])) != squash(selection.name)
    ):
        # This app names a passage by its words: a file it wrote whose text was edited
        # since would otherwise place them on other words.
        return "the words at its positions are not the ones the file names"
    return None
