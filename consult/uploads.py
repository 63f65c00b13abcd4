"""Safe file uploads shared by every feature: type checked by content, size-limited, stored under random names.

* :func:`save_upload` reads at most ``CONSULT_UPLOAD_MAX_BYTES`` (+1) bytes, recognises the type from the
  bytes themselves (PDF, DOCX, XLSX, PNG, JPEG, GIF, WebP), requires the file name's extension to agree,
  refuses path tricks and double extensions such as ``x.pdf.exe`` and stores the bytes as
  ``instance/uploads/<ab>/<random key>`` — the user's name is never part of a path.
* Every zip (DOCX, XLSX, and any other zip-based document: PPTX and OpenDocument are recognised too) is
  inspected whole through :class:`consult.archives.SafeArchive` before it is accepted: streamed within a
  hard budget of members, bytes and compression ratio, so a zip bomb costs a few MB and is refused at
  once. Code that reads an uploaded document later (e.g. a Word import) opens it the same way.
* An :class:`Attachment` row records the sanitised original name, type, size and SHA-256. Its ``owner``
  names the feature that uses it (e.g. ``"draft"``).
* ``uploads.download`` serves a file as a download. Whether a visitor may have it is decided by the owning
  feature: it registers ``register_access_check(owner, check)`` where ``check(attachment)`` answers
  :data:`PUBLIC` (anyone may have it, so shared caches may keep it for an hour), :data:`PRIVATE` or any
  other true value (this visitor only: ``Cache-Control: private, no-store``), or a false value. No check
  registered, or the check says no → 404 (a private file looks exactly like a missing one).
  Upload views raise ``request.max_content_length`` with :func:`allow_large_request`.
"""

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from consult.archives import ArchiveRefused, SafeArchive
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db

PDF, DOCX, XLSX = "application/pdf", (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT, ODS, ODP = (f"application/vnd.oasis.opendocument.{kind}" for kind in ("text", "spreadsheet", "presentation"))
PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
IMAGE_TYPES = frozenset({PNG, JPEG, GIF, WEBP})
DOCUMENT_TYPES = frozenset({PDF, DOCX, XLSX})
ALL_TYPES = IMAGE_TYPES | DOCUMENT_TYPES
EXTENSIONS = {
    PDF: {"pdf"}, DOCX: {"docx"}, XLSX: {"xlsx"}, PPTX: {"pptx"}, ODT: {"odt"}, ODS: {"ods"}, ODP: {"odp"},
    PNG: {"png"}, JPEG: {"jpg", "jpeg"}, GIF: {"gif"}, WEBP: {"webp"},
}
# Never acceptable anywhere in a name (catches "report.exe.pdf" as well as "report.pdf.exe").
DANGEROUS_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "msi", "scr", "pif", "cpl", "dll", "sh", "bash", "ps1", "vbs", "vbe", "js",
    "jse", "wsf", "hta", "jar", "php", "phtml", "asp", "aspx", "jsp", "cgi", "pl", "py", "html", "htm",
    "xhtml", "svg", "xml", "lnk", "reg", "docm", "xlsm",
})
_OOXML_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
_CONTENT_TYPES_MAX = 256 * 1024  # [Content_Types].xml is a few KB
_ODF_TYPES = {ODT, ODS, ODP}


class Attachment(db.Model):
    """A stored upload. The bytes live in ``instance/uploads`` under ``storage_key``."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    owner: Mapped[str] = mapped_column(sa.String(32), default="", index=True)  # feature deciding access
    original_filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.content_type}>"


# --- checks -------------------------------------------------------------------------------------------

def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes really are (a key of ``EXTENSIONS``), or None; ArchiveRefused for a bad zip."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def _sniff_zip(data: bytes) -> str | None:
    """An OOXML or OpenDocument file, once the whole archive has been inspected within its budget."""
    with SafeArchive(data) as archive:
        archive.verify()
        if "[Content_Types].xml" in archive:
            manifest = archive.read("[Content_Types].xml", _CONTENT_TYPES_MAX)
            return next((kind for kind, marker in _OOXML_MAIN.items() if marker in manifest), None)
        if "mimetype" in archive:
            declared = archive.read("mimetype", 100).decode("ascii", "replace").strip()
            return declared if declared in _ODF_TYPES else None
    return None


def clean_filename(filename: str | None) -> str:
    """Validate the name the browser sent and return it tidied for display; raise DomainError if unsafe.

    Refused: empty names, path separators or ``..``, control characters, and any dangerous extension
    anywhere in the name (``x.pdf.exe``, ``x.exe.pdf``).
    """
    name = unicodedata.normalize("NFC", (filename or "").strip())
    if not name:
        raise DomainError(_l("Please choose a file."), field="file")
    if "/" in name or "\\" in name or ".." in name or any(unicodedata.category(c)[0] == "C" for c in name):
        raise DomainError(_l("This file name is not allowed."), field="file")
    parts = name.lower().split(".")
    if len(parts) < 2 or any(part.strip() in DANGEROUS_EXTENSIONS for part in parts[1:]):
        raise DomainError(_l("This type of file is not allowed."), field="file")
    name = re.sub(r"\s+", " ", name).lstrip(".")
    if len(name) > 200:
        stem, ext = name.rsplit(".", 1)
        name = f"{stem[:190]}.{ext}"
    return name


def max_upload_bytes() -> int:
    return int(current_app.config["CONSULT_UPLOAD_MAX_BYTES"])


def allow_large_request() -> None:
    """Let this request's body reach the upload limit (the global limit stays small for other forms)."""
    request.max_content_length = max_upload_bytes() + 64 * 1024  # room for the other form fields


