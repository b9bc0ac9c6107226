"""The Documents page: opening documents, page images with word boxes, text, source, errors in one line."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.store import Store
from tests.app.markdown import shown

APP = Path(__file__).resolve().parents[2] / "app.py"


def _pdf(*texts: str, password: str | None = None) -> bytes:
    pdf = pymupdf.open()
    for text in texts:
        pdf.new_page().insert_text((72, 100), text, fontsize=14)
    if password:
        return pdf.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw=password)
    return pdf.tobytes()


@pytest.fixture
def app() -> AppTest:
    st.cache_resource.clear()  # get_store() is cached per process; each test has its own FIELDBENCH_HOME
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.switch_page("pages/documents.py")
    return app


def test_empty_page_invites_an_upload(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert app.title[0].value == "Documents"
    assert any("Upload a file" in info.value for info in app.info)


def test_shows_a_stored_document_with_its_text_and_source(app: AppTest) -> None:
    store = Store.open()
    record = store.documents.add(_pdf("Invoice number 4711 total 99.50 EUR", "Terms of payment"), "invoice.pdf")
    store.close()
    app.session_state["document_ids"] = [record.id]
    app.run()
    assert not app.exception
    assert shown(app.subheader[0].value) == "invoice.pdf"
    # The first page with its word boxes, then every page: the viewer's page picker.
    assert [m.value.split(" · ")[:2] for m in app.markdown[:1]] == [["**Page 1**", "**Source:** text layer"]]
    assert "6 words" in " ".join(c.value for c in app.caption)
    assert len(app.get("image")) == 1
    [picker] = [s for s in app.selectbox if s.key and s.key.startswith(f"view-{record.id}_page")]
    picker.set_value(0).run()  # all pages
    assert not app.exception
    assert [m.value.split(" · ")[:2] for m in app.markdown[:2]] == [
        ["**Page 1**", "**Source:** text layer"],
        ["**Page 2**", "**Source:** text layer"],
    ]
    assert [t.value for t in app.text_area] == ["Invoice number 4711 total 99.50 EUR", "Terms of payment"]
    assert len(app.get("image")) == 2  # each page image with its word boxes


def test_the_viewer_zooms_in_on_the_word_boxes(app: AppTest) -> None:
    store = Store.open()
    record = store.documents.add(_pdf("Invoice number 4711 total 99.50 EUR"), "invoice.pdf")
    store.close()
    app.session_state["document_ids"] = [record.id]
    app.run()
    [whole] = app.get("image")
    app.select_slider(key=f"view-{record.id}_zoom").set_value(2.0).run()
    assert not app.exception and not app.error
    [zoomed] = app.get("image")
    assert zoomed.proto.imgs[0].caption == whole.proto.imgs[0].caption + " · 200 %"


def test_encrypted_document_without_password_is_one_red_line_then_opens_with_it(app: AppTest) -> None:
    store = Store.open()
    record = store.documents.add(_pdf("Secret 42", password="pw"), "secret.pdf", password="pw")
    store.close()
    app.session_state["document_ids"] = [record.id]
    app.run()
    assert not app.exception
    assert len(app.error) == 1
    assert "encrypted" in app.error[0].value and "password" in app.error[0].value
    app.text_input(key="password").input("pw").run()
    assert not app.exception
    assert not app.error
    assert "Secret 42" in app.text_area[0].value


def test_open_a_sample_document(app: AppTest, sample_docs: Path) -> None:
    pdfs = sorted(p.name for p in sample_docs.glob("*.pdf"))
    if not pdfs:
        pytest.skip("no sample PDFs in sample_docs/")
    app.run()
    app.selectbox(key="sample").select(pdfs[0]).run()
    assert not app.exception
    assert not app.error
    assert len(app.session_state["document_ids"]) == 1
    assert shown(app.subheader[0].value) == pdfs[0]
    assert app.text_area[0].value.strip()
    records = Store.open().documents.list()
    assert [r.name for r in records] == [pdfs[0]]


def test_the_reading_options_apply_cropping_to_a_photographed_receipt(app: AppTest) -> None:
    app.run()
    app.selectbox(key="sample").select("receipt_photo.jpg").run()
    assert not app.exception and not app.error
    assert not any("Cropped from page" in c.value for c in app.caption)
    assert app.text_area[0].value.strip()
    app.toggle(key="documents_spec_cropping").set_value(True).run()
    assert not app.exception and not app.error
    assert any("Cropped from page 1 of the file." in c.value for c in app.caption)
    assert any(c.value.startswith("224 × 418 pt") for c in app.caption)
    assert app.radio(key="documents_spec_charset").options == ["Latin", "Japanese"]


def test_the_ocr_engine_choice_reads_a_scan_with_pp_ocr(app: AppTest) -> None:
    app.run()
    app.selectbox(key="sample").select("receipt_scan.jpg").run()
    assert app.radio(key="documents_spec_ocr").options == ["Tesseract", "PP-OCRv5"]
    app.radio(key="documents_spec_ocr").set_value("ppocr").run()
    assert not app.exception and not app.error
    assert any(c.value.startswith("PP-OCRv5 keeps every line") for c in app.caption)
    assert "CORNER BEAN CAFE" in app.text_area[0].value
