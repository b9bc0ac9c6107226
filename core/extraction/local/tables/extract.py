"""Arrays of objects (line items) read from tables, offline, on digital and OCR pages alike.

Interface (called by the local engine for every field with ``field.item_fields``)::

    from core.extraction.local.tables import extract_items, ItemsResult
    result = extract_items(document, field, layout)   # -> ItemsResult (layout: the engine's, or built here)
    result.items            # [{"description": "Trennblätter A4", "quantity": 20.0, ...}, ...]
    result.item_citations   # one Citation per item: the row's region and its text
    result.cell_citations   # per item, {item_field: Citation} for the cells that gave a value
    result.confidence       # per item, 0-1
    result.ocr_confidence   # per item, mean word confidence (None when the words carry none)
    result.reason           # "table on page 2 with header 'Pos Beschreibung Menge ...'" or why nothing

How: header rows are found by matching the item fields' label cues (words in parentheses or quotes in their
descriptions, their names, and the column labels of ``core.vocabulary.columns``: ``tables.labels``) to the
cells of each of the layout's rows (``tables.grid``), stacked header lines included (``tables.detect``). The
header's columns split the rows below, first in the gaps between the labels, then where the rows themselves
leave a gap (which also splits labels set one space apart); the layout under which the rows read best is
kept, and a numeric field no label matched takes the unlabelled column whose numbers make quantity x unit
price = line total (``_arithmetic_repair``). A row with amounts in the numeric columns starts an item; wrapped
name lines directly below (or above) join it; detail lines ("Bruttopreis : 9,90"), totals, tax and discount
lines and another table's header end it or the table (``tables.rows``). Tables continue on the next page
under a repeated header or without one. With no matching header, receipt-style lines
(``2 x Flat White  6.80`` up to ``TOTAL``) are read instead (``tables.receipts``). Values are normalised to
the item field types (numbers as float, integers as int, dates as YYYY-MM-DD).

PyMuPDF's ``page.find_tables()`` is not used: it took about 0.9 s per page here against 7 ms for the page's
words, and many invoices have no ruling lines for it to follow; the word-based reader runs the same on OCR.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydField

from core.documents import Document, Page, Word
from core.extraction.citations import citation_from_bbox, union_bbox
from core.extraction.local.candidates import CENT
from core.extraction.local.confidence import MAX_CONFIDENCE, MIN_CONFIDENCE
from core.extraction.local.layout import DocumentLayout, Row, build_layout
from core.extraction.local.tables.detect import HeaderBand, column_bounds, find_headers, split_columns
from core.extraction.local.tables.grid import row_words, table_rows
from core.extraction.local.tables.labels import NUMERIC_TYPES, field_concept
from core.extraction.local.tables.receipts import read_receipt_lines
from core.extraction.local.tables.rows import ReadTable, RowItem, read_table
from core.normalize import match_enum, parse_amount, parse_boolean, parse_date
from core.results import Citation
from core.schema import Field

__all__ = ["ItemsResult", "extract_items"]

SAME_LINE = 0.5
"""Words whose vertical centres are within this many word heights are on one line of a cell."""
HEADER_KEEP = 0.75
"""Headers matching at least this share of the best header's score are the item table and its repeats (a tax
table's header matches fewer fields)."""
REPEATED_HEADER_AREA = 0.2
"""Share of the page height, from the top, in which a header is the table's repeat on a following page; with
none there, the table runs on from the top of the page."""
LINE_TOTAL_TOLERANCE = 0.005
"""Quantity x unit price may differ from the line total by this share of it (or a cent): unit prices rounded
to fewer decimals than they were computed with."""
NAMELESS_PENALTY = 3
"""Cells an item without a name counts less in a reading's quality (a stray row of numbers, not an item)."""
ADDS_UP_WEIGHT = 2.0
"""Cells an item whose quantity x unit price is its line total counts more (the columns are read right)."""
REPAIR_MIN_SHARE = 0.6
"""An unlabelled column becomes a numeric field's when its numbers make the arithmetic hold on this share of
the items."""
# An item's confidence: a base, plus the share of its fields filled and how well the header matched, plus or
# minus whether its arithmetic holds. Tuned on the development sets.
ITEM_BASE_CONFIDENCE = 0.45
FILLED_WEIGHT = 0.3
HEADER_WEIGHT = 0.15
ADDS_UP_CONFIDENCE = 0.1


