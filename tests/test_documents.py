"""Loading documents: text layers, OCR pages, images, sniffing, every kind of bad input, rendering.

The helpers at the top synthesise documents; other test modules import them.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from core.config import Settings, get_settings
from core.documents import Document, highlight, load_document, page_image, render_page, sniff_kind
from core.documents.render import zoom_window
from core.errors import (
    CorruptDocumentError,
    DocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ImageTooLargeError,
    NotFoundError,
    OCRError,
    TooManyPagesError,
    UnsupportedFormatError,
)

# ------------------------------------------------------------------------------------------------ helpers


def text_pdf(*pages: str, password: str | None = None, rotate: int = 0) -> bytes:
    """A digital PDF, one page per string (lines split on newlines)."""
    pdf = pymupdf.open()
    for text in pages:
        page = pdf.new_page(width=595, height=842)
        page.insert_text((72, 100), text, fontsize=14)
        if rotate:
            page.set_rotation(rotate)
    if password:
        return pdf.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw=password)
    return pdf.tobytes()


def text_image(text: str, *, dpi: int = 200, size: tuple[float, float] = (300, 120), fontsize: int = 16) -> Image.Image:
    """A grayscale image of printed text (rendered through PyMuPDF), ``size`` in points."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=size[0], height=size[1])
    page.insert_text((12, 30), text, fontsize=fontsize)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def png_bytes(image: Image.Image, dpi: int | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def mixed_pdf(text_page: str, image_text: str) -> bytes:
    """Page 1 has a text layer; page 2 is only an image of text."""
    pdf = pymupdf.open()
    pdf.new_page(width=300, height=120).insert_text((12, 30), text_page, fontsize=16)
    page = pdf.new_page(width=300, height=120)
    page.insert_image(page.rect, stream=png_bytes(text_image(image_text)))
    return pdf.tobytes()


def words_of(document: Document) -> list[str]:
    return [w.text for page in document.pages for w in page.words]


def assert_sane(document: Document) -> None:
    for page in document.pages:
        assert 50 < page.width < 5000 and 50 < page.height < 5000, (page.width, page.height)
        for word in page.words:
            x0, y0, x1, y1 = word.bbox
            assert 0 <= x0 <= x1 <= page.width + 1e-6 and 0 <= y0 <= y1 <= page.height + 1e-6, word
            assert word.confidence is not None and 0 <= word.confidence <= 1
            assert word in [page.words[i] for i in page.lines[word.line].words]


# ------------------------------------------------------------------------------------------- good input


def test_every_dataset_pdf_loads_with_words_inside_its_pages(datasets: Path) -> None:
    files = sorted(datasets.glob("*/*.pdf"))
    assert len(files) > 50
    for path in files:
        document = load_document(path)
        assert document.kind == "pdf" and document.name == path.name
        assert document.pages and [p.number for p in document.pages] == list(range(1, len(document.pages) + 1))
        assert len(words_of(document)) > 20, path.name
        assert_sane(document)
        text_pages = [p for p in document.pages if p.source == "text"]
        assert text_pages and all(p.words and p.lines for p in text_pages)
        assert all(w.confidence == 1.0 for p in text_pages for w in p.words)


def test_sample_docs_load(sample_docs: Path) -> None:
    files = [p for p in sorted(sample_docs.glob("*")) if p.suffix.lower() in {".pdf", ".png", ".jpg", ".jpeg"}]
    if not files:
        pytest.skip("no sample documents yet")
    for path in files:
        document = load_document(path)
        assert document.pages and len(words_of(document)) > 5, path.name
        assert_sane(document)


def test_text_layer_words_lines_and_text() -> None:
    document = load_document(text_pdf("Invoice number 4711\nTotal 99.50 EUR", "Second page"), name="two.pdf")
    assert [p.source for p in document.pages] == ["text", "text"]
    first = document.pages[0]
    assert first.text == "Invoice number 4711\nTotal 99.50 EUR"
    assert [w.text for w in first.words] == ["Invoice", "number", "4711", "Total", "99.50", "EUR"]
    assert [w.line for w in first.words] == [0, 0, 0, 1, 1, 1]
    assert first.lines[1].words == [3, 4, 5]
    assert first.words[0].bbox[0] == pytest.approx(72, abs=1)  # points from the left edge
    assert first.words[0].bbox[1] < first.words[3].bbox[1] < 842 / 2  # top-left origin
    assert document.text == "Invoice number 4711\nTotal 99.50 EUR\fSecond page"


def test_rotated_page_gives_boxes_in_the_page_as_shown() -> None:
    document = load_document(text_pdf("Rotated text here", rotate=90))
    page = document.pages[0]
    assert (page.width, page.height) == (842, 595)
    assert_sane(document)
    # Text written left to right at the top of the unrotated page runs top to bottom near the right edge.
    word = page.words[0]
    assert word.bbox[0] > page.width / 2
    assert word.bbox[3] - word.bbox[1] > word.bbox[2] - word.bbox[0]


def test_mixed_pdf_decides_per_page() -> None:
    document = load_document(mixed_pdf("Digital text page", "Scanned INVOICE 12345"))
    assert [p.source for p in document.pages] == ["text", "ocr"]
    assert document.pages[0].text == "Digital text page"
    ocr_page = document.pages[1]
    assert "INVOICE" in ocr_page.text and "12345" in ocr_page.text
    assert (ocr_page.width, ocr_page.height) == pytest.approx((300, 120), abs=0.5)
    assert_sane(document)
    assert all(w.confidence < 1.0 or w.confidence == 1.0 for w in ocr_page.words)


def test_png_uses_its_dpi_and_jpeg_without_dpi_assumes_300() -> None:
    image = text_image("Receipt TOTAL 12.00", dpi=200)
    document = load_document(png_bytes(image, dpi=200), name="r.png")
    assert document.kind == "png"
    page = document.pages[0]
    assert page.width == pytest.approx(image.width * 72 / 200, rel=1e-3)
    assert page.source == "ocr" and "TOTAL" in page.text
    assert_sane(document)
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=95)
    document = load_document(jpeg.getvalue(), name="r.jpg")
    assert document.kind == "jpeg"
    assert document.pages[0].width == pytest.approx(image.width * 72 / 300)
    assert "TOTAL" in document.pages[0].text


