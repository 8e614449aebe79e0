"""Uploaded bytes to text: the encodings people's files really come in.

UTF-8 with or without a byte-order mark first, UTF-16 with one, then Windows-1252 and
Latin-1 as fallbacks; binary files (and formats uploaded by mistake) are refused with a
message that names what they look like.
"""

from __future__ import annotations

import codecs
import re


class Rejected(Exception):
    """An input that cannot be imported; str(exc) is a clear message for the user."""


# Formats people upload by mistake. Checked before decoding because Windows-1252 and
# Latin-1 decode any byte string, so "it decoded" proves nothing.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\x7fELF", "ELF executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
)

# C0 controls other than tab, LF, VT, FF, CR (and DEL). Text has almost none; random binary
# data has about one in ten bytes.
_CONTROL_BYTES = bytes(sorted(frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D} | {0x7F}))
_MAX_CONTROL_SHARE = 0.05


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name).

    UTF-8 (a BOM is removed: encoding "utf-8-sig") first, then UTF-16 when the file starts
    with a UTF-16 BOM (Windows "Unicode" text), then "windows-1252" and finally "latin-1",
    which decodes any byte. Anything but UTF-8 deserves a warning to the user, e.g.
    f"decoded as {encoding}": a wrong guess shows up as odd accented letters.
    """
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise Rejected("The file is empty.")
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise Rejected(f"This looks like a binary file ({kind}), not text.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_utf16(data)
    if b"\x00" in data:
        raise Rejected("This looks like a binary file (it contains NUL bytes), not text.")
    # Counted in C (deleting them), not byte by byte in Python: files can be megabytes.
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls / len(data) > _MAX_CONTROL_SHARE:
        raise Rejected("This looks like a binary file (many control characters), not text.")
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_utf8(data[3:], "utf-8-sig")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _MULTIBYTE_UTF8.search(data):
        # Mostly UTF-8 (it has valid multi-byte sequences) with a few stray bytes, as when
        # a Windows-1252 quote was pasted in: read those bytes alone as Windows-1252,
        # rather than misreading every accented letter of the file.
        return data.decode("utf-8", errors=_STRAY_BYTES), "utf-8 with stray windows-1252 bytes"
    try:
        return data.decode("windows-1252"), "windows-1252"
    except UnicodeDecodeError:
        # Five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are undefined in Windows-1252.
        return data.decode("latin-1"), "latin-1"


# A lead byte and its continuation bytes: text with these is UTF-8, whatever else it has.
_MULTIBYTE_UTF8 = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_STRAY_BYTES = "narrative-workbench-stray-windows-1252"


def _stray_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("windows-1252", errors="replace"), error.end


codecs.register_error(_STRAY_BYTES, _stray_bytes)


def _decode_utf8(data: bytes, name: str) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        # A BOM promises UTF-8; breaking that promise means a damaged file, and guessing
        # another encoding would garble the valid part.
        raise Rejected(
            f"The file starts with a UTF-8 marker but is not valid UTF-8 (byte {exc.start})."
        ) from None


def _decode_utf16(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        raise Rejected("The file starts with a UTF-16 marker but is not valid UTF-16.") from None
    if "\x00" in text:
        raise Rejected("This looks like a binary file (it contains NUL bytes), not text.")
    if not text.strip():
        raise Rejected("The file is empty.")
    return text, "utf-16"


# UTF-8 bytes read one by one as Latin-1 (and often then written as numeric entities,
# "&#226;&#128;&#153;"): a lead byte (U+00C2–U+00F4) followed by continuation bytes,
# at least one of which is a C1 control (U+0080–U+009F), which real text never holds.
_DOUBLE_ENCODED = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf]{1,3}")
_C1 = re.compile(r"[\u0080-\u009f]")


def repair_double_encoding(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 ("â\x80\x99" back to "’"), sequence by
    sequence; anything that does not decode as UTF-8 is left as it is."""
    if not _C1.search(text):
        return text

    def repair(match: re.Match[str]) -> str:
        try:
            return match.group().encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return match.group()

    return _DOUBLE_ENCODED.sub(repair, text)
