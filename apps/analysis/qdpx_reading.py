"""Reading a REFI-QDA project file (``.qdpx``) into plain data, safely: nothing here
touches the database (``qdpx_import.py`` matches and saves what this reads).

A file that cannot be read as a whole is refused with ``UnreadableProject``: not a zip,
encrypted, no ``project.qde``, sizes over the limits (read before anything is unpacked,
and the reads capped besides, since a zip's directory can lie), XML with a DTD or
entities (``defusedxml``: no billion laughs, no external entities), a GUID used for two
things. What only concerns a part of it (a source over an article's size, a passage
outside its text) is a *problem*: listed in the preview and left out, the rest imported.

Positions count Unicode code points of the source text, as this app's exports write
them. A text that is not canonical (Windows line breaks, trailing spaces…) is
canonicalised like any import, and its passages are mapped into the canonical text; a
passage whose words do not survive the mapping is a problem, never placed elsewhere."""

from __future__ import annotations

import functools
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from apps.analysis.qdpx_archive import (
    PROJECT_FILE,
    Capped,
    Limits,
    UnreadableProject,
    open_archive,
    size_text,
)
from apps.analysis.qdpx_codes import ORIGIN
from apps.analysis.qdpx_places import checked_inline, place
from apps.corpus import text as canonical_text


@dataclass
class FileUser:
    guid: str
    name: str
    login: str


@dataclass
class FileCode:
    guid: str
    name: str
    codable: bool
    colour: str
    description: str
    parent: str | None  # the parent code's GUID


@dataclass(slots=True)  # a hundred thousand of them
class FileSelection:
    guid: str
    name: str
    start: int
    end: int
    user: str | None  # the creating user's GUID
    created: datetime | None
    modified: datetime | None
    codes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class FileSource:
    guid: str
    name: str
    text: str  # canonical
    variables: dict[str, str]  # variable name → value
    selections: list[FileSelection]


@dataclass
class FileSet:
    name: str
    description: str
    members: list[str]  # source GUIDs


@dataclass
class ProjectFile:
    name: str = ""
    origin: str = ""
    users: dict[str, FileUser] = field(default_factory=dict)
    codes: list[FileCode] = field(default_factory=list)  # depth first, parents first
    variables: dict[str, str] = field(default_factory=dict)  # GUID → name
    cases: dict[str, list[str]] = field(default_factory=dict)  # case name → source GUIDs
    sources: list[FileSource] = field(default_factory=list)
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # GUID → (name, text)
    sets: list[FileSet] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    passages_left_out: int = 0
    other_sources: int = 0  # PDF, pictures, audio, video: not articles

    @property
    def ours(self) -> bool:
        return self.origin == ORIGIN


def read_project(data: bytes, limits: Limits | None = None) -> ProjectFile:
    """The project in ``data`` (a ``.qdpx``), or ``UnreadableProject`` saying why not."""
    limits = limits or Limits()
    archive, by_name = open_archive(data, limits)
    reader = _Reader(archive, by_name, limits)
    try:
        with archive.open(by_name[PROJECT_FILE]) as stream:
            reader.parse(Capped(stream, limits.unpacked_bytes))
    except (ET.ParseError, DefusedXmlException) as error:
        raise UnreadableProject(f"project.qde is not readable XML: {error}") from None
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        raise UnreadableProject("project.qde could not be unpacked: the zip is damaged.") from None
    return reader.project