class ItemsResult(BaseModel):
    """Items read from a document's tables, with where each came from."""

    items: list[dict[str, Any]] = PydField(default_factory=list, description="One dict per item, typed values.")
    item_citations: list[Citation] = PydField(default_factory=list, description="The region of each item.")
    cell_citations: list[dict[str, Citation]] = PydField(
        default_factory=list, description="Per item, the cell of each item field that has a value."
    )
    confidence: list[float] = PydField(default_factory=list, description="Per item, 0-1.")
    ocr_confidence: list[float | None] = PydField(default_factory=list, description="Per item, mean word conf.")
    reason: str = PydField(default="", description="Which table was read, or why none was found.")


_COMMA_DECIMALS = re.compile(r"\d,\d{2}(?!\d)")
_DOT_DECIMALS = re.compile(r"\d\.\d{2}(?!\d)")


def _decimal_comma(texts: list[str]) -> bool:
    """Whether this table writes decimals with a comma, from numbers ending in two decimals."""
    comma = sum(_COMMA_DECIMALS.search(t) is not None for t in texts)
    dot = sum(_DOT_DECIMALS.search(t) is not None for t in texts)
    return comma > dot


def _convert(item_field: Field, words: list[Word], decimal_comma: bool) -> Any:
    """A cell's words as a value of the item field's type (None when they hold none)."""
    text = " ".join(w.text for w in words).strip()
    if not text:
        return None
    if item_field.type in NUMERIC_TYPES:
        amount = parse_amount(text, "," if decimal_comma else ".")
        if amount is None:
            return None
        return int(round(amount)) if item_field.type == "integer" else float(amount)
    if item_field.type == "date":
        day = parse_date(text)
        return day.isoformat() if day else None
    if item_field.type == "boolean":
        return parse_boolean(text)
    if item_field.type == "enum" and item_field.values:
        return match_enum(text, item_field.values)
    return _join_text(words)


def _join_text(words: list[Word]) -> str:
    out = ""
    for w in words:
        t = w.text.strip()
        # A word broken at a hyphen at the end of a line continues on the next one.
        out = out + t if out.endswith("-") and len(out) > 1 and out[-2].isalpha() else (out + " " + t).strip()
    return out.rstrip(":").strip()


