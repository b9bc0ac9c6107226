"""Document structure and totals semantics on a synthesised receipt: the letterhead's name and address, and the
total that is neither the cash tendered nor a tax summary row."""

from __future__ import annotations

import pymupdf
import pytest

from core.documents import load_document
from core.extraction.local import LocalEngine
from core.extraction.local.blocks import line_kind, read_letterhead
from core.extraction.local.layout import build_layout
from core.schema import Field, Workflow

LINES = [
    ("KEDAI MAJU JAYA SDN BHD (123456-X)", 0),
    ("NO 12, JALAN BUNGA RAYA 3,", 0),
    ("TAMAN MELATI,", 0),
    ("53100 KUALA LUMPUR", 0),
    ("TEL: 03-4021 0276", 0),
    ("GST ID: 000750673920", 0),
    ("TAX INVOICE", 0),
    ("DATE: 05/04/2018 14:26", 0),
    ("RICE 5KG", 20.00),
    ("COOKING OIL", 6.60),
    ("SUB TOTAL EXCL GST", 25.10),
    ("GST 6%", 1.51),
    ("ROUNDING ADJ", -0.01),
    ("TOTAL INCL GST", 26.60),
    ("CASH", 50.00),
    ("CHANGE", 23.40),
    ("GST SUMMARY", 0),
    ("CODE % NET AMT GST TOTAL", 0),
    ("TOTAL 25.10 1.51", 26.61),
]


def _receipt() -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page(width=300, height=700)
    for k, (text, amount) in enumerate(LINES):
        y = 40 + 18 * k
        page.insert_text((20, y), text, fontsize=9)
        if amount:
            page.insert_text((230, y), f"{amount:.2f}", fontsize=9)
    return pdf.tobytes()


WORKFLOW = Workflow(
    name="Receipts",
    fields=[
        Field(name="company", description="Name of the shop that issued the receipt. Name only."),
        Field(name="address", description="Full postal address of the shop, its lines joined with spaces."),
        Field(name="total", type="number", description="The total amount paid including tax (TOTAL)."),
    ],
)


def test_letterhead_lines_are_told_apart() -> None:
    letterhead = read_letterhead(build_layout(load_document(_receipt(), name="r.pdf")))
    assert letterhead is not None
    assert [line.kind for line in letterhead.lines][:6] == [
        "name", "address", "address", "address", "contact", "registration",
    ]  # fmt: skip
    assert line_kind("TAX INVOICE") == "title"


def test_a_receipt_s_issuer_address_and_total() -> None:
    result = LocalEngine().extract(load_document(_receipt(), name="r.pdf"), WORKFLOW)
    values = result.values()
    assert values["company"] == "KEDAI MAJU JAYA SDN BHD"  # without its registration number
    assert values["address"] == "NO 12, JALAN BUNGA RAYA 3, TAMAN MELATI, 53100 KUALA LUMPUR"
    assert values["total"] == 26.60  # not the cash, the change, the subtotal or the tax summary's total
    # Read from the structure, not next to a label: the confidence says so.
    address, total = result.extractions["address"].confidence, result.extractions["total"].confidence
    assert address is not None and total is not None and address < total - 0.1


def _receipt_of(lines: list[tuple[str, str]]) -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page(width=300, height=500)
    page.insert_text((20, 40), "KEDAI MAJU JAYA SDN BHD", fontsize=9)
    for k, (text, amount) in enumerate(lines):
        page.insert_text((20, 70 + 18 * k), text, fontsize=9)
        page.insert_text((200, 70 + 18 * k), amount, fontsize=9)
    return pdf.tobytes()


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        # The tax summed ("TOTAL GST") and a count of items ("TOTAL QTY") are not the sale's total.
        ([("TOTAL QTY:", "65.00"), ("TOTAL GST :", "22.89"), ("TOTAL SALES (INCLUSIVE OF GST) :", "404.39")], 404.39),
        # The tax part of the total, printed after it, is not the total either.
        ([("TOTAL INCL. GST@6%", "RM 64.70"), ("CASH", "RM 100.00"), ("GST @6% INCLUDED IN TOTAL", "RM 3.66")], 64.70),
        # A currency mark glued to the amount still makes an amount.
        ([("ITEMS 2", ""), ("NETT TOTAL:", "RM8.50"), ("CASH", "RM10.00")], 8.50),
    ],
)
def test_the_total_is_told_from_tax_counts_and_payments(lines: list[tuple[str, str]], total: float) -> None:
    result = LocalEngine().extract(load_document(_receipt_of(lines), name="r.pdf"), WORKFLOW)
    assert result.values()["total"] == total


def test_a_count_before_the_counted_word_is_not_the_total() -> None:
    lines = [("SUBTOTAL EXCL TAX", "42.00"), ("TOTAL 3 ITEMS:", "45.00"), ("CASH", "50.00")]
    result = LocalEngine().extract(load_document(_receipt_of(lines), name="r.pdf"), WORKFLOW)
    # The 3 sits next to the label but counts items; the amount is far from the label, so nothing is better
    # than a wrong value.
    assert result.values()["total"] in (None, 45.0)


def test_a_name_wrapped_at_its_branch_a_logo_letter_above_it_and_a_branch_after_the_country() -> None:
    pdf = pymupdf.open()
    page = pdf.new_page(width=300, height=500)
    page.insert_text((260, 30), "R", fontsize=14)  # a logo's letter in the corner, far above the block
    lines = [
        "PASAR RAYA MEGA MAJU",
        "(SEMENYIH) SDN BHD",
        "NO 24, JALAN BUNGA RAYA 4,",
        "43500 SEMENYIH, MALAYSIA",
        "TAMAN SRI RAYA OUTLET",  # the branch, after the country that ends the address
        "TEL: 03-87231234",
    ]
    for k, text in enumerate(lines):
        page.insert_text((40, 120 + 14 * k), text, fontsize=9)
    page.insert_text((40, 220), "TOTAL", fontsize=9)
    page.insert_text((200, 220), "12.00", fontsize=9)
    values = LocalEngine().extract(load_document(pdf.tobytes(), name="r.pdf"), WORKFLOW).values()
    assert values["company"] == "PASAR RAYA MEGA MAJU (SEMENYIH) SDN BHD"
    assert values["address"] == "NO 24, JALAN BUNGA RAYA 4, 43500 SEMENYIH, MALAYSIA"