def test_multi_page_tiff() -> None:
    frames = [text_image("First page ALPHA"), text_image("Second page BRAVO")]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    document = load_document(out.getvalue(), name="scan.tif")
    assert document.kind == "tiff"
    assert [p.number for p in document.pages] == [1, 2]
    assert [p.source_page for p in document.pages] == [0, 1]
    assert "ALPHA" in document.pages[0].text and "BRAVO" in document.pages[1].text
    assert_sane(document)


def test_format_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    pdf_named_png = tmp_path / "really_a_pdf.png"
    pdf_named_png.write_bytes(text_pdf("I am a PDF"))
    assert load_document(pdf_named_png).kind == "pdf"
    png_named_pdf = tmp_path / "really_a_png.pdf"
    png_named_pdf.write_bytes(png_bytes(text_image("I am a PNG"), dpi=200))
    document = load_document(png_named_pdf)
    assert document.kind == "png" and "PNG" in document.text
    assert sniff_kind(b"junk\n%PDF-1.4\n") == "pdf"


def test_document_id_is_the_content_hash() -> None:
    data = text_pdf("same bytes")
    assert load_document(data, name="a.pdf").id == load_document(data, name="b.pdf").id
    assert load_document(data).id != load_document(text_pdf("other bytes")).id


# -------------------------------------------------------------------------------------------- bad input


def test_empty_file() -> None:
    with pytest.raises(EmptyDocumentError, match="empty"):
        load_document(b"", name="empty.pdf")


def test_bytes_that_are_no_pdf_or_image() -> None:
    with pytest.raises(UnsupportedFormatError, match="notes.pdf: not a PDF, PNG, JPEG or TIFF"):
        load_document(b"Just some text, named like a PDF", name="notes.pdf")


def test_missing_file_is_a_document_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        load_document(tmp_path / "missing.pdf")