def _reading_order(words: list[Word]) -> list[Word]:
    """Words top to bottom by line (centres within half a line height), left to right within a line."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        cy, h = (w.bbox[1] + w.bbox[3]) / 2, w.bbox[3] - w.bbox[1]
        if lines and abs(cy - (lines[-1][0].bbox[1] + lines[-1][0].bbox[3]) / 2) < SAME_LINE * h:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [w for line in lines for w in sorted(line, key=lambda w: w.bbox[0])]


def _citation(page: Page, words: list[Word]) -> Citation:
    ordered = _reading_order(words)
    return citation_from_bbox(page, union_bbox(w.bbox for w in ordered), " ".join(w.text for w in ordered))


def extract_items(document: Document, field: Field, layout: DocumentLayout | None = None) -> ItemsResult:
    """Read the items of an array-of-objects field from the document's tables.

    Args:
        document: a loaded document (text-layer or OCR pages).
        field: an array field whose items are objects (``field.item_fields`` non-empty).
        layout: the document's layout (``layout.build_layout``), when the caller has it already.
    Returns:
        The items in document order with citations, confidences and a reason; no items (and a reason) when
        neither a table header matching the item fields nor receipt-style item lines are found.

    >>> extract_items(Document(id="0", kind="pdf"), Field(name="x", type="string")).reason
    "field 'x' is not an array of objects"
    """
    fields = field.item_fields
    if not fields:
        return ItemsResult(reason=f"field '{field.name}' is not an array of objects")
    layout = layout or build_layout(document)
    items, reason, header_score = _table_items(layout, fields)
    if not items:
        receipt = _receipt_items(layout, fields)
        if receipt:
            items, header_score = receipt, 0.0
            reason = (
                f"receipt-style item lines on page {items[0].page.number}, each ending in an amount, up to"
                f" the total ({reason})"
            )
    if not items:
        return ItemsResult(reason=reason)
    decimal_comma = _decimal_comma([w.text for it in items for w in it.words])
    concepts = {f.name: field_concept(f) for f in fields}
    result = ItemsResult(reason=reason)
    for it in items:
        values: dict[str, Any] = {}
        cells: dict[str, Citation] = {}
        for f in fields:
            ws = it.cells.get(f.name, [])
            value = _convert(f, ws, decimal_comma) if ws else None
            values[f.name] = value
            if value is not None:
                cells[f.name] = _citation(it.page, ws)
        result.items.append(values)
        result.cell_citations.append(cells)
        result.item_citations.append(_citation(it.page, it.words))
        result.confidence.append(_confidence(values, concepts, header_score))
        confs = [w.confidence for w in it.words if w.confidence is not None]
        result.ocr_confidence.append(round(sum(confs) / len(confs), 4) if confs else None)
    return result


def _table_items(layout: DocumentLayout, fields: list[Field]) -> tuple[list[RowItem], str, float]:
    """Items from tables whose header matches the item fields, with the reason and the header's score."""
    page_rows = {pl.page.number: table_rows(pl) for pl in layout.pages}
    found = {pl.page.number: find_headers(pl, page_rows[pl.page.number], fields) for pl in layout.pages}
    scores = [b.score for bands in found.values() for b in bands]
    if not scores:
        return [], "no table header matching the item fields was found", 0.0
    best = max(scores)
    # Keep headers that match about as well as the best one (the item table and its repeats, not a tax table).
    kept = {n: [b for b in bands if b.score >= HEADER_KEEP * best] for n, bands in found.items()}
    first_band = next(b for bands in kept.values() for b in bands)
    tables: list[ReadTable] = []
    open_band: HeaderBand | None = None
    for page in (pl.page for pl in layout.pages):
        rows, bands = page_rows[page.number], kept[page.number]
        # Any other header matching the item fields (a sub-table, a tax table) ends the table above it.
        others = [b.top for b in found[page.number] if b not in bands]
        starts: list[HeaderBand] = list(bands)
        if open_band is not None and (not bands or bands[0].top > REPEATED_HEADER_AREA * page.height):
            # The table runs on from the previous page without a repeated header: same columns from the top.
            starts.insert(0, replace(open_band, page=page.number, top=0.0, bottom=0.0))
        for k, band in enumerate(starts):
            ends = [b.top for b in starts[k + 1 :]] + [t for t in others if t > band.top]
            end = min(ends) if ends else page.height + 1
            texts = [w.text for row in rows if band.bottom < row.top < end for w in row_words(page, row)]
            decimal_comma = _decimal_comma(texts)
            # First pass splits columns in the gaps between header labels; the rows it finds then show where
            # the page's own column gaps are, and the second pass reads with those.
            cols = band.columns
            first = replace(band, bounds=[(a.x1 + b.x0) / 2 for a, b in zip(cols, cols[1:], strict=False)])
            table = read_table(page, rows, first, end, fields)
            if table.items:
                bottom = max(w.bbox[3] for it in table.items for w in it.words)
                body = [r for r in rows if band.bottom <= r.top <= bottom]
                # The page's own gaps give better column bounds, and may split header labels set too close;
                # the layout under which the rows read best (most cells, amounts that add up) is kept.
                best_quality = _quality(table, fields, decimal_comma)
                split = split_columns(band, body, fields)
                for variant in (split, band) if split is not band else (band,):
                    variant = replace(variant, bounds=column_bounds(page, variant.columns, body))
                    again = read_table(page, rows, variant, end, fields)
                    quality = _quality(again, fields, decimal_comma)
                    # Ties go to the split header (its columns are the finer reading of the same rows).
                    if quality > best_quality or (quality == best_quality and variant.columns is split.columns):
                        table, best_quality = again, quality
                table = _arithmetic_repair(page, rows, table, end, fields, decimal_comma)
            tables.append(table)
            open_band = None if table.stopped or ends else band
    items = [it for t in tables for it in t.items]
    if not items:
        return [], f"table header '{first_band.label}' on page {first_band.page} has no rows", 0.0
    pages = ", ".join(str(p) for p in sorted({t.band.page for t in tables if t.items}))
    plural = "s" if "," in pages else ""
    return items, f"table on page{plural} {pages} with header '{first_band.label}'", first_band.score


