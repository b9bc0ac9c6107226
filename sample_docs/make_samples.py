"""Rebuild the demo documents in sample_docs/: NAME.pdf/.jpg plus NAME.json with the expected values.

Run: ``.venv/bin/python sample_docs/make_samples.py``. Deterministic (fixed random seed), so the files only
change when this script does. The companies and people are fictional.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pymupdf as fitz
from PIL import Image, ImageFilter

OUT = Path(__file__).resolve().parent
A4 = (595.0, 842.0)


@dataclass
class Item:
    description: str
    quantity: float
    unit_price: float

    @property
    def total(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass
class Invoice:
    stem: str
    lang: str  # "en" or "de"
    seller: str
    seller_lines: list[str]
    vat_id: str
    buyer: str
    buyer_lines: list[str]
    number: str
    date: str  # ISO
    due: str | None
    currency: str
    tax_rate: float
    items: list[Item]
    items_per_page: int = 99
    notes: list[str] = field(default_factory=list)

    @property
    def net(self) -> float:
        return round(sum(i.total for i in self.items), 2)

    @property
    def tax(self) -> float:
        return round(self.net * self.tax_rate, 2)

    @property
    def gross(self) -> float:
        return round(self.net + self.tax, 2)


def money(value: float, lang: str) -> str:
    text = f"{value:,.2f}"
    if lang == "de":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def show_date(iso: str, lang: str) -> str:
    y, m, d = iso.split("-")
    if lang == "de":
        return f"{d}.{m}.{y}"
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return f"{months[int(m) - 1]} {int(d)}, {y}"


LABELS = {
    "en": {
        "title": "INVOICE",
        "number": "Invoice No.:",
        "date": "Invoice Date:",
        "due": "Due Date:",
        "bill_to": "Bill to:",
        "desc": "Description",
        "qty": "Qty",
        "price": "Unit Price",
        "amount": "Amount",
        "net": "Subtotal",
        "tax": "VAT",
        "total": "Total Due",
        "vat_id": "VAT ID:",
        "page": "Page",
        "cont": "continued on next page",
    },
    "de": {
        "title": "RECHNUNG",
        "number": "Rechnungsnummer:",
        "date": "Rechnungsdatum:",
        "due": "Fällig am:",
        "bill_to": "Rechnungsempfänger:",
        "desc": "Bezeichnung",
        "qty": "Menge",
        "price": "Einzelpreis",
        "amount": "Betrag",
        "net": "Nettobetrag",
        "tax": "MwSt.",
        "total": "Gesamtbetrag",
        "vat_id": "USt-IdNr.:",
        "page": "Seite",
        "cont": "Fortsetzung auf der nächsten Seite",
    },
}


def write_invoice(inv: Invoice) -> bytes:
    """Lay out an invoice as a digital PDF with a text layer; long item lists continue on further pages."""
    lab = LABELS[inv.lang]
    sym = {"USD": "$"}.get(inv.currency, inv.currency)  # base-14 fonts have no € glyph
    doc = fitz.open()
    chunks = [inv.items[i : i + inv.items_per_page] for i in range(0, len(inv.items), inv.items_per_page)]
    cols = (50.0, 330.0, 400.0, 480.0)  # description, qty, unit price, amount (right edges for numbers)
    for page_no, chunk in enumerate(chunks, start=1):
        page = doc.new_page(width=A4[0], height=A4[1])
        y = 60.0
        if page_no == 1:
            page.insert_text((50, y), inv.seller, fontname="hebo", fontsize=16)
            for line in inv.seller_lines:
                y += 14
                page.insert_text((50, y), line, fontname="helv", fontsize=9)
            page.insert_text((400, 60), lab["title"], fontname="hebo", fontsize=20)
            meta = [(lab["number"], inv.number), (lab["date"], show_date(inv.date, inv.lang))]
            if inv.due:
                meta.append((lab["due"], show_date(inv.due, inv.lang)))
            my = 90.0
            for label, value in meta:
                page.insert_text((360, my), label, fontname="helv", fontsize=10)
                page.insert_text((460, my), value, fontname="hebo", fontsize=10)
                my += 15
            y = 160.0
            page.insert_text((50, y), lab["bill_to"], fontname="helv", fontsize=9, color=(0.4, 0.4, 0.4))
            y += 15
            page.insert_text((50, y), inv.buyer, fontname="hebo", fontsize=11)
            for line in inv.buyer_lines:
                y += 14
                page.insert_text((50, y), line, fontname="helv", fontsize=10)
            y += 40
        else:
            page.insert_text((50, y), f"{inv.seller} · {lab['number']} {inv.number}", fontname="helv", fontsize=9)
            y += 40
        # table header
        page.draw_line((45, y - 13), (550, y - 13), color=(0, 0, 0), width=0.8)
        page.insert_text((cols[0], y), lab["desc"], fontname="hebo", fontsize=10)
        for x, text in zip(cols[1:3], (lab["qty"], lab["price"]), strict=True):
            page.insert_text((x, y), text, fontname="hebo", fontsize=10)
        page.insert_text((cols[3] + 10, y), lab["amount"], fontname="hebo", fontsize=10)
        page.draw_line((45, y + 5), (550, y + 5), color=(0, 0, 0), width=0.5)
        y += 20
        for item in chunk:
            page.insert_text((cols[0], y), item.description, fontname="helv", fontsize=10)
            qty = f"{item.quantity:g}" if inv.lang == "en" else f"{item.quantity:g}".replace(".", ",")
            page.insert_text((cols[1] + 5, y), qty, fontname="helv", fontsize=10)
            page.insert_text((cols[2], y), money(item.unit_price, inv.lang), fontname="helv", fontsize=10)
            page.insert_text((cols[3] + 10, y), money(item.total, inv.lang), fontname="helv", fontsize=10)
            y += 17
        page.draw_line((45, y - 8), (550, y - 8), color=(0, 0, 0), width=0.5)
        last = page_no == len(chunks)
        if last:
            y += 12
            rows = [
                (lab["net"], money(inv.net, inv.lang)),
                (f"{lab['tax']} {inv.tax_rate * 100:g} %", money(inv.tax, inv.lang)),
                (
                    lab["total"],
                    f"{money(inv.gross, inv.lang)} {sym}" if inv.lang == "de" else f"{sym}{money(inv.gross, inv.lang)}",
                ),
            ]
            for i, (label, value) in enumerate(rows):
                font = "hebo" if i == len(rows) - 1 else "helv"
                page.insert_text((360, y), label, fontname=font, fontsize=10)
                page.insert_text((cols[3] + 10, y), value, fontname=font, fontsize=10)
                y += 16
            y += 20
            for note in inv.notes:
                page.insert_text((50, y), note, fontname="helv", fontsize=9)
                y += 13
        else:
            page.insert_text((50, y + 10), lab["cont"], fontname="heit", fontsize=9)
        footer = f"{inv.seller} · {lab['vat_id']} {inv.vat_id} · {lab['page']} {page_no}/{len(chunks)}"
        page.insert_text((50, 810), footer, fontname="helv", fontsize=8, color=(0.3, 0.3, 0.3))
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def expected_invoice(inv: Invoice) -> dict[str, dict[str, object]]:
    values: dict[str, object] = {
        "invoice_number": inv.number,
        "invoice_date": inv.date,
        "seller_name": inv.seller,
        "buyer_name": inv.buyer,
        "currency": inv.currency,
        "net_amount": inv.net,
        "tax_amount": inv.tax,
        "total_amount": inv.gross,
        "line_items": [
            {"description": i.description, "quantity": i.quantity, "unit_price": i.unit_price, "line_total": i.total}
            for i in inv.items
        ],
    }
    if inv.due:
        values["due_date"] = inv.due
    return {k: {"value": v} for k, v in values.items()}


def write_receipt_pdf() -> tuple[bytes, dict[str, dict[str, object]]]:
    """A till receipt (narrow page) as a PDF, to be rendered into the image samples."""
    items = [("Flat White", 2, 3.40), ("Croissant", 1, 2.10), ("Sparkling Water 0.5l", 1, 1.90)]
    net_total = round(sum(q * p for _, q, p in items), 2)
    doc = fitz.open()
    page = doc.new_page(width=226, height=420)
    y = 34.0

    def center(text: str, size: float = 9, font: str = "cour") -> None:
        nonlocal y
        width = fitz.get_text_length(text, fontname=font, fontsize=size)
        page.insert_text(((226 - width) / 2, y), text, fontname=font, fontsize=size)
        y += size + 5

    center("CORNER BEAN CAFE", 13, "cobo")
    center("12 Harbour Street")
    center("Bristol BS1 4QA")
    center("VAT No. GB 123 4567 89")
    y += 8
    page.insert_text((14, y), "Receipt: R-20417", fontname="cour", fontsize=9)
    page.insert_text((130, y), "14/09/2024 08:42", fontname="cour", fontsize=9)
    y += 22
    for name, qty, price in items:
        page.insert_text((14, y), f"{qty} x {name}"[:24], fontname="cour", fontsize=9)
        amount = f"{qty * price:.2f}"
        page.insert_text(
            (212 - fitz.get_text_length(amount, fontname="cour", fontsize=9), y), amount, fontname="cour", fontsize=9
        )
        y += 14
    y += 6
    page.draw_line((14, y - 6), (212, y - 6), color=(0, 0, 0), width=0.6, dashes="[2] 0")
    y += 12
    total_text = f"GBP {net_total:.2f}"
    page.insert_text((14, y + 4), "TOTAL", fontname="cobo", fontsize=11)
    page.insert_text(
        (212 - fitz.get_text_length(total_text, fontname="cobo", fontsize=11), y + 4),
        total_text,
        fontname="cobo",
        fontsize=11,
    )
    y += 26
    page.insert_text((14, y), "Paid by card", fontname="cour", fontsize=9)
    y += 30
    center("Thank you - see you soon!")
    data = doc.tobytes()
    doc.close()
    expected: dict[str, dict[str, object]] = {
        "invoice_number": {"value": "R-20417"},
        "invoice_date": {"value": "2024-09-14"},
        "seller_name": {"value": "Corner Bean Cafe"},
        "currency": {"value": "GBP"},
        "total_amount": {"value": net_total},
        "line_items": {
            "value": [{"description": n, "quantity": float(q), "line_total": round(q * p, 2)} for n, q, p in items]
        },
    }
    return data, expected


def render(pdf: bytes, dpi: int) -> Image.Image:
    doc = fitz.open(stream=pdf, filetype="pdf")
    pix = doc[0].get_pixmap(dpi=dpi, colorspace=fitz.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    doc.close()
    return image


def scanned(image: Image.Image, rng: random.Random) -> Image.Image:
    """Grey paper, speckle noise, a slight tilt and blur: what a cheap flatbed scan of a receipt looks like."""
    arr = np.asarray(image, dtype=np.float32)
    arr = arr * 0.85 + 25  # grey paper, not quite black ink
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 9, arr.shape)
    arr = np.clip(arr + noise, 0, 255).astype(np.uint8)
    out = Image.fromarray(arr).rotate(1.2, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    return out.filter(ImageFilter.GaussianBlur(0.6))


def photographed(image: Image.Image, rng: random.Random) -> Image.Image:
    """The receipt lying on a dark wooden table, photographed from above: background to crop."""
    gen = np.random.default_rng(rng.randint(0, 2**31))
    width, height = int(image.width * 1.9), int(image.height * 1.45)
    xs = np.linspace(0, 40, width)
    grain = (np.sin(xs[None, :] + gen.normal(0, 0.3, (height, 1))) * 12).astype(np.float32)
    base = np.stack([70 + grain, 45 + grain * 0.8, 28 + grain * 0.5], axis=-1)
    base += gen.normal(0, 6, base.shape)
    table = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    paper = Image.merge("RGB", [image.point(lambda v: min(255, v * 0.97 + 6))] * 3)
    paper = paper.rotate(-3.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", image.size, 255).rotate(-3.0, expand=True, fillcolor=0)
    table.paste(paper, ((width - paper.width) // 2, (height - paper.height) // 2), mask)
    return table.filter(ImageFilter.GaussianBlur(0.8))


def save_jpeg(image: Image.Image, path: Path, dpi: int) -> None:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=82, dpi=(dpi, dpi))
    path.write_bytes(buf.getvalue())


INVOICES = [
    Invoice(
        stem="invoice_en",
        lang="en",
        seller="Northwind Design Ltd",
        seller_lines=["48 Kingsway, London WC2B 6AA", "accounts@northwind-design.example"],
        vat_id="GB 298 7731 42",
        buyer="Harbor Analytics Inc.",
        buyer_lines=["1200 Pine Street, Suite 400", "Seattle, WA 98101"],
        number="NW-2024-0193",
        date="2024-04-08",
        due="2024-05-08",
        currency="USD",
        tax_rate=0.2,
        items=[
            Item("Brand workshop (half day)", 1, 1450.0),
            Item("Logo redesign", 1, 2300.0),
            Item("Icon set, 24 icons", 24, 35.5),
        ],
        notes=["Payment within 30 days to IBAN GB33 BUKB 2020 1555 5555 55.", "Thank you for your business."],
    ),
    Invoice(
        stem="rechnung_de",
        lang="de",
        seller="Bergmann Bürobedarf GmbH",
        seller_lines=["Lindenstraße 17, 50674 Köln", "info@bergmann-buero.example"],
        vat_id="DE 812 345 678",
        buyer="Kanzlei Weber & Partner",
        buyer_lines=["Königsallee 92", "40212 Düsseldorf"],
        number="RE-24-10877",
        date="2024-03-05",
        due="2024-03-19",
        currency="EUR",
        tax_rate=0.19,
        items=[
            Item("Kopierpapier A4, 500 Blatt", 10, 4.79),
            Item("Ordner breit, blau", 25, 2.35),
            Item("Tintenpatrone schwarz XL", 3, 38.9),
        ],
        notes=["Zahlbar innerhalb von 14 Tagen ohne Abzug.", "Vielen Dank für Ihren Auftrag."],
    ),
    Invoice(
        stem="service_invoice_two_pages",
        lang="en",
        seller="Atlas Field Services LLC",
        seller_lines=["900 Industrial Parkway", "Columbus, OH 43215"],
        vat_id="US 47-1234567",
        buyer="Greenleaf Property Management",
        buyer_lines=["55 Market Square", "Pittsburgh, PA 15222"],
        number="AFS-77310",
        date="2024-06-28",
        due=None,
        currency="USD",
        tax_rate=0.0725,
        items=[Item(f"Site visit {d} June: HVAC inspection", 1, 185.0) for d in (3, 5, 7, 10, 12, 14, 17, 19)]
        + [
            Item("Replacement air filters", 12, 18.75),
            Item("Thermostat replacement", 2, 142.0),
            Item("Emergency call-out fee", 1, 250.0),
            Item("Duct cleaning, per unit", 6, 95.0),
        ],
        items_per_page=8,
        notes=["Payment terms: net 30."],
    ),
]


def main() -> None:
    rng = random.Random(20241120)
    for inv in INVOICES:
        (OUT / f"{inv.stem}.pdf").write_bytes(write_invoice(inv))
        (OUT / f"{inv.stem}.json").write_text(json.dumps(expected_invoice(inv), indent=2, ensure_ascii=False) + "\n")
    receipt_pdf, receipt_expected = write_receipt_pdf()
    dpi = 200
    receipt = render(receipt_pdf, dpi)
    save_jpeg(scanned(receipt, rng), OUT / "receipt_scan.jpg", dpi)
    (OUT / "receipt_scan.json").write_text(json.dumps(receipt_expected, indent=2) + "\n")
    save_jpeg(photographed(receipt, rng), OUT / "receipt_photo.jpg", dpi)
    (OUT / "receipt_photo.json").write_text(json.dumps(receipt_expected, indent=2) + "\n")


if __name__ == "__main__":
    main()