class _Reader:
    """Walks ``project.qde`` once, keeping only what the import needs: each source is
    dropped from the tree as soon as it is read, so memory holds the texts and the
    passages, not a million XML elements."""

    def __init__(self, archive: zipfile.ZipFile, members: dict, limits: Limits):
        self.archive, self.members, self.limits = archive, members, limits
        self.project = ProjectFile()
        self.guids: dict[str, str] = {}  # GUID → what it names, to refuse collisions
        self.passages = 0
        self.inline = False  # whether the source being read had its text in the XML

    def parse(self, stream) -> None:
        path: list[ET.Element] = []
        events = iterparse(stream, events=("start", "end"), forbid_dtd=True)
        for event, element in events:
            if event == "start":
                if not path and _local(element.tag) == "Project":
                    self.project.name = element.get("name", "")
                    self.project.origin = element.get("origin", "")
                path.append(element)
                continue
            path.pop()
            # Only the project's parts and the sources and notes are read on their own.
            if 0 < len(path) <= 2 and self._ended(element, [_local(e.tag) for e in path]):
                path[-1].remove(element)  # read: it takes no more memory
        if not self.project.name and not self.project.sources and not self.project.codes:
            raise UnreadableProject("project.qde holds no REFI-QDA project.")

    def _ended(self, element: ET.Element, above: list[str]) -> bool:
        """Read what ended if it is a part the import needs; True if it may be dropped."""
        name = _local(element.tag)
        if above == ["Project"]:
            handler = {
                "Users": self._users,
                "CodeBook": self._codebook,
                "Variables": self._variables,
                "Cases": self._cases,
                "Sets": self._sets,
            }.get(name)
            if handler:
                handler(element)
            return True
        if above == ["Project", "Sources"]:
            if len(self.project.sources) + self.project.other_sources >= self.limits.sources:
                raise UnreadableProject(f"The file holds more than {self.limits.sources:,} texts.")
            if name == "TextSource":
                self._source(element)
            else:
                self.project.other_sources += 1
            return True
        if above == ["Project", "Notes"] and name == "Note":
            if len(self.project.notes) >= 2 * self.limits.passages:
                raise UnreadableProject(
                    f"The file holds more than {2 * self.limits.passages:,} notes."
                )
            guid = self._claim(element.get("guid", ""), "note")
            text = _child_text(element, "PlainTextContent")
            self.project.notes[guid] = (element.get("name", ""), text)
            return True
        return False

    def _claim(self, guid: str, kind: str) -> str:
        guid = guid.strip().strip("{}").lower()
        if not guid:
            raise UnreadableProject(f"A {kind} in the file has no GUID.")
        if guid in self.guids:
            raise UnreadableProject(
                f"The file uses the GUID {guid} for two things (a {self.guids[guid]} and "
                f"a {kind}): it is not a consistent project file."
            )
        self.guids[guid] = kind
        return guid

    def _users(self, element: ET.Element) -> None:
        for user in _children(element, "User"):
            guid = self._claim(user.get("guid", ""), "user")
            self.project.users[guid] = FileUser(guid, user.get("name", ""), user.get("id", ""))

    def _codebook(self, element: ET.Element) -> None:
        codes = next(_children(element, "Codes"), None)
        stack: list[tuple[ET.Element, str | None]] = (
            [(code, None) for code in reversed(list(_children(codes, "Code")))]
            if codes is not None
            else []
        )
        while stack:
            code, parent = stack.pop()
            guid = self._claim(code.get("guid", ""), "code")
            self.project.codes.append(
                FileCode(
                    guid=guid,
                    name=" ".join(code.get("name", "").split()),
                    codable=code.get("isCodable", "true").strip().lower() not in ("false", "0"),
                    colour=code.get("color", ""),
                    description=_child_text(code, "Description"),
                    parent=parent,
                )
            )
            stack.extend((child, guid) for child in reversed(list(_children(code, "Code"))))

    def _variables(self, element: ET.Element) -> None:
        for variable in _children(element, "Variable"):
            guid = self._claim(variable.get("guid", ""), "variable")
            self.project.variables[guid] = variable.get("name", "")

    def _cases(self, element: ET.Element) -> None:
        for case in _children(element, "Case"):
            self._claim(case.get("guid", ""), "case")
            members = [_ref(ref) for ref in _children(case, "SourceRef")]
            self.project.cases.setdefault(case.get("name", ""), []).extend(members)

    def _sets(self, element: ET.Element) -> None:
        for member in _children(element, "Set"):
            self._claim(member.get("guid", ""), "set")
            self.project.sets.append(
                FileSet(
                    name=" ".join(member.get("name", "").split()),
                    description=_child_text(member, "Description"),
                    members=[_ref(ref) for ref in _children(member, "MemberSource")],
                )
            )

    def _source(self, element: ET.Element) -> None:
        guid = self._claim(element.get("guid", ""), "source")
        name = element.get("name", "") or guid
        selections = list(self._selections(element))
        self.passages += len(selections)
        if self.passages > self.limits.passages:
            raise UnreadableProject(f"The file holds more than {self.limits.passages:,} passages.")
        text = self._text(element, name)
        if text is None:
            self._left_out(len(selections))
            return
        canonical = canonical_text.canonicalize(text)
        if not canonical:
            self.project.problems.append(f"Source “{name}” has no text; left out.")
            self._left_out(len(selections))
            return
        if self.inline and "\n" in text and not self.project.ours:
            selections = checked_inline(self.project, name, text, selections)
        placed = place(self.project, name, text, canonical, selections)
        variables = {}
        for holder in _children(element, "VariableValue"):
            ref = next(_children(holder, "VariableRef"), None)
            values = [child.text or "" for child in holder if _local(child.tag) != "VariableRef"]
            if ref is not None and values:
                variables[self.project.variables.get(_ref(ref), _ref(ref))] = values[0].strip()
        self.project.sources.append(FileSource(guid, name, canonical, variables, placed))

    def _selections(self, element: ET.Element) -> Iterator[FileSelection]:
        for selection in _children(element, "PlainTextSelection"):
            guid = self._claim(selection.get("guid", ""), "passage")
            try:
                start, end = (
                    int(selection.get("startPosition", "")),
                    int(selection.get("endPosition", "")),
                )
            except ValueError:
                start, end = -1, -1
            yield FileSelection(
                guid=guid,
                name=selection.get("name", ""),
                start=start,
                end=end,
                user=sys.intern(_guid(selection.get("creatingUser")) or ""),
                created=_moment(selection.get("creationDateTime")),
                modified=_moment(selection.get("modifiedDateTime")),
                codes=[
                    _ref(ref)
                    for coding in _children(selection, "Coding")
                    for ref in _children(coding, "CodeRef")
                ],
                notes=[_ref(ref) for ref in _children(selection, "NoteRef")],
            )

    def _text(self, element: ET.Element, name: str) -> str | None:
        """The source's text, from the zip or the file itself; None (and a problem) if
        it is missing, too large or not UTF-8."""
        inline = next(_children(element, "PlainTextContent"), None)
        self.inline = inline is not None
        path = element.get("plainTextPath", "")
        limit = 4 * self.limits.article_chars  # UTF-8 takes at most 4 bytes a character
        if inline is not None:
            data = (inline.text or "").encode()
        elif path.startswith("internal://"):
            member = self.members.get(f"sources/{path.removeprefix('internal://')}".casefold())
            if member is None:
                self.project.problems.append(
                    f"Source “{name}”: its text {path} is not in the file; left out."
                )
                return None
            if member.file_size > limit:
                self.project.problems.append(
                    f"Source “{name}” is {size_text(member.file_size)}: over the "
                    f"{self.limits.article_chars:,} characters an article may hold; left out."
                )
                return None
            with self.archive.open(member) as stream:
                data = stream.read(limit + 1)
        else:
            where = f"outside the file ({path})" if path else "not in the file"
            self.project.problems.append(f"Source “{name}”: its text is {where}; left out.")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.project.problems.append(f"Source “{name}”: its text is not UTF-8; left out.")
            return None
        if len(data) > limit or len(text) > self.limits.article_chars:
            self.project.problems.append(
                f"Source “{name}” is over the {self.limits.article_chars:,} characters an "
                "article may hold; left out."
            )
            return None
        return text

    def _left_out(self, passages: int) -> None:
        self.project.passages_left_out += passages


def _children(element: ET.Element | None, name: str) -> Iterator[ET.Element]:
    return (
        child for child in (element if element is not None else ()) if _local(child.tag) == name
    )


def _child_text(element: ET.Element, name: str) -> str:
    found = next(_children(element, name), None)
    return (found.text or "") if found is not None else ""


def _ref(element: ET.Element) -> str:
    # Interned: the same few codes, users and notes' GUIDs recur on every passage.
    return sys.intern(_guid(element.get("targetGUID")) or "")


def _guid(value: str | None) -> str | None:
    return value.strip().strip("{}").lower() if value else None


@functools.lru_cache(maxsize=512)  # a few dozen names, met millions of times
def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
