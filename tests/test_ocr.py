"""Tesseract OCR: languages, recall on a rendered digital page, text modes, processes, failures."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from rapidfuzz import fuzz

from core.documents import ocr
from core.documents.ocr import installed_languages, ocr_image, ocr_images
from core.documents.spec import LATIN_LANGUAGES, tesseract_languages
from core.errors import OCRError
from tests.test_documents import text_image


def test_installed_languages_cover_both_charsets() -> None:
    langs = installed_languages()
    assert {"eng", "deu", "jpn"} <= langs
    assert "osd" not in langs
    assert tesseract_languages("latin", langs) == (
        "Latin" if "Latin" in langs else "+".join(code for code in LATIN_LANGUAGES if code in langs)
    )
    assert tesseract_languages("japanese", langs) in {"Japanese", "jpn+eng"}


def test_language_choice_falls_back_without_script_models() -> None:
    assert tesseract_languages("latin", {"eng", "deu", "fra"}) == "eng+deu+fra"
    assert tesseract_languages("japanese", {"jpn"}) == "jpn"
    assert tesseract_languages("latin", set()) == "eng"


def test_ocr_of_a_rendered_digital_page_finds_most_text_layer_words(datasets: Path) -> None:
    page = pymupdf.open(datasets / "invoice2data" / "AzureInterior.pdf")[0]
    truth = [w[4] for w in page.get_text("words")]
    pix = page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    result = ocr_image(image, lang=tesseract_languages("latin", installed_languages()))
    read = [w.text for w in result.words]
    found = sum(1 for word in truth if any(fuzz.ratio(word, got) >= 80 for got in read))
    assert found / len(truth) >= 0.8, f"{found}/{len(truth)}"
    assert (result.width, result.height) == image.size
    assert all(0 <= w.confidence <= 1 and w.width > 0 and w.height > 0 for w in result.words)
    # Words of one Tesseract line share its key and sit side by side, left to right.
    lines: dict[tuple[int, int, int], list[ocr.OcrWord]] = {}
    for word in result.words:
        lines.setdefault(word.line_key, []).append(word)
    assert len(lines) > 10
    for words in lines.values():
        assert [w.left for w in words] == sorted(w.left for w in words)


@pytest.fixture(scope="module")
def mixed_confidence_image() -> Image.Image:
    """Clear print above, and below it a faint, jittered scrawl Tesseract can barely read."""
    import numpy as np

    page = text_image("Clear printed words\nTOTAL 42.00 EUR", dpi=200, size=(300, 160))
    rng = np.random.default_rng(7)
    pixels = np.asarray(page).copy()
    for _ in range(40):  # pen strokes: short jittered dark polylines
        x, y = rng.integers(40, pixels.shape[1] - 80), rng.integers(300, pixels.shape[0] - 40)
        for _step in range(30):
            x, y = x + rng.integers(-2, 5), y + rng.integers(-3, 4)
            pixels[max(0, y) : y + 3, max(0, x) : x + 3] = 60
    return Image.fromarray(pixels)


def test_text_modes_keep_what_they_say(mixed_confidence_image: Image.Image) -> None:
    lang = "eng"
    printed = ocr_image(mixed_confidence_image, lang=lang, text="printed").words
    both = ocr_image(mixed_confidence_image, lang=lang, text="both").words
    handwritten = ocr_image(mixed_confidence_image, lang=lang, text="handwritten").words
    assert {"Clear", "printed", "TOTAL"} <= {w.text for w in printed}
    assert all(w.confidence >= ocr.PRINTED_MIN_CONFIDENCE for w in printed)
    assert len(both) >= len(printed)
    assert {w.text for w in printed} <= {w.text for w in both}
    # Confidently read print is not "handwriting": the handwritten mode drops it.
    assert all(w.confidence < ocr.HANDWRITTEN_MAX_CONFIDENCE for w in handwritten)
    assert "printed" not in {w.text for w in handwritten}


def test_ocr_images_over_two_processes_keeps_order_and_reports_progress() -> None:
    images = [text_image("First ALPHA"), text_image("Second BRAVO"), text_image("Third CHARLIE")]
    calls: list[tuple[int, int]] = []
    pages = ocr_images(images, lang="eng", workers=2, progress=lambda d, t: calls.append((d, t)))
    assert [p.words[-1].text for p in pages] == ["ALPHA", "BRAVO", "CHARLIE"]
    assert calls == [(1, 3), (2, 3), (3, 3)]
    single = ocr_images(images[:1], lang="eng", workers=2)
    assert [w.text for w in single[0].words] == ["First", "ALPHA"]


def test_failure_in_a_worker_names_its_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    images = [text_image("One"), text_image("Two")]
    with pytest.raises(OCRError) as err:
        ocr_images(images, lang="nosuchlanguage", workers=2, pages=[4, 5])
    assert err.value.page == 4
    assert "Tesseract failed" in str(err.value)


def test_blank_page_reads_as_no_words_without_tesseract() -> None:
    assert ocr_image(Image.new("L", (400, 300), 255), lang="nosuchlanguage").words == []


def test_missing_tesseract_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr._tesseract_cmd.cache_clear()
    try:
        with pytest.raises(OCRError, match="not installed") as err:
            ocr_image(text_image("x"), lang="eng")
        assert err.value.hint and "apt-get install" in err.value.hint
    finally:
        monkeypatch.undo()
        ocr._tesseract_cmd.cache_clear()


def test_japanese_charset_reads_japanese() -> None:
    from core.documents import DocumentSpec, load_document

    pdf = pymupdf.open()
    page = pdf.new_page(width=420, height=260)
    lines = [
        "請求書 No. 2024-0153",
        "株式会社サンプル商事 御中",
        "発行日: 2024年3月15日",
        "合計金額 302,500円",
    ]
    for i, line in enumerate(lines):
        page.insert_text((30, 40 + 40 * i), line, fontname="japan", fontsize=14)  # PyMuPDF's built-in CJK font
    scanned = pymupdf.open()
    scanned.new_page(width=420, height=260).insert_image(pymupdf.Rect(0, 0, 420, 260), pixmap=page.get_pixmap(dpi=300))
    document = load_document(scanned.tobytes(), spec=DocumentSpec(charset="japanese"))
    assert document.pages[0].source == "ocr"
    text = "".join(document.text.split())
    assert "株式会社サンプル商事" in text and "発行日" in text and "302,500円" in text
