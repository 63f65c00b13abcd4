"""Zip-based documents are opened within a hard budget: what an archive declares is never trusted, members
are only ever streamed, and every bomb is refused after a few MB of work (no database needed)."""

import io
import random
import tracemalloc
import zipfile
import zlib

import pytest
from tests.hostile_payloads import GIB, ZIP_BOMBS, deflated_zeros, zip_bomb, zip_bytes
from openpyxl import Workbook

from consult.archives import CHUNK, ArchiveRefused, Limits, SafeArchive

FEW_MB = 4 * 2**20


def _document(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _peak_while(action) -> int:
    """The peak of Python's allocations (bytes) while ``action`` runs."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_real_workbook_is_read_member_by_member():
    book = Workbook()
    book.active.append(["部门", "件数"])
    buffer = io.BytesIO()
    book.save(buffer)
    with SafeArchive(buffer.getvalue()) as archive:
        archive.verify()
        assert "xl/workbook.xml" in archive and "[Content_Types].xml" in archive.names()
        assert b"spreadsheetml" in archive.read("[Content_Types].xml")


def test_a_document_body_streams_in_bounded_chunks_for_importers():
    body = b"<w:p>" + _text(600_000) + b"</w:p>"
    with SafeArchive(_document({"word/document.xml": body})) as archive:
        chunks = list(archive.stream("word/document.xml"))
        assert b"".join(chunks) == body and max(map(len, chunks)) <= CHUNK
        assert archive.read("word/document.xml") == body
        with pytest.raises(ArchiveRefused):
            archive.read("word/document.xml", max_bytes=1000)  # the caller's own, smaller budget
        with pytest.raises(ArchiveRefused):
            archive.read("word/missing.xml")


@pytest.mark.parametrize("kind", ZIP_BOMBS)
def test_every_bomb_is_refused_within_a_few_megabytes(kind):
    data = zip_bomb(kind)

    def inspect():
        with pytest.raises(ArchiveRefused):
            with SafeArchive(data) as archive:
                archive.verify()

    assert _peak_while(inspect) < FEW_MB


@pytest.mark.parametrize("kind", ["lying-manifest", "lying-body"])
def test_a_member_that_lies_about_its_size_cannot_be_read_past_what_it_declared(kind):
    data = zip_bomb(kind)
    name = "[Content_Types].xml" if kind == "lying-manifest" else "word/document.xml"

    def read_it():
        with SafeArchive(data) as archive, pytest.raises(ArchiveRefused):
            archive.read(name)  # the truth (1 GiB) fails its checksum once the declared 1 KiB is out

    assert _peak_while(read_it) < FEW_MB


def test_what_really_inflates_is_counted_against_the_archive_budget():
    data = _document({f"xl/worksheets/sheet{n}.xml": _text(200_000, seed=n) for n in range(5)})
    with SafeArchive(data, Limits(max_total_bytes=1_500_000)) as archive:
        archive.verify()  # 1,000,000 bytes inflated
        archive.read("xl/worksheets/sheet0.xml")  # reading again costs again: 1,200,000
        archive.read("xl/worksheets/sheet1.xml")  # 1,400,000
        with pytest.raises(ArchiveRefused):
            archive.read("xl/worksheets/sheet2.xml")  # past 1,500,000
    with pytest.raises(ArchiveRefused):
        SafeArchive(data, Limits(max_total_bytes=999_999))  # what the members declare: refused at once


def _text(size: int, seed: int = 0) -> bytes:
    """XML-like text that compresses about as well as a real document part (a few times, not a thousand)."""
    rng = random.Random(seed)
    words = ["<c r=", "<v>", "</v>", "</c>", "政务", "公开", "意见"] + [str(n) for n in range(100)]
    return "".join(rng.choice(words) for _ in range(size)).encode()[:size]


@pytest.mark.parametrize("limits", [
    Limits(max_members=3),
    Limits(max_member_bytes=100_000),
    Limits(max_ratio=1, ratio_grace_bytes=1000),
])
def test_each_declared_limit_refuses_before_anything_is_inflated(limits):
    data = _document({f"part{n}.xml": _text(200_000, seed=n) for n in range(4)})
    with pytest.raises(ArchiveRefused):
        SafeArchive(data, limits)
    SafeArchive(data).verify()  # the defaults accept it


def test_an_end_record_that_undercounts_does_not_let_a_huge_directory_through():
    entries = [("a.xml", b"\x03\x00", 0, 0)] + [(f"m/{n}", None, 0, 0) for n in range(1500)]
    with pytest.raises(ArchiveRefused):
        SafeArchive(zip_bytes(entries, claimed_entries=1))
    assert len(SafeArchive(zip_bytes(entries[:900], claimed_entries=1)).names()) == 900


def test_encrypted_duplicated_or_oddly_compressed_members_are_refused():
    plain = _document({"a.xml": b"<a/>"})
    encrypted = bytearray(plain)
    for offset in (6, plain.index(b"PK\x01\x02") + 8):  # the flag words of the local and central headers
        encrypted[offset] |= 1
    twice = zip_bytes([("a.xml", b"\x03\x00", 0, 0), ("a.xml", b"\x03\x00", 0, 0)])
    bzip2 = _document({"a.xml": b"<a/>" * 100}, method=zipfile.ZIP_BZIP2)
    for data in (bytes(encrypted), twice, bzip2, b"PK\x03\x04 not a zip", b""):
        with pytest.raises(ArchiveRefused):
            SafeArchive(data).verify()


def test_the_bombs_really_are_bombs():
    """Guard the guard: the test bombs inflate to what they claim (checked once, cheaply, for the 1 GiB one)."""
    stream = deflated_zeros(GIB)
    assert len(stream) < 2 * 2**20
    assert len(zlib.decompressobj(-15).decompress(stream[:4096], 64 * 2**20)) > 3 * 2**20  # 4 KB: over 3 MiB
