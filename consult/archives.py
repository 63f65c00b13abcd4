"""Zip-based documents (DOCX, XLSX, PPTX, ODF …) opened without trusting what the archive says about itself.

A zip declares its members' sizes, and a few kilobytes of deflate can stand for gigabytes (a "zip bomb").
Every piece of Consult that opens an uploaded zip does it through :class:`SafeArchive`, so the cost of any
archive is bounded by :class:`Limits`, never by what it declares:

* before reading a single member it refuses a central directory larger than ``max_directory_bytes`` or
  holding more than ``max_members`` entries (counted from the entries' own signatures, whatever the end
  record claims, before any are parsed), members named twice, encrypted members, compression other than
  stored and deflate, a member declaring more than ``max_member_bytes``, members declaring more than
  ``max_total_bytes`` together, and a declared compression ratio above ``max_ratio``;
* members are only ever read as a stream, ``CHUNK`` bytes at a time, counting what really comes out: a
  member that inflates past its declared size (and so fails its checksum), past its own or the archive's
  budget, or past ``max_ratio`` times its compressed size is refused right there.

The ratio limit follows Apache POI's ``ZipSecureFile`` (a minimum inflate ratio of 1 %, i.e. at most 100×,
enforced once a member passes a grace size, since tiny XML parts compress better).

Reading a document's body, e.g. for a Word import::

    with SafeArchive(data) as archive:
        xml = archive.read("word/document.xml")            # bytes, within the member budget
        for chunk in archive.stream("word/document.xml"):  # or piece by piece, for a pull parser
            ...

Anything refused raises :class:`ArchiveRefused`.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 64 * 1024
_END_RECORD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_RECORD = b"PK\x06\x06"
_DIRECTORY_ENTRY = b"PK\x01\x02"
_ZIP64_RECORD_BYTES = 56 + 20  # the zip64 end record and its locator, just before the end record
# What zipfile and zlib raise on damaged input (RuntimeError: e.g. a member that claims to be encrypted).
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
               NotImplementedError, struct.error)


@dataclass(frozen=True)
class Limits:
    """What one archive may cost. The defaults suit documents people upload (at most a few MB)."""

    max_members: int = 1000
    max_directory_bytes: int = 256 * 1024
    max_member_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100
    ratio_grace_bytes: int = 100 * 1024


class ArchiveRefused(ValueError):
    """The archive is damaged, encrypted, or would cost more than its :class:`Limits` allow."""


class SafeArchive:
    """A zip held in memory, opened within :class:`Limits`; use as a context manager."""

    def __init__(self, data: bytes, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._inflated = 0
        _check_directory(data, limits)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except _UNREADABLE as error:
            raise ArchiveRefused(f"not a readable zip: {error}") from error
        try:
            self._members = _checked_members(self._zip.infolist(), limits)
        except ArchiveRefused:
            self._zip.close()
            raise

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        """The members' names, in the archive's order."""
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def stream(self, name: str, max_bytes: int | None = None) -> Iterator[bytes]:
        """The member's bytes, ``CHUNK`` at a time; ArchiveRefused as soon as a limit is passed."""
        info = self._members.get(name)
        if info is None:
            raise ArchiveRefused(f"no member {name!r}")
        limits = self.limits
        budget = limits.max_member_bytes if max_bytes is None else min(max_bytes, limits.max_member_bytes)
        ratio_limit = max(limits.ratio_grace_bytes, limits.max_ratio * info.compress_size)
        produced = 0
        try:
            with self._zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    produced += len(chunk)
                    self._inflated += len(chunk)
                    if produced > info.file_size or produced > budget or produced > ratio_limit:
                        raise ArchiveRefused(f"{name!r} inflates beyond its limit")
                    if self._inflated > limits.max_total_bytes:
                        raise ArchiveRefused("the archive inflates beyond its limit")
                    yield chunk
        except ArchiveRefused:
            raise
        except _UNREADABLE as error:
            raise ArchiveRefused(f"{name!r} cannot be read: {error}") from error

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The whole member (at most ``max_bytes``, and never beyond the member budget)."""
        return b"".join(self.stream(name, max_bytes))

    def verify(self) -> None:
        """Inflate every member within the budget and check its checksum, keeping nothing."""
        for name in self._members:
            for _chunk in self.stream(name):
                pass


def _check_directory(data: bytes, limits: Limits) -> None:
    """Refuse a central directory too big or with too many entries before zipfile parses any of it.

    The end record is looked for exactly where zipfile looks: 22 bytes from the end with no comment,
    else the last one in the final 64 KiB.
    """
    end = len(data) - 22
    if not (end >= 0 and data.startswith(_END_RECORD, end) and data.endswith(b"\0\0")):
        end = data.rfind(_END_RECORD, max(0, len(data) - 22 - (1 << 16)))
    if end < 0 or len(data) < end + 22:
        raise ArchiveRefused("no end of central directory")
    directory_end, (size,) = end, struct.unpack_from("<I", data, end + 12)
    if data[end - 20:end - 16] == _ZIP64_LOCATOR:  # where zipfile looks for the zip64 end record
        directory_end = end - _ZIP64_RECORD_BYTES
        if directory_end < 0 or data[directory_end:directory_end + 4] != _ZIP64_END_RECORD:
            raise ArchiveRefused("damaged zip64 end record")
        (size,) = struct.unpack_from("<Q", data, directory_end + 40)
    if size > limits.max_directory_bytes or size > directory_end:
        raise ArchiveRefused("central directory too large")
    if data.count(_DIRECTORY_ENTRY, directory_end - size, directory_end) > limits.max_members:
        raise ArchiveRefused("too many members")


def _checked_members(infos: list[zipfile.ZipInfo], limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The members by name, once every declared size, ratio, method and flag is within the limits."""
    if len(infos) > limits.max_members:
        raise ArchiveRefused("too many members")
    members: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        if info.filename in members:
            raise ArchiveRefused(f"{info.filename!r} appears twice")
        if info.flag_bits & 0x1:
            raise ArchiveRefused(f"{info.filename!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveRefused(f"{info.filename!r} uses an unexpected compression method")
        if info.file_size > limits.max_member_bytes:
            raise ArchiveRefused(f"{info.filename!r} declares too many bytes")
        if info.file_size > max(limits.ratio_grace_bytes, limits.max_ratio * info.compress_size):
            raise ArchiveRefused(f"{info.filename!r} declares too high a compression ratio")
        declared += info.file_size
        members[info.filename] = info
    if declared > limits.max_total_bytes:
        raise ArchiveRefused("the members declare too many bytes together")
    return members
