"""The faces PDFs are set in: Debian's Noto CJK cut down once to GB 2312 (consult/documents/fonts.py), the full
faces behind them for rarer characters, and nothing else fetched."""

import io
import os
from datetime import date

import pytest
from tests.documents_support import pdf_text
from pypdf import PdfReader

from consult.documents import fonts, pdf
from consult.documents.model import Document, Facts, Heading, Paragraph


def _embedded_fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def _receipt(*, name: str = "张三") -> Document:
    document = Document(title="受理回执", department="县司法局", issued_on=date(2026, 12, 2), letterhead=True)
    document.add(Paragraph.of("您的来信已收到并登记，编号如下。"),
                 Facts([("受理编号", "L-20261202-00042"), ("来信人", name)]),
                 Heading("收到的内容", 1),
                 Paragraph.of("依据国办公开办函〔2021〕30号，《条例》第十条——请核查。", align="left"))
    return document


def test_the_prepared_faces_hold_gb2312_and_the_punctuation_documents_use():
    points = fonts.characters()
    for text in ("受理回执答复意见书政府信息公开", "〔〕《》、，。：；（）——“”①", "L-20261202-00042 ABC abc 0-9"):
        assert all(ord(c) in points for c in text), [c for c in text if ord(c) not in points]
    assert ord("堃") not in points and ord("喆") not in points  # GBK, not GB 2312: the full faces set these
    assert 8000 < len(points) < 9000


def test_a_receipt_is_set_in_the_prepared_faces(app):
    with app.test_request_context():
        data = pdf.to_pdf(_receipt())
    used = _embedded_fonts(data)
    assert used and all(name.startswith("Consult-") for name in used), used
    assert {"Consult-Serif", "Consult-Serif-Bold", "Consult-Sans"} <= used
    text = pdf_text(data)
    assert "L-20261202-00042" in text and "国办公开办函〔2021〕30号" in text and "收到的内容" in text


def test_a_rarer_character_in_a_name_still_prints_from_the_full_face(app):
    with app.test_request_context():
        data = pdf.to_pdf(_receipt(name="王堃喆"))
    assert "王堃喆" in pdf_text(data)
    used = _embedded_fonts(data)
    assert "Consult-Serif" in used and any(name.startswith("Noto-Serif-CJK") for name in used), used


def test_faces_are_built_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "FACES", fonts.FACES[:1])
    built = fonts.prepare(str(tmp_path))
    assert len(built) == 1
    face, path = built[0]
    assert face.family == "Consult Serif" and os.path.getsize(path) < 8 * 1024 * 1024
    first = os.stat(path).st_mtime_ns
    monkeypatch.setattr(fonts, "subset_face", lambda *args: pytest.fail("built again"))
    assert fonts.prepare(str(tmp_path)) == built and os.stat(path).st_mtime_ns == first


def test_without_the_sources_documents_use_the_installed_fonts(app, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "SOURCE_DIRS", (str(tmp_path / "none"),))
    app.config["DOCUMENT_FONT_CACHE"] = str(tmp_path / "cache")
    with app.test_request_context():
        assert fonts.prepared_faces() == ()
        data = pdf.to_pdf(_receipt())
    assert "L-20261202-00042" in pdf_text(data)
    assert not any(name.startswith("Consult-") for name in _embedded_fonts(data))


def test_documents_fetch_nothing_but_the_prepared_faces(app):
    with app.test_request_context():
        faces = fonts.prepared_faces()
        fetcher = pdf._fetcher({"file:///fonts/a.otf": faces[0][1]})
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch("file:///etc/passwd")
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch("http://169.254.169.254/latest/meta-data/")
        document = _receipt(name='<img src="file:///etc/passwd"><link rel=stylesheet href="http://x.test/a.css">')
        text = pdf_text(pdf.to_pdf(document))
    assert '<img src="file:///etc/passwd">' in text