def test_truncated_and_corrupt_pdfs(datasets: Path, sample_docs: Path) -> None:
    data = (datasets / "invoice2data" / "QualityHosting.pdf").read_bytes()
    with pytest.raises(CorruptDocumentError, match="truncated"):
        load_document(data[: len(data) // 5], name="cut.pdf")
    # Cut after the first page's content: MuPDF would show that page, but the file is still incomplete.
    sample = (sample_docs / "invoice_en.pdf").read_bytes()
    with pytest.raises(CorruptDocumentError, match="truncated"):
        load_document(sample[:3000], name="cut-late.pdf")
    with pytest.raises(CorruptDocumentError):
        load_document(b"%PDF-1.7\n" + bytes(range(256)) * 20, name="noise.pdf")


def test_corrupt_image() -> None:
    data = png_bytes(text_image("x"))
    with pytest.raises(CorruptDocumentError):
        load_document(data[: len(data) // 2], name="half.png")


def test_encrypted_pdf_needs_its_password() -> None:
    data = text_pdf("Confidential 42", password="s3cret")
    with pytest.raises(EncryptedDocumentError, match="encrypted") as err:
        load_document(data, name="locked.pdf")
    assert "--password" in str(err.value) and "password box" in str(err.value)
    with pytest.raises(EncryptedDocumentError, match="wrong password"):
        load_document(data, password="guess")
    document = load_document(data, password="s3cret")
    assert document.text == "Confidential 42"
    assert Image.open(io.BytesIO(render_page(document, 1, dpi=36))).size == (298, 421)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in a few bytes (what a decompression bomb looks like to a reader)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
        + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    )  # fmt: skip


def test_decompression_bomb_image() -> None:
    with pytest.raises(ImageTooLargeError, match="bomb.png"):
        load_document(_png_header(200_000, 200_000), name="bomb.png")
    small_limit = get_settings().model_copy(update={"max_image_pixels": 10_000})
    with pytest.raises(ImageTooLargeError, match="more than the limit of 10,000"):
        load_document(png_bytes(text_image("x")), name="big.png", settings=small_limit)


def test_more_pages_than_the_limit_is_refused_before_reading() -> None:
    settings: Settings = get_settings().model_copy(update={"max_pages": 2})
    with pytest.raises(TooManyPagesError, match="3 pages is more than the limit of 2") as err:
        load_document(text_pdf("a", "b", "c"), settings=settings)
    assert (err.value.pages, err.value.limit) == (3, 2)
    frames = [Image.new("L", (50, 50), 255)] * 3
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(TooManyPagesError):
        load_document(out.getvalue(), settings=settings)


def test_a_page_tesseract_fails_on_names_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))  # Tesseract finds no language data: it fails for real
    with pytest.raises(OCRError) as err:
        load_document(mixed_pdf("Page one is digital", "Page two is scanned"))
    assert err.value.page == 2
    assert str(err.value).startswith("page 2: Tesseract failed")


# -------------------------------------------------------------------------------------------- rendering


def test_render_page_and_highlight() -> None:
    document = load_document(text_pdf("Highlight me please", "Page two"))
    png = render_page(document, 1, dpi=72)
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size == (595, 842)
    assert page_image(document, 2, dpi=36).size == (298, 421)
    word = document.pages[0].words[0]
    marked = Image.open(io.BytesIO(highlight(document, 1, [word.bbox], dpi=72, color=(255, 0, 0)))).convert("RGB")
    plain = Image.open(io.BytesIO(png)).convert("RGB")
    x0, y0, x1, y1 = (round(v) for v in word.bbox)
    assert marked.getpixel((x0, y0)) != plain.getpixel((x0, y0))  # the box outline is drawn
    assert marked.getpixel((x1 + 40, y1 + 40)) == plain.getpixel((x1 + 40, y1 + 40))  # elsewhere unchanged
    with pytest.raises(NotFoundError):
        render_page(document, 3)


def test_a_zoomed_highlight_keeps_the_box_on_its_word() -> None:
    document = load_document(text_pdf("Highlight me please", "Page two"))
    page = document.pages[0]
    word = page.words[0]
    window = zoom_window((page.width, page.height), [word.bbox], 3.0)
    assert window[0] <= word.bbox[0] and word.bbox[2] <= window[2] and window[1] <= word.bbox[1]
    zoomed = Image.open(io.BytesIO(highlight(document, 1, [word.bbox], dpi=216, window=window))).convert("RGB")
    assert zoomed.size == (round(page.width), round(page.height))  # a third of the page at three times the dpi
    scale = 216 / 72
    corner = (round((word.bbox[0] - window[0]) * scale), round((word.bbox[1] - window[1]) * scale))
    assert zoomed.getpixel(corner) != (255, 255, 255)  # the outline is at the word's corner in the zoomed view
    with pytest.raises(NotFoundError):
        highlight(document, 5, [])
