"""Synthesised training documents: invoices of two layouts drawn with PyMuPDF, as a dataset folder.

Layout ``north`` prints its number right of "Invoice No:" at the top right and the total right of "Amount
due" at the bottom; layout ``south`` prints its number under "Reference" on the left and the total at the
top right under "Balance". Values differ per document (seeded), so a model must learn where they sit.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pymupdf

from core.documents import Document, load_document
from core.schema import Field, Workflow
from core.training import TrainingExample

__all__ = ["FIELDS", "WORKFLOW", "make_document", "make_dataset", "make_examples"]

FIELDS = [
    Field(name="invoice_number", type="string", description="The invoice number printed in the header."),
    Field(name="issue_date", type="date", description="The date the invoice was issued."),
    Field(name="total", type="number", description="The total amount to pay."),
    Field(name="paid", type="boolean", description="Whether the invoice is marked as paid."),
    Field(name="order_ref", type="string", description="The buyer's order reference, when printed."),
]
WORKFLOW = Workflow(name="Synthetic invoices", fields=FIELDS)
_SELLERS = {"north": "NORTHWIND SUPPLY LTD", "south": "Southern Parts GmbH"}


def _values(rng: random.Random, index: int, layout: str) -> dict[str, Any]:
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(300))
    values: dict[str, Any] = {
        "invoice_number": f"{layout[0].upper()}{rng.randrange(10000, 99999)}-{index}",
        "issue_date": day.isoformat(),
        "total": round(rng.uniform(50, 5000), 2),
    }
    if index == 0:  # one document per layout prints an order reference: too little to learn from
        values["order_ref"] = f"PO-{rng.randrange(1000, 9999)}"
    return values


def _draw(page: Any, layout: str, v: dict[str, Any], rng: random.Random) -> None:
    day = date.fromisoformat(v["issue_date"])
    other = round(v["total"] / rng.uniform(3, 9), 2)
    if layout == "north":
        page.insert_text((50, 60), _SELLERS[layout], fontsize=14)
        page.insert_text((50, 80), "12 Harbour Road, Leeds", fontsize=9)
        page.insert_text((360, 60), "Invoice No:", fontsize=10)
        page.insert_text((440, 60), v["invoice_number"], fontsize=10)
        page.insert_text((360, 76), "Date:", fontsize=10)
        page.insert_text((440, 76), day.strftime("%d.%m.%Y"), fontsize=10)
        page.insert_text((50, 200), "Item", fontsize=10)
        page.insert_text((420, 200), "Price", fontsize=10)
        page.insert_text((50, 220), "Widgets", fontsize=10)
        page.insert_text((420, 220), f"{other:.2f}", fontsize=10)
        if "order_ref" in v:
            page.insert_text((50, 120), f"Your order {v['order_ref']}", fontsize=9)
        page.insert_text((340, 700), "Amount due", fontsize=11)
        page.insert_text((440, 700), f"{v['total']:.2f} EUR", fontsize=11)
    else:
        page.insert_text((330, 50), _SELLERS[layout], fontsize=12)
        page.insert_text((360, 110), "Balance", fontsize=10)
        page.insert_text((360, 126), f"EUR {v['total']:.2f}", fontsize=10)
        page.insert_text((50, 250), "Reference", fontsize=10)
        page.insert_text((50, 266), v["invoice_number"], fontsize=10)
        page.insert_text((50, 320), "Service", fontsize=10)
        page.insert_text((300, 320), f"{other:.2f}", fontsize=10)
        if "order_ref" in v:
            page.insert_text((50, 200), f"Order {v['order_ref']}", fontsize=9)
        page.insert_text((50, 760), f"Issued {day.strftime('%d/%m/%Y')} in Munich", fontsize=9)


def make_document(path: Path, layout: str, values: dict[str, Any], seed: int = 0) -> Path:
    """Draw one invoice of ``layout`` with ``values`` into ``path`` (a PDF with a text layer)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    _draw(page, layout, values, random.Random(seed))
    doc.save(path)
    doc.close()
    return path


def make_dataset(folder: Path, per_layout: int = 6, layouts: tuple[str, ...] = ("north", "south")) -> Path:
    """A dataset folder: ``schema.json`` and ``<layout>_<i>.pdf`` with ``.json`` expected values."""
    folder.mkdir(parents=True, exist_ok=True)
    schema = {"name": WORKFLOW.name, "fields": [f.model_dump(exclude_defaults=True) for f in FIELDS]}
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    for layout in layouts:
        rng = random.Random(layout)
        for i in range(per_layout):
            values = _values(rng, i, layout)
            make_document(folder / f"{layout}_{i}.pdf", layout, values, seed=i)
            expected = {name: {"value": value} for name, value in values.items()}
            expected["paid"] = {"value": False}
            (folder / f"{layout}_{i}.json").write_text(json.dumps(expected), encoding="utf-8")
    return folder


def make_examples(folder: Path, per_layout: int = 6) -> list[TrainingExample]:
    """Training examples of a synthesised dataset, with their layout as the template."""
    make_dataset(folder, per_layout)
    out = []
    for path in sorted(folder.glob("*.pdf")):
        document: Document = load_document(path)
        expected = {k: v["value"] for k, v in json.loads(path.with_suffix(".json").read_text()).items()}
        out.append(TrainingExample(document=document, expected=expected, template=path.stem.split("_")[0]))
    return out
