"""The checks a ``.qdpx`` passes before it is read: a zip, not encrypted, holding a
``project.qde``, within the size limits (read from its directory before anything is
unpacked, and every read capped besides, since a directory can lie: zip bombs)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

PROJECT_FILE = "project.qde"


class UnreadableProject(Exception):
    """The file cannot be read as a REFI-QDA project; the message says why."""


@dataclass
class Limits:
    """The settings' limits, read when a file is (they may change while running)."""

    upload_bytes: int = field(default_factory=lambda: settings.QDPX_MAX_BYTES)
    unpacked_bytes: int = field(default_factory=lambda: settings.QDPX_MAX_UNPACKED_BYTES)
    members: int = field(default_factory=lambda: settings.QDPX_MAX_SOURCES + 10)
    sources: int = field(default_factory=lambda: settings.QDPX_MAX_SOURCES)
    passages: int = field(default_factory=lambda: settings.QDPX_MAX_PASSAGES)
    article_chars: int = field(default_factory=lambda: settings.MAX_ARTICLE_CHARS)


def open_archive(
    data: bytes, limits: Limits | None = None
) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """The zip and its members by (case-folded) name, after the checks that need only
    its directory: a zip, not encrypted, a ``project.qde``, sizes within the limits.
    Cheap enough for the upload form to refuse a file before it is kept."""
    limits = limits or Limits()
    if len(data) > limits.upload_bytes:
        raise UnreadableProject(f"The file is over {size_text(limits.upload_bytes)}.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableProject(
            "This is not a REFI-QDA project: a .qdpx is a zip file, and this is not one."
        ) from None
    if len(members) > limits.members:
        raise UnreadableProject(
            f"The file holds {len(members):,} files; the limit is {limits.members:,}."
        )
    if sum(member.file_size for member in members) > limits.unpacked_bytes:
        raise UnreadableProject(
            f"The file unpacks to more than {size_text(limits.unpacked_bytes)}."
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise UnreadableProject("The file is encrypted: export it again without a password.")
    by_name = {member.filename.casefold(): member for member in members}
    if PROJECT_FILE not in by_name:
        raise UnreadableProject("This zip is not a REFI-QDA project: it has no project.qde.")
    return archive, by_name


class Capped(io.RawIOBase):
    """A member of the zip read at most ``limit`` bytes: its directory entry may lie."""

    def __init__(self, stream, limit: int):
        self.stream, self.left = stream, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.stream.read(min(len(buffer), self.left + 1))
        if len(chunk) > self.left:
            raise UnreadableProject("The file unpacks to more than its directory says: refused.")
        self.left -= len(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def size_text(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{count:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # the loop returns
