"""Synthesised invoices for training-data tests: one small layout, values placed where the test says."""

from __future__ import annotations

import pymupdf

from core.schema import Field, Workflow

__all__ = ["invoice_workflow", "invoice_pdf", "ITEMS"]

ITEMS = [("Blue pens", 2, 1.5, 3.0), ("Paper A4", 5, 4.2, 21.0)]


def invoice_workflow(name: str = "Invoices") -> Workflow:
    """Invoice number, date, total, seller and line items."""
    return Workflow(
        name=name,
        fields=[
            Field(name="invoice_number", description="The invoice number, labelled 'Invoice no.'"),
            Field(name="invoice_date", type="date", description="The date the invoice was issued."),
            Field(name="total", type="number", description="The grand total, labelled 'Total'."),
            Field(name="seller", description="The company that issued the invoice (letterhead)."),
            Field(
                name="line_items",
                type="array",
                items=Field(
                    name="item",
                    type="object",
                    properties=[
                        Field(name="description"),
                        Field(name="quantity", type="number"),
                        Field(name="unit_price", type="number"),
                        Field(name="amount", type="number"),
                    ],
                ),
            ),
        ],
    )


def invoice_pdf(
    number: str = "INV-1001",
    date: str = "03.01.2024",
    total: str = "24.00",
    seller: str = "Acme Supplies Ltd",
    items: list[tuple[str, int, float, float]] | None = None,
) -> bytes:
    """A one-page digital invoice: letterhead, number and date, an item table, the total."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.insert_text((50, 60), seller, fontsize=16)
    page.insert_text((50, 120), f"Invoice no. {number}", fontsize=11)
    page.insert_text((50, 140), f"Date {date}", fontsize=11)
    page.insert_text((50, 200), "Description", fontsize=10)
    page.insert_text((300, 200), "Qty", fontsize=10)
    page.insert_text((380, 200), "Price", fontsize=10)
    page.insert_text((480, 200), "Amount", fontsize=10)
    y = 220
    for description, quantity, price, amount in ITEMS if items is None else items:
        page.insert_text((50, y), description, fontsize=10)
        page.insert_text((300, y), str(quantity), fontsize=10)
        page.insert_text((380, y), f"{price:.2f}", fontsize=10)
        page.insert_text((480, y), f"{amount:.2f}", fontsize=10)
        y += 18
    page.insert_text((380, y + 30), f"Total {total}", fontsize=11)
    return pdf.tobytes()
