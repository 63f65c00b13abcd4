"""Hostile input shared by the hostile-input tests: what an attacker (or a broken client) sends.

Each list is small on purpose: every form and every API endpoint gets every text payload, so the
suite's added time stays a few seconds per database.
"""

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
HUGE_IDS = [2**31, 2**63, 99999999999999999999]
# Query-string parameters through which pages read ids and other whole numbers.
ID_QUERY_PARAMS = ["department", "mailbox", "submission", "template", "before", "year", "from", "to"]
