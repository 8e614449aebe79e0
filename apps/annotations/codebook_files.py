"""A codebook in and out of files: the CSV the export writes (analysis/export.py), and the
REFI-QDA codebook (``.qdc``) that MAXQDA, ATLAS.ti, NVivo and QualCoder exchange.

Importing adds the tags the project does not have, with their rules, colours, keys and
parents; a tag it has already (the same GUID, or the same name) is left as it is. A value
the codebook cannot take (a key in use, a parent that would make a loop) is left out and
reported; nothing else is half written.

In a ``.qdc``: a code's ``Description`` is the coding rule, ``isCodable="false"`` is an
archived tag, and the code's GUID is the tag's (kept across renames). Shortcut keys have
no place in the REFI-QDA codebook: they travel in the CSV only."""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.annotations.codebook import archive_tag, save_tag
from apps.annotations.models import Tag
from apps.projects.models import Project

MAX_BYTES = 1024 * 1024
MAX_TAGS = 5000
MAX_DEPTH = 50
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
QDC_SCHEMA = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

# The export guards cells a spreadsheet would run as formulas with a leading "'".
_GUARDED = re.compile("^'(?=[=+\\-@\t\r\n＝＋－＠])")
# Characters XML 1.0 cannot hold at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Entry:
    """One tag as a file describes it."""

    name: str
    description: str = ""
    colour: str = ""
    key: str = ""
    parent: str = ""  # the parent tag's name (a CSV names it)
    archived: bool = False
    guid: uuid.UUID | None = None
    # The parent as the file nests it (a .qdc): names may repeat under different parents.
    parent_entry: Entry | None = None


@dataclass
class CodebookImport:
    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # already in the codebook: left as is
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{len(self.added)} tag{'s' if len(self.added) != 1 else ''} added"
        if self.existing:
            text += f", {len(self.existing)} already in the codebook left as they are"
        return text + "."


def read_codebook(data: bytes, filename: str = "") -> list[Entry]:
    """The tags of a codebook file, CSV or ``.qdc`` (told apart by name, then content).
    The size is checked before anything is parsed."""
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is over 1 MB: that is not a codebook.")
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if filename.lower().endswith((".qdc", ".xml")) or head.startswith(b"<"):
        entries = _qdc_entries(data)
    else:
        entries = _csv_entries(data)
    if not entries:
        raise ValidationError("The file holds no tags.")
    return entries


@transaction.atomic
def import_codebook(project: Project, entries: list[Entry]) -> CodebookImport:
    """Add the ``entries`` the project does not have yet, then set their parents."""
    result = CodebookImport()
    tags = list(project.tags.all())
    by_name = {tag.name.casefold(): tag for tag in tags}
    by_guid = {tag.guid: tag for tag in tags}
    became: dict[int, Tag] = {}  # id(entry) → the tag it is (found) or became (added)
    in_file: set[str] = set()
    created: list[tuple[Tag, Entry]] = []
    for number, entry in enumerate(entries, start=1):
        name = " ".join(entry.name.split())
        if name.casefold() in in_file:  # a file may repeat a name under another parent
            result.problems.append(
                f"“{name}” appears more than once in the file; the codebook holds one tag "
                "of a name, so the later ones (and their subtags) go with the first."
            )
        in_file.add(name.casefold())
        found = by_guid.get(entry.guid) if entry.guid else None
        found = found or by_name.get(name.casefold())
        if found is not None:
            became[id(entry)] = found
            result.existing.append(name)
            continue
        tag = _save_leniently(project, entry, name, result, number)
        if entry.archived:
            archive_tag(tag)
        became[id(entry)] = by_name[name.casefold()] = by_guid[tag.guid] = tag
        created.append((tag, entry))
        result.added.append(name)
    for tag, entry in created:
        if entry.parent_entry is not None:
            _set_parent(project, tag, became.get(id(entry.parent_entry)), entry.parent, result)
        elif entry.parent:
            parent = by_name.get(" ".join(entry.parent.split()).casefold())
            _set_parent(project, tag, parent, entry.parent, result)
    return result


def _save_leniently(
    project: Project, entry: Entry, name: str, result: CodebookImport, number: int
) -> Tag:
    """Save a new tag, leaving out (and reporting) a colour or key it cannot take."""

    def save(colour: str, key: str) -> Tag:
        return save_tag(
            project, None, name=name, description=entry.description, color=colour,
            shortcut=key, guid=entry.guid,
        )  # fmt: skip

    try:
        return save(entry.colour, entry.key)
    except ValidationError as error:
        refused = set(getattr(error, "error_dict", {}))
        if not refused or refused - {"color", "shortcut"}:
            raise ValidationError(f"Tag {number}, “{name}”: {' '.join(error.messages)}") from None
        result.problems.append(f"“{name}”: {' '.join(error.messages)} Left out.")
        return save(
            "" if "color" in refused else entry.colour, "" if "shortcut" in refused else entry.key
        )


def _set_parent(
    project: Project, tag: Tag, parent: Tag | None, parent_name: str, result: CodebookImport
) -> None:
    if parent is None:
        result.problems.append(f"“{tag}”: no parent tag “{parent_name}”; left at the top.")
        return
    try:
        save_tag(
            project,
            tag,
            name=tag.name,
            description=tag.description,
            color=tag.color,
            parent_id=parent.pk,
            shortcut=tag.shortcut,
        )
    except ValidationError as error:
        result.problems.append(f"“{tag}”: {' '.join(error.messages)}")