def upload_folder() -> str:
    return current_app.config.get("CONSULT_UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads")


def _path_for(storage_key: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", storage_key):
        raise ValueError("invalid storage key")
    return os.path.join(upload_folder(), storage_key[:2], storage_key)


# --- services -----------------------------------------------------------------------------------------

def save_upload(
    file: FileStorage | None,
    *,
    owner: str,
    uploaded_by=None,
    allowed: frozenset[str] = ALL_TYPES,
) -> Attachment:
    """Check and store an uploaded file; return its (flushed) :class:`Attachment`. Raises DomainError."""
    if file is None or not file.filename:
        raise DomainError(_l("Please choose a file."), field="file")
    name = clean_filename(file.filename)
    limit = max_upload_bytes()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            _l("The file is too large (at most %(mb)s MB).", mb=round(limit / 1024 / 1024, 1)), field="file"
        )
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    try:
        content_type = sniff_content_type(data)
    except ArchiveRefused:
        raise DomainError(_l("This file is damaged, encrypted or expands to an unreasonable size, so it cannot "
                             "be accepted."), field="file") from None
    if content_type is None or content_type not in allowed:
        raise DomainError(_l("This type of file is not allowed."), field="file")
    if name.rsplit(".", 1)[-1].lower() not in EXTENSIONS[content_type]:
        raise DomainError(_l("The file's name does not match its content."), field="file")
    key = secrets.token_hex(16)
    path = _path_for(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "xb") as out:
        out.write(data)
    attachment = Attachment(
        storage_key=key, owner=owner, original_filename=name, content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def read_attachment(attachment: Attachment) -> bytes:
    """The stored bytes of ``attachment`` (e.g. a Word draft read after its upload was inspected)."""
    with open(_path_for(attachment.storage_key), "rb") as stored:
        return stored.read()


def delete_attachment(attachment: Attachment) -> None:
    """Remove the row and its file (the file goes first; a leftover file is harmless, a dangling row is not)."""
    try:
        os.remove(_path_for(attachment.storage_key))
    except FileNotFoundError:
        pass
    db.session.delete(attachment)
    db.session.flush()


# --- access and download ------------------------------------------------------------------------------

PUBLIC, PRIVATE = "public", "private"
PUBLIC_MAX_AGE = 3600  # seconds a browser or shared cache may keep a public file
AccessCheck = Callable[[Attachment], object]
_ACCESS_CHECKS: dict[str, AccessCheck] = {}


def register_access_check(owner: str, check: AccessCheck) -> None:
    """Let the feature that owns attachments of ``owner`` decide who may download them (see the module)."""
    _ACCESS_CHECKS[owner] = check


def access_to(attachment: Attachment) -> str | None:
    """:data:`PUBLIC` or :data:`PRIVATE` when this visitor may download the file, else None."""
    check = _ACCESS_CHECKS.get(attachment.owner)
    answer = check(attachment) if check else None
    if answer == PUBLIC:
        return PUBLIC
    return PRIVATE if answer else None


bp = Blueprint("uploads", __name__, url_prefix="/files")


@bp.get("/<int:attachment_id>/<path:filename>")
@bp.get("/<int:attachment_id>")
def download(attachment_id: int, filename: str | None = None):
    """Serve a stored file as a download with its checked content type, if the owner's check allows it."""
    attachment = db.session.get(Attachment, attachment_id)
    access = access_to(attachment) if attachment is not None else None
    if access is None:
        abort(404)
    try:
        path = _path_for(attachment.storage_key)
    except ValueError:
        abort(404)
    if not os.path.isfile(path):
        abort(404)
    inline = request.args.get("inline") == "1" and attachment.is_image
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=not inline, download_name=attachment.original_filename,
        etag=attachment.sha256, max_age=PUBLIC_MAX_AGE if access == PUBLIC else None,
    )
    if access == PRIVATE:  # decided for this visitor: no shared cache and no disk may keep it
        response.cache_control.no_cache = None
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