def _adds_up(table: ReadTable, fields: list[Field], decimal_comma: bool) -> int:
    """How many items have quantity x unit price = line total."""
    concepts = {field_concept(f): f for f in fields}
    parts = [concepts.get(c) for c in ("quantity", "unit_price", "line_total")]
    count = 0
    for it in table.items:
        q, p, t = (_convert(f, it.cells.get(f.name, []), decimal_comma) if f else None for f in parts)
        if isinstance(q, (int, float)) and isinstance(p, (int, float)) and isinstance(t, (int, float)):
            count += abs(q * p - t) <= max(CENT, LINE_TOTAL_TOLERANCE * abs(t))
    return count


def _quality(table: ReadTable, fields: list[Field], decimal_comma: bool) -> float:
    """How well a table reads: filled cells, plus items whose quantity x unit price is their line total."""
    concepts = {field_concept(f): f for f in fields}
    text = concepts.get("description") or next((f for f in fields if f.type == "string"), None)
    # An item without any name is more likely a stray row of numbers than a line of the invoice.
    quality = sum(
        len(it.cells) - (NAMELESS_PENALTY if text is not None and text.name not in it.cells else 0)
        for it in table.items
    )
    return quality + ADDS_UP_WEIGHT * _adds_up(table, fields, decimal_comma)


def _arithmetic_repair(
    page: Page, rows: list[Row], table: ReadTable, end: float, fields: list[Field], decimal_comma: bool
) -> ReadTable:
    """Give a numeric item field no header matched (quantity under "#", say) the unlabelled column whose
    numbers make quantity x unit price = line total on most items."""
    band = table.band
    taken = {c.field for c in band.columns if c.field}
    missing = [f.name for f in fields if f.type in NUMERIC_TYPES and f.name not in taken]
    free = [i for i, c in enumerate(band.columns) if c.field is None]
    if not missing or not free or not table.items:
        return table
    best, best_count = table, _adds_up(table, fields, decimal_comma)
    for name in missing:
        for i in free:
            columns = [replace(c) for c in band.columns]
            columns[i].field = name
            again = read_table(page, rows, replace(band, columns=columns), end, fields)
            count = _adds_up(again, fields, decimal_comma)
            if (
                count > best_count
                and count >= REPAIR_MIN_SHARE * len(again.items)
                and len(again.items) >= len(table.items)
            ):
                best, best_count = again, count
    return best


def _receipt_items(layout: DocumentLayout, fields: list[Field]) -> list[RowItem]:
    """Items from receipt-style lines, their parts given to the item fields by what the fields stand for."""
    concepts = {field_concept(f): f.name for f in reversed(fields)}
    numeric = [f.name for f in fields if f.type in NUMERIC_TYPES]
    strings = [f.name for f in fields if f.type == "string"]
    total = concepts.get("line_total") or (numeric[-1] if numeric else None)
    text = concepts.get("description") or (strings[0] if strings else None)
    if total is None or text is None:
        return []
    items: list[RowItem] = []
    for line in read_receipt_lines(layout):
        item = RowItem(page=line.page, words=list(line.words))
        parts = {text: line.description, total: line.line_total}
        if concepts.get("quantity"):
            parts[concepts["quantity"]] = line.quantity
        if concepts.get("unit_price"):
            parts[concepts["unit_price"]] = line.unit_price
        item.cells = {name: ws for name, ws in parts.items() if ws}
        items.append(item)
    return items


def _confidence(values: dict[str, Any], concepts: dict[str, str | None], header_score: float) -> float:
    """Per item: how many fields are filled, how well the header matched, and whether quantity x price is the
    line total."""
    filled = sum(v is not None for v in values.values()) / max(len(values), 1)
    conf = ITEM_BASE_CONFIDENCE + FILLED_WEIGHT * filled + HEADER_WEIGHT * min(header_score / max(len(values), 1), 1.0)
    by_concept = {c: values.get(name) for name, c in concepts.items() if c}
    q, p, t = by_concept.get("quantity"), by_concept.get("unit_price"), by_concept.get("line_total")
    if isinstance(q, (int, float)) and isinstance(p, (int, float)) and isinstance(t, (int, float)):
        conf += (
            ADDS_UP_CONFIDENCE if abs(q * p - t) <= max(CENT, LINE_TOTAL_TOLERANCE * abs(t)) else -ADDS_UP_CONFIDENCE
        )
    return round(min(max(conf, MIN_CONFIDENCE), MAX_CONFIDENCE), 3)
