"""Cropping: documents found on photographed and scanned pages, background removed, one page per document."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.documents import DocumentSpec, load_document, render_page
from core.documents.cropping import crop_documents, find_documents
from tests.test_documents import text_image


def background(width: int, height: int, seed: int = 1) -> Image.Image:
    """A dark, textured surface (wood-like grain plus noise), as under a photographed document."""
    rng = np.random.default_rng(seed)
    x = np.arange(width)[None, :]
    y = np.arange(height)[:, None]
    grain = 70 + 25 * np.sin(x / 9.0 + 3 * np.sin(y / 40.0)) + rng.normal(0, 12, (height, width))
    return Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8))


def paste(page: Image.Image, document: Image.Image, at: tuple[int, int]) -> tuple[int, int, int, int]:
    page.paste(document, at)
    return (at[0], at[1], at[0] + document.width, at[1] + document.height)


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def receipt(title: str) -> Image.Image:
    return text_image(f"{title}\nMilk 1.20\nBread 2.50\nTOTAL 3.70", dpi=200, size=(200, 260), fontsize=16)


def test_document_on_a_textured_background_is_cropped_to_the_paper() -> None:
    page = background(1600, 1200)
    paper = text_image("Invoice 2024-001\nTotal due 1,234.00", dpi=200, size=(420, 320))
    truth = paste(page, paper, (310, 150))
    regions = find_documents(page)
    assert len(regions) == 1
    assert iou(regions[0].box, truth) > 0.95


def test_two_receipts_side_by_side_become_two_documents_left_to_right() -> None:
    page = background(1700, 1000, seed=2)
    left = paste(page, receipt("LEFT SHOP"), (120, 120))
    right = paste(page, receipt("RIGHT MARKET"), (900, 90))
    found = crop_documents(page)
    assert len(found) == 2
    assert iou(found[0][0].box, left) > 0.95 and iou(found[1][0].box, right) > 0.95
    assert found[0][1].size == (found[0][0].width, found[0][0].height)


def test_four_documents_are_ordered_top_to_bottom_then_left_to_right() -> None:
    page = background(1600, 1600, seed=3)
    boxes = [
        paste(page, receipt("A"), (800, 830)),  # bottom right
        paste(page, receipt("B"), (100, 100)),  # top left
        paste(page, receipt("C"), (850, 60)),  # top right, a little higher than B
        paste(page, receipt("D"), (150, 900)),  # bottom left
    ]
    found = [r.box for r in find_documents(page)]
    expected = [boxes[1], boxes[2], boxes[3], boxes[0]]
    assert len(found) == 4
    assert all(iou(f, e) > 0.95 for f, e in zip(found, expected, strict=True))


def test_an_ordinary_scan_is_left_whole() -> None:
    scan = text_image("A plain scanned page\nwith several lines\nof text on white", dpi=150, size=(595, 842))
    assert [r.box for r in find_documents(scan)] == [(0, 0, scan.width, scan.height)]
    assert crop_documents(scan)[0][1] is scan


def test_load_document_with_cropping_gives_one_page_per_receipt() -> None:
    page = background(1700, 1000, seed=4)
    paste(page, receipt("LEFT SHOP"), (120, 120))
    paste(page, receipt("RIGHT MARKET"), (900, 90))
    out = io.BytesIO()
    page.convert("RGB").save(out, format="JPEG", quality=92, dpi=(200, 200))
    document = load_document(out.getvalue(), name="two_receipts.jpg", spec=DocumentSpec(cropping=True))
    assert [p.number for p in document.pages] == [1, 2]
    assert [p.source_page for p in document.pages] == [0, 0]
    assert "LEFT" in document.pages[0].text and "RIGHT" not in document.pages[0].text
    assert "RIGHT" in document.pages[1].text and "TOTAL" in document.pages[1].text
    for number, doc_page in enumerate(document.pages, start=1):
        assert doc_page.crop is not None
        assert doc_page.width == pytest.approx(doc_page.crop[2] - doc_page.crop[0], abs=1)
        assert doc_page.width == pytest.approx(200, abs=3)  # the receipt, not the table it lay on
        rendered = Image.open(io.BytesIO(render_page(document, number, dpi=72)))
        assert rendered.size == pytest.approx((doc_page.width, doc_page.height), abs=2)


def _askew_page(angle: float, text: str = "") -> tuple[Image.Image, Image.Image]:
    """A paper with a thick black bar (or text) near its top, turned by ``angle`` degrees on a dark table."""
    if text:
        paper = text_image(text, dpi=200, size=(260, 200), fontsize=18)
    else:
        paper = Image.new("L", (500, 650), 255)
        paper.paste(0, (60, 80, 440, 110))
    turned = paper.rotate(angle, expand=True, fillcolor=0, resample=Image.Resampling.BICUBIC)
    mask = Image.new("L", paper.size, 255).rotate(angle, expand=True, fillcolor=0)
    page = background(1400, 1200, seed=5)
    page.paste(turned, (300, 200), mask)
    return page, paper


@pytest.mark.parametrize("angle", [8, -8, 15])
def test_a_document_lying_askew_is_turned_upright(angle: float) -> None:
    page, paper = _askew_page(angle)
    [(region, upright)] = crop_documents(page)
    assert region.angle == -angle
    assert upright.size == pytest.approx(paper.size, abs=8)
    dark = np.argwhere(np.asarray(upright) < 100)
    # The bar is horizontal again: its rows are the same at its left and its right end.
    left = dark[dark[:, 1] < upright.width * 0.3][:, 0]
    right = dark[dark[:, 1] > upright.width * 0.7][:, 0]
    assert abs(float(np.median(left)) - float(np.median(right))) < 4
    assert dark[:, 0].max() - dark[:, 0].min() < 60  # one band, no dark table corners left


def test_askew_document_reads_and_renders_upright() -> None:
    page, _ = _askew_page(10, "TILTED RECEIPT\nTOTAL 9.99")
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(200, 200))
    document = load_document(out.getvalue(), spec=DocumentSpec(cropping=True))
    [doc_page] = document.pages
    assert doc_page.rotation == -10 and doc_page.crop is not None
    assert "TILTED" in doc_page.text and "9.99" in doc_page.text
    rendered = Image.open(io.BytesIO(render_page(document, 1, dpi=72)))
    assert rendered.size == pytest.approx((doc_page.width, doc_page.height), abs=2)
