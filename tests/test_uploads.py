"""Shared uploads: type by content, size limit, safe names, storage under random keys, guarded downloads;
and the shared Markdown sanitiser."""

import io
import os
import tracemalloc
import zipfile

import pytest
import sqlalchemy as sa
from tests.drafts_support import assert_safe_html, make_draft
from tests.hostile_payloads import ZIP_BOMBS, zip_bomb
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.domain import DomainError
from consult.drafts.models import Draft, DraftFile
from consult.extensions import db
from consult.text import render_markdown

pytestmark = pytest.mark.usefixtures("request_ctx")

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _ooxml(kind: str) -> bytes:
    main = {"docx": "wordprocessingml.document", "xlsx": "spreadsheetml.sheet"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="application/'
                         f'vnd.openxmlformats-officedocument.{main}.main+xml"/></Types>')
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["CONSULT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path


@pytest.mark.parametrize("data, name, content_type", [
    (PDF, "方案解读.pdf", uploads.PDF),
    (PNG, "figure.PNG", uploads.PNG),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "photo.jpeg", uploads.JPEG),
    (b"GIF89a" + b"\x00" * 10, "a.gif", uploads.GIF),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", uploads.WEBP),
    (_ooxml("docx"), "说明.docx", uploads.DOCX),
    (_ooxml("xlsx"), "数据.xlsx", uploads.XLSX),
])
def test_allowed_files_are_stored_under_a_random_name(upload_dir, data, name, content_type):
    attachment = uploads.save_upload(_file(data, name), owner="draft")
    assert attachment.content_type == content_type and attachment.size == len(data)
    assert attachment.original_filename == name
    stored = os.path.join(str(upload_dir), "uploads", attachment.storage_key[:2], attachment.storage_key)
    with open(stored, "rb") as handle:
        assert handle.read() == data
    assert name not in stored


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00 this is an exe", "report.pdf"),  # fake extension: content is not a PDF
    (PDF, "report.pdf.exe"),  # double extension
    (PDF, "report.exe.pdf"),
    (PDF, "../../etc/passwd.pdf"),  # traversal
    (PDF, "..\\..\\boot.pdf"),
    (PDF, "report.png"),  # content and name disagree
    (PNG, "noextension"),
    (b"<html><script>alert(1)</script></html>", "page.html"),
    (b"PK\x03\x04not really a zip", "x.docx"),
    (_ooxml("docx"), "x.xlsx"),
    (b"<svg onload=alert(1)></svg>", "x.svg"),
])
def test_unsafe_or_disguised_files_are_refused(upload_dir, data, name):
    with pytest.raises(DomainError):
        uploads.save_upload(_file(data, name), owner="draft")
    assert not os.path.exists(os.path.join(str(upload_dir), "uploads")) or not any(
        files for _d, _s, files in os.walk(os.path.join(str(upload_dir), "uploads")))


@pytest.mark.parametrize("kind", ZIP_BOMBS)
def test_zip_bombs_are_refused_at_once_for_a_few_megabytes(upload_dir, kind):
    data = zip_bomb(kind)
    upload = _file(data, "说明.odt" if kind == "odf" else "说明.docx")
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            uploads.save_upload(upload, owner="draft")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "expands to an unreasonable size" in str(refused.value.message)
    assert peak < len(data) + 4 * 2**20  # the upload is read once; inspecting it costs a few MB at most
    assert not os.path.exists(os.path.join(str(upload_dir), "uploads"))
    assert db.session.scalar(sa.select(sa.func.count(uploads.Attachment.id))) == 0


def test_files_over_the_limit_are_refused(app, upload_dir):
    app.config["CONSULT_UPLOAD_MAX_BYTES"] = 1024
    with pytest.raises(DomainError):
        uploads.save_upload(_file(PDF + b"x" * 2000, "big.pdf"), owner="draft")
    assert uploads.save_upload(_file(PDF, "small.pdf"), owner="draft").size == len(PDF)


def test_download_is_an_attachment_with_nosniff_and_the_checked_type(world, client, upload_dir):
    draft_id = make_draft(world)
    attachment = uploads.save_upload(_file(PDF, "解读.pdf"), owner="draft")
    db.session.add(DraftFile(draft_id=draft_id, attachment_id=attachment.id))
    db.session.commit()
    response = client.get(f"/files/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    assert "解读" in client.get(f"/drafts/{draft_id}").get_data(as_text=True)


def test_files_of_unpublished_drafts_and_unowned_files_are_not_public(world, client, upload_dir):
    draft_id = make_draft(world, status="draft")
    attachment = uploads.save_upload(_file(PDF, "draft.pdf"), owner="draft")
    db.session.add(DraftFile(draft_id=draft_id, attachment_id=attachment.id))
    private = uploads.save_upload(_file(PDF, "letter.pdf"), owner="letter")  # no access check registered
    db.session.commit()
    assert client.get(f"/files/{attachment.id}").status_code == 404
    assert client.get(f"/files/{private.id}").status_code == 404
    assert client.get("/files/424242").status_code == 404
    assert db.session.get(Draft, draft_id).status == "draft"


def test_only_files_public_by_nature_may_be_kept_by_shared_caches(world, client, auth, upload_dir):
    published, unpublished = make_draft(world), make_draft(world, status="draft")
    figure = uploads.save_upload(_file(PDF, "图表.pdf"), owner="draft")
    early = uploads.save_upload(_file(PDF, "草稿图表.pdf"), owner="draft")
    db.session.add_all([DraftFile(draft_id=published, attachment_id=figure.id),
                        DraftFile(draft_id=unpublished, attachment_id=early.id)])
    db.session.commit()

    def cache_control(attachment_id: int) -> set[str]:
        with client.get(f"/files/{attachment_id}") as response:
            assert response.status_code == 200
            return {part.strip() for part in response.headers["Cache-Control"].split(",")}

    assert cache_control(figure.id) == {"public", "max-age=3600"}  # a published draft's figure: anyone's
    auth.login(world.editor)
    assert cache_control(early.id) == {"private", "no-store"}  # staff only until the draft is published
    assert cache_control(figure.id) == {"public", "max-age=3600"}


def test_editor_uploads_through_the_interpretation_page_above_the_global_limit(world, client, auth, app, upload_dir):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    draft_id = make_draft(world)
    auth.login(world.editor)
    big_pdf = PDF + b"%" * 4000
    response = client.post(f"/office/drafts/{draft_id}/files",
                           data={"file": (io.BytesIO(big_pdf), "图表.pdf"), "caption": "图1"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.get(Draft, draft_id).files[0].attachment.size == len(big_pdf)


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>)", '<a href="#" onclick="x()">y</a>', "<style>*{}</style>",
])
def test_markdown_sanitiser_removes_active_content(hostile):
    assert_safe_html(str(render_markdown(hostile)))  # may remain as escaped text, never as markup


def test_markdown_links_get_nofollow_noopener():
    html = str(render_markdown("[政府网站](https://www.gov.cn)"))
    assert 'href="https://www.gov.cn"' in html and "nofollow" in html and "noopener" in html