def _csv_entries(data: bytes) -> list[Entry]:
    """Rows of a codebook CSV as the export writes it (tag, parent, description, colour,
    shortcut, annotations; the last column is ignored)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("windows-1252", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text)))[: MAX_TAGS + 1]
    if len(rows) > MAX_TAGS:
        raise ValidationError(f"The file has more than {MAX_TAGS:,} rows.")
    if not rows or "tag" not in rows[0]:
        raise ValidationError(
            "This is not a codebook file: a CSV needs a “tag” column (as the export "
            "writes it), or use a REFI-QDA codebook (.qdc)."
        )
    return [
        Entry(
            name=_plain(row.get("tag")),
            description=_plain(row.get("description")),
            colour=_plain(row.get("colour")).lower(),
            key=_plain(row.get("shortcut")),
            parent=_plain(row.get("parent")),
        )
        for row in rows
        if _plain(row.get("tag")).strip()
    ]


def _plain(value: str | None) -> str:
    return _GUARDED.sub("", (value or "").strip())


def _qdc_entries(data: bytes) -> list[Entry]:
    """The codes of a REFI-QDA codebook (or of a project file's codebook), depth first.
    Parsed with defusedxml: no DTD, no entity expansion, no external entities."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as error:
        raise ValidationError(f"This is not a readable codebook file: {error}") from None
    if _local(root.tag) == "Project":
        root = next((child for child in root if _local(child.tag) == "CodeBook"), root)
    codes = next((child for child in root if _local(child.tag) == "Codes"), None)
    if _local(root.tag) != "CodeBook" or codes is None:
        raise ValidationError("This is not a REFI-QDA codebook: it has no CodeBook with Codes.")
    entries: list[Entry] = []
    stack: list[tuple[ET.Element, Entry | None, int]] = [
        (code, None, 1) for code in reversed(_codes(codes))
    ]
    while stack:
        code, parent, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationError(f"The codebook nests codes more than {MAX_DEPTH} deep.")
        entry = _entry(code, parent)
        entries.append(entry)
        if len(entries) > MAX_TAGS:
            raise ValidationError(f"The codebook has more than {MAX_TAGS:,} codes.")
        stack.extend((child, entry, depth + 1) for child in reversed(_codes(code)))
    return entries


def _entry(code: ET.Element, parent: Entry | None) -> Entry:
    name = " ".join((code.get("name") or "").split())
    if not name:
        raise ValidationError("A code in the codebook has no name.")
    try:
        guid = uuid.UUID(code.get("guid", "").strip("{}"))
    except ValueError:
        guid = None
    description = next((c.text or "" for c in code if _local(c.tag) == "Description"), "")
    return Entry(
        name=name,
        description=description.strip(),
        colour=_long_colour(code.get("color", "")),
        parent=parent.name if parent else "",
        archived=code.get("isCodable", "true").strip().lower() in ("false", "0"),
        guid=guid,
        parent_entry=parent,
    )


def _codes(element: ET.Element) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == "Code"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _long_colour(colour: str) -> str:
    """#RGB (allowed by the schema) as #rrggbb; anything else as given, for the check."""
    colour = colour.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", colour):
        return "#" + "".join(digit * 2 for digit in colour[1:])
    return colour


class EmptyCodebook(Exception):
    """A REFI-QDA codebook needs at least one code."""


def codebook_qdc(project: Project) -> bytes:
    """The project's codebook as a REFI-QDA codebook: codes nested as the tags are, in
    codebook order. Written with lxml (the standard library cannot write a default
    namespace with plain attributes)."""
    from lxml import etree  # on use: a worker that never exports a codebook spares it

    tags = list(project.tags.order_by("position", "name"))
    if not tags:
        raise EmptyCodebook
    ns = f"{{{QDC_NAMESPACE}}}"
    root = etree.Element(f"{ns}CodeBook", nsmap={None: QDC_NAMESPACE, "xsi": _XSI})
    root.set("origin", "Narrative workbench")
    root.set(f"{{{_XSI}}}schemaLocation", f"{QDC_NAMESPACE} {QDC_SCHEMA}")
    codes = etree.SubElement(root, f"{ns}Codes")
    write_codes(codes, tags, tag_code, lambda tag: tag.description, ns=ns)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def tag_code(tag: Tag) -> dict[str, str]:
    """A tag's ``Code`` attributes: its GUID (kept across renames), name, colour, and
    whether it may still be applied (an archived tag may not)."""
    return {
        "guid": str(tag.guid),
        "name": tag.name,
        "isCodable": "false" if tag.archived else "true",
        "color": tag.color,
    }


def write_codes(parent, items: list, attributes, description, *, ns: str = "") -> None:
    """``items`` (tags or claims: each has a ``parent_id``) as nested REFI-QDA ``Code``
    elements under the lxml element ``parent``, in the order given; an item whose parent
    is not among them goes at the top. ``attributes`` and ``description`` give an item's
    attributes and rule; ``ns`` is the elements' namespace, as ``{urn:…}``, or none."""
    from lxml import etree

    children: dict[int | None, list] = {}
    ids = {item.pk for item in items}
    for item in items:
        children.setdefault(item.parent_id if item.parent_id in ids else None, []).append(item)
    stack = [(parent, item) for item in reversed(children.get(None, []))]
    while stack:
        holder, item = stack.pop()
        values = {key: xml_text(value) for key, value in attributes(item).items()}
        code = etree.SubElement(holder, f"{ns}Code", values)
        if text := description(item):
            etree.SubElement(code, f"{ns}Description").text = xml_text(text)
        stack.extend((code, child) for child in reversed(children.get(item.pk, [])))


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, lone
    surrogates): for any file written as XML (a codebook, a chart as SVG)."""
    return _NOT_XML.sub("", text)
