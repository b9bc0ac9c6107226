"""Arrays of objects (line items) read from tables, offline, on digital and OCR pages alike.

Interface (called by the local engine for every field with ``field.item_fields``)::

    from core.extraction.local.tables import extract_items, ItemsResult
    result = extract_items(document, field)   # -> ItemsResult
    result.items            # [{"description": "Trennblätter A4", "quantity": 20.0, ...}, ...]
    result.item_citations   # one Citation per item: the row's region and its text
    result.cell_citations   # per item, {item_field: Citation} for the cells that gave a value
    result.confidence       # per item, 0-1
    result.ocr_confidence   # per item, mean word confidence (None when the words carry none)
    result.reason           # "table on page 2 with header 'Pos Beschreibung Menge ...'" or why nothing

How: header rows are found by matching the item fields' label cues (words in parentheses or quotes in their
descriptions, their names, and a small multilingual synonym table, see ``table_detect``) to the words of each
visual row; the header's columns then split the rows below. A row with numbers in the numeric columns starts
an item, wrapped description lines directly below (or above) it join it, summary rows (totals, tax, discount)
end the table, repeated headers on later pages continue it. Values are normalised to the item field types
(numbers as float, integers as int, dates as YYYY-MM-DD, strings trimmed).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydField

from core.documents import Document, Page, Word
from core.extraction.citations import citation_from_bbox, union_bbox
from core.extraction.local.receipt_lines import read_receipt_lines
from core.extraction.local.table_detect import (
    HeaderBand,
    VisualRow,
    column_bounds,
    field_concept,
    find_headers,
    normalize_label,
    segments,
    split_columns,
    visual_rows,
)
from core.normalize import match_enum, parse_amount, parse_boolean, parse_date
from core.results import Citation
from core.schema import Field

__all__ = ["ItemsResult", "extract_items"]

_NUMERIC_TYPES = frozenset({"number", "integer"})
# Rows that sum up or adjust the items rather than being one; their first words say so.
# fmt: off
_SUMMARY_WORDS = (
    "summe", "zwischensumme", "gesamt", "gesamtbetrag", "gesamtsumme", "total", "subtotal", "sous-total",
    "sous total", "netto", "nettobetrag", "nettosumme", "brutto", "bruttobetrag", "mwst", "ust",
    "umsatzsteuer", "steuer", "tva", "vat", "tax", "iva", "rabatt", "skonto", "discount", "remise",
    "zahlbetrag", "rechnungsbetrag", "endbetrag", "amount due", "balance", "montant", "positionssumme",
    "rechnungssumme", "grand total", "net total", "totaal", "importe total", "totale",
)
# fmt: on
_CARRY_WORDS = ("ubertrag", "carried forward", "brought forward", "report", "a reporter", "uebertrag")
_DECIMAL = re.compile(r"^[-+(]?[€$£¥]?\d{1,3}(?:[.,' ]?\d{3})*[.,]\d{1,4}\)?[€$£¥%]?$")
# "Bruttopreis : 9,90" or "GTIN: 4012345001235" on a line of its own under an item: a detail, not its name.
_DETAIL = re.compile(r"[^\W\d]\s*:\s*(?:[-+]?[€$£¥]?\s?\d[\d.,' ]*[.,]\d{2,}\b|\d{8,}\s*$)")
# A total anywhere in a row ends the item table ("Factuur totaal EUR 49,99", "Summe netto").
_TOTAL_WORD = re.compile(
    r"\b(?:sub|zwischen|gesamt|end|rechnungs|grand ?|net ?|sous-?)?(?:total|totaal|totale|summe)\b"
    r"|\b(?:gesamtbetrag|rechnungsbetrag|zahlbetrag|amount due|ttc)\b"
)
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")
_NUM = re.compile(r"[-+]?\(?[€$£¥]?\s?[-+]?\d[\d.,' ]*\d|[-+]?\d")


class ItemsResult(BaseModel):
    """Items read from a document's tables, with where each came from."""

    items: list[dict[str, Any]] = PydField(
        default_factory=list, description="One dict per item, typed values."
    )
    item_citations: list[Citation] = PydField(default_factory=list, description="The region of each item.")
    cell_citations: list[dict[str, Citation]] = PydField(
        default_factory=list, description="Per item, the cell of each item field that has a value."
    )
    confidence: list[float] = PydField(default_factory=list, description="Per item, 0-1.")
    ocr_confidence: list[float | None] = PydField(
        default_factory=list, description="Per item, mean word conf."
    )
    reason: str = PydField(default="", description="Which table was read, or why none was found.")


@dataclass
class _Item:
    page: Page
    cells: dict[str, list[Word]] = dc_field(default_factory=dict)
    words: list[Word] = dc_field(default_factory=list)
    last_text_bottom: float = 0.0
    last_text_top: float = 0.0
    rows: int = 0


def _decimal_comma(texts: list[str]) -> bool:
    """Whether this table writes decimals with a comma, from numbers ending in two decimals."""
    comma = sum(bool(re.search(r"\d,\d{2}(?!\d)", t)) for t in texts)
    dot = sum(bool(re.search(r"\d\.\d{2}(?!\d)", t)) for t in texts)
    return comma > dot


def _is_numeric_cell(text: str) -> bool:
    """A cell that is a number, possibly with a sign, currency, percent or a short unit (``20 Stk``)."""
    # A currency code or sign may lead ("EUR 12,50", "Rs 1939", "$ 5").
    t = re.sub(r"^(?:[A-Z][A-Za-z]{1,2}\.?|[€$£¥₹])\s?(?=[-+(]?\d)", "", text.strip())
    if not re.match(r"^[-+(]?[€$£¥]?\s?[-+]?\d", t) or _DATE.search(t) or re.match(r"^\d{9,}", t):
        return False  # not a number, a date, or a long code (GTIN, EAN, account number)
    rest = _NUM.sub("", t, count=1).strip()
    return len(rest) <= 6 and " " not in rest.strip(" €$£¥%")


def _convert(item_field: Field, words: list[Word], decimal_comma: bool) -> Any:
    """A cell's words as a value of the item field's type (None when they hold none)."""
    text = " ".join(w.text for w in words).strip()
    if not text:
        return None
    if item_field.type in _NUMERIC_TYPES:
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
        if lines and abs(cy - (lines[-1][0].bbox[1] + lines[-1][0].bbox[3]) / 2) < 0.5 * h:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [w for line in lines for w in sorted(line, key=lambda w: w.bbox[0])]


def _citation(page: Page, words: list[Word]) -> Citation:
    ordered = _reading_order(words)
    return citation_from_bbox(page, union_bbox(w.bbox for w in ordered), " ".join(w.text for w in ordered))


def _column_of(band: HeaderBand, x: float) -> int:
    return sum(1 for b in band.bounds if b <= x)


def _row_cells(row: VisualRow, band: HeaderBand, text_fields: set[str]) -> dict[int, list[Word]]:
    cells: dict[int, list[Word]] = {}
    for seg in segments(row):
        first, last = _column_of(band, seg.x0 + 1), _column_of(band, seg.x1 - 1)
        if first == last:
            cells.setdefault(first, []).extend(seg.words)
            continue
        # A segment running across a column boundary is split back into words; text that continues a
        # description keeps to its column, since long descriptions run under their neighbours' headers.
        prev: int | None = None
        for w in seg.words:
            wi = _column_of(band, (w.bbox[0] + w.bbox[2]) / 2)
            if prev is not None and band.columns[prev].field in text_fields and not _DECIMAL.search(w.text):
                wi = prev
            cells.setdefault(wi, []).append(w)
            prev = wi
    return cells


def _is_summary(text: str) -> bool:
    """A row label such as ``Nettobetrag:``, ``Summe netto``, ``Total HT`` or ``Zwischensumme``."""
    label = normalize_label(text)
    first = label.split(" ", 1)[0] if label else ""
    return (
        first in _SUMMARY_WORDS
        or first.endswith(("summe", "total"))
        or any(label.startswith(w + " ") or label == w for w in _SUMMARY_WORDS if " " in w)
    )


def _is_carry(text: str) -> bool:
    label = normalize_label(text)
    return any(label.startswith(w) for w in _CARRY_WORDS)


@dataclass
class _Table:
    band: HeaderBand
    items: list[_Item]
    stopped: bool


def _read_table(
    page: Page, rows: list[VisualRow], band: HeaderBand, end: float, fields: list[Field], decimal_comma: bool
) -> _Table:
    by_name = {f.name: f for f in fields}
    col_field = {i: c.field for i, c in enumerate(band.columns) if c.field}
    numeric_cols = [i for i, name in col_field.items() if by_name[name].type in _NUMERIC_TYPES]
    text_fields = [f.name for f in fields if f.type == "string"]
    main_text = next((c.field for c in band.columns if c.field in text_fields), None)
    need = 2 if len(numeric_cols) >= 2 else 1
    pos_col = next((i for i, c in enumerate(band.columns) if c.concept == "position" and not c.field), None)
    margin = 0.12 * page.width  # a centred header can sit well inside its column
    region = [r for r in rows if band.bottom <= r.top < end][:80]
    heights = [r.height for r in region] or [10.0]
    line_h = statistics.median(heights)
    # Line pitch: OCR boxes hug the glyphs, so the gap between wrapped lines says less than their spacing.
    steps = sorted(
        b.top - a.top for a, b in zip(region, region[1:], strict=False) if b.top - a.top > 0.5 * line_h
    )
    pitch = steps[len(steps) // 4] if steps else 1.2 * line_h

    def tight(upper: tuple[float, float], lower: VisualRow) -> bool:
        """Whether ``lower`` is the next line after a line spanning ``upper`` (top, bottom)."""
        return lower.top - upper[1] < 0.8 * line_h or lower.top - upper[0] <= 1.35 * pitch

    items: list[_Item] = []
    pending: list[tuple[VisualRow, list[Word]]] = []
    last_bottom = band.bottom
    stopped = False
    for index, row in enumerate(rows):
        if row.top < band.bottom - 0.5 or row.top >= end:
            continue
        words = [w for w in row.words if band.x0 - margin <= (w.bbox[0] + w.bbox[2]) / 2 <= band.x1 + margin]
        if not words:
            continue
        row = VisualRow(words, min(w.bbox[1] for w in words), max(w.bbox[3] for w in words))
        cells = _row_cells(row, band, set(text_fields))
        first_text = " ".join(w.text for w in cells[min(cells)]) if cells else ""
        if _is_carry(row.text) or _is_carry(first_text):
            continue
        if (
            _is_summary(first_text)
            or (main_text and _is_summary(_cell_text(cells, band, main_text)))
            or _TOTAL_WORD.search(normalize_label(row.text))
        ):
            if items:
                stopped = True
                break
            continue
        numbers = [i for i in numeric_cols if i in cells and _is_numeric_cell(_text(cells[i]))]
        # A wide gap after the items ends the table (unless another item follows at a plausible distance).
        if items and row.top - last_bottom > (12 if len(numbers) >= need else 5) * line_h:
            stopped = True
            break
        gap_prev = row.top - last_bottom
        last_bottom = row.bottom
        # A position number ("1", "2." ...) in its own column also starts an item when one amount is missing.
        numbered = pos_col is not None and bool(re.fullmatch(r"\d{1,4}\.?", _text(cells.get(pos_col, []))))
        named = bool(main_text and _cell_text(cells, band, main_text))
        chained = bool(pending) and tight((pending[-1][0].top, pending[-1][0].bottom), row)
        if main_text and not named and not chained and not numbered and len(numbers) >= need:
            below = rows[index + 1] if index + 1 < len(rows) else None
            if (
                below is None
                or not tight((row.top, row.bottom), below)
                or not _cell_text(_row_cells(below, band, set(text_fields)), band, main_text)
            ):
                # Numbers with no name beside, above or below them (a tax breakdown, a stray detail).
                continue
        # A named row with an amount in the rightmost numeric column (the line total) is an item too.
        # Not when it sits tight under an item: then it is more of that item ("Basismenge 1 Stk  100,00").
        totalled = (
            named
            and bool(numeric_cols)
            and max(numeric_cols) in numbers
            and (not items or gap_prev > 0.8 * line_h)
        )
        if len(numbers) >= need or (numbers and named and (numbered or totalled)):
            item = _Item(page=page)
            for i, ws in cells.items():
                name = col_field.get(i)
                if name and (i in numbers or by_name[name].type not in _NUMERIC_TYPES):
                    item.cells[name] = list(ws)
            item.words = [w for ws in cells.values() for w in ws]
            # Wrapped description lines right above the numbers belong to this item.
            if main_text and pending and tight((pending[-1][0].top, pending[-1][0].bottom), row):
                chain = [pending[-1]]
                for prev in reversed(pending[:-1]):
                    if tight((prev[0].top, prev[0].bottom), chain[0][0]):
                        chain.insert(0, prev)
                    else:
                        break
                extra = [w for _, ws in chain for w in ws]
                item.cells[main_text] = extra + item.cells.get(main_text, [])
                item.words = extra + item.words
            item.last_text_bottom, item.last_text_top = row.bottom, row.top
            item.rows = 1
            items.append(item)
            pending = []
            continue
        main_words = (
            [w for i, ws in cells.items() if col_field.get(i) == main_text for w in ws] if main_text else []
        )
        if items and gap_prev < 2 * line_h and items[-1].page is page:
            item = items[-1]
            # Numbers centred in a tall cell sit on a line of their own: fill the item's empty cells.
            for i in numeric_cols:
                name = col_field[i]
                if i in cells and name not in item.cells and _is_numeric_cell(_text(cells[i])):
                    item.cells[name] = list(cells[i])
                    item.words.extend(cells[i])
            if _DETAIL.search(row.text):
                # "Bruttopreis : 9,90" under an item is a detail of it, not more of its description.
                item.last_text_bottom = item.last_text_top = -1e9
                continue
            if main_words and main_text and tight((item.last_text_top, item.last_text_bottom), row):
                item.cells.setdefault(main_text, []).extend(main_words)
                item.words.extend(main_words)
                item.last_text_bottom, item.last_text_top = row.bottom, row.top
                item.rows += 1
                continue
        if main_words:
            pending.append((row, main_words))
    else:
        stopped = False
    return _Table(band, items, stopped)


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _cell_text(cells: dict[int, list[Word]], band: HeaderBand, name: str) -> str:
    return " ".join(_text(ws) for i, ws in cells.items() if band.columns[i].field == name)


def extract_items(document: Document, field: Field) -> ItemsResult:
    """Read the items of an array-of-objects field from the document's tables.

    Args:
        document: a loaded document (text-layer or OCR pages).
        field: an array field whose items are objects (``field.item_fields`` non-empty).
    Returns:
        The items in document order with citations, confidences and a reason; no items (and a reason) when
        neither a table header matching the item fields nor receipt-style item lines are found.

    >>> extract_items(Document(id="0", kind="pdf"), Field(name="x", type="string")).reason
    "field 'x' is not an array of objects"
    """
    fields = field.item_fields
    if not fields:
        return ItemsResult(reason=f"field '{field.name}' is not an array of objects")
    items, reason, header_score = _table_items(document, fields)
    if not items:
        receipt = _receipt_items(document, fields)
        if receipt:
            items, header_score = receipt, 0.0
            reason = (
                f"no item table header; {len(items)} receipt-style item lines ending in an amount ({reason})"
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


def _table_items(document: Document, fields: list[Field]) -> tuple[list[_Item], str, float]:
    """Items from tables whose header matches the item fields, with the reason and the header's score."""
    page_rows = {page.number: visual_rows(page) for page in document.pages}
    found = {page.number: find_headers(page, page_rows[page.number], fields) for page in document.pages}
    scores = [b.score for bands in found.values() for b in bands]
    if not scores:
        return [], "no table header matching the item fields was found", 0.0
    best = max(scores)
    # Keep headers that match about as well as the best one (the item table and its repeats, not a tax table).
    kept = {n: [b for b in bands if b.score >= 0.75 * best] for n, bands in found.items()}
    first_band = next(b for bands in kept.values() for b in bands)
    tables: list[_Table] = []
    open_band: HeaderBand | None = None
    for page in document.pages:
        rows, bands = page_rows[page.number], kept[page.number]
        # Any other header matching the item fields (a sub-table, a tax table) ends the table above it.
        others = [b.top for b in found[page.number] if b not in bands]
        starts: list[HeaderBand] = list(bands)
        if open_band is not None and (not bands or bands[0].top > 0.2 * page.height):
            # The table runs on from the previous page without a repeated header: same columns from the top.
            starts.insert(0, replace(open_band, page=page.number, top=0.0, bottom=0.0))
        for k, band in enumerate(starts):
            ends = [b.top for b in starts[k + 1 :]] + [t for t in others if t > band.top]
            end = min(ends) if ends else page.height + 1
            texts = [w.text for row in rows if band.bottom < row.top < end for w in row.words]
            decimal_comma = _decimal_comma(texts)
            # First pass splits columns in the gaps between header labels; the rows it finds then show where
            # the page's own column gaps are, and the second pass reads with those.
            cols = band.columns
            first = replace(band, bounds=[(a.x1 + b.x0) / 2 for a, b in zip(cols, cols[1:], strict=False)])
            table = _read_table(page, rows, first, end, fields, decimal_comma)
            if table.items:
                bottom = max(w.bbox[3] for it in table.items for w in it.words)
                body = [r for r in rows if band.bottom <= r.top <= bottom]
                # The page's own gaps give better column bounds, and may split header labels set too close;
                # the layout under which the rows read best (most cells, amounts that add up) is kept.
                best_quality = _quality(table, fields, decimal_comma)
                split = split_columns(band, body, fields)
                for variant in (split, band) if split is not band else (band,):
                    variant = replace(variant, bounds=column_bounds(variant.columns, body))
                    again = _read_table(page, rows, variant, end, fields, decimal_comma)
                    quality = _quality(again, fields, decimal_comma)
                    # Ties go to the split header (its columns are the finer reading of the same rows).
                    if quality > best_quality or (
                        quality == best_quality and variant.columns is split.columns
                    ):
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


def _adds_up(table: _Table, fields: list[Field], decimal_comma: bool) -> int:
    """How many items have quantity x unit price = line total."""
    concepts = {field_concept(f): f for f in fields}
    parts = [concepts.get(c) for c in ("quantity", "unit_price", "line_total")]
    count = 0
    for it in table.items:
        q, p, t = (_convert(f, it.cells.get(f.name, []), decimal_comma) if f else None for f in parts)
        if isinstance(q, (int, float)) and isinstance(p, (int, float)) and isinstance(t, (int, float)):
            count += abs(q * p - t) <= max(0.011, 0.005 * abs(t))
    return count


def _quality(table: _Table, fields: list[Field], decimal_comma: bool) -> float:
    """How well a table reads: filled cells, plus items whose quantity x unit price is their line total."""
    concepts = {field_concept(f): f for f in fields}
    text = concepts.get("description") or next((f for f in fields if f.type == "string"), None)
    # An item without any name is more likely a stray row of numbers than a line of the invoice.
    quality = sum(
        len(it.cells) - (3 if text is not None and text.name not in it.cells else 0) for it in table.items
    )
    return quality + 2.0 * _adds_up(table, fields, decimal_comma)


def _arithmetic_repair(
    page: Page, rows: list[VisualRow], table: _Table, end: float, fields: list[Field], decimal_comma: bool
) -> _Table:
    """Give a numeric item field no header matched (quantity under "#", say) the unlabelled column whose
    numbers make quantity x unit price = line total on most items."""
    band = table.band
    taken = {c.field for c in band.columns if c.field}
    missing = [f.name for f in fields if f.type in _NUMERIC_TYPES and f.name not in taken]
    free = [i for i, c in enumerate(band.columns) if c.field is None]
    if not missing or not free or not table.items:
        return table
    best, best_count = table, _adds_up(table, fields, decimal_comma)
    for name in missing:
        for i in free:
            columns = [replace(c) for c in band.columns]
            columns[i].field = name
            again = _read_table(page, rows, replace(band, columns=columns), end, fields, decimal_comma)
            count = _adds_up(again, fields, decimal_comma)
            if (
                count > best_count
                and count >= 0.6 * len(again.items)
                and len(again.items) >= len(table.items)
            ):
                best, best_count = again, count
    return best


def _receipt_items(document: Document, fields: list[Field]) -> list[_Item]:
    """Items from receipt-style lines, their parts given to the item fields by what the fields stand for."""
    concepts = {field_concept(f): f.name for f in reversed(fields)}
    numeric = [f.name for f in fields if f.type in _NUMERIC_TYPES]
    strings = [f.name for f in fields if f.type == "string"]
    total = concepts.get("line_total") or (numeric[-1] if numeric else None)
    text = concepts.get("description") or (strings[0] if strings else None)
    if total is None or text is None:
        return []
    items: list[_Item] = []
    for line in read_receipt_lines(document.pages):
        item = _Item(page=line.page, words=list(line.words))
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
    conf = 0.45 + 0.3 * filled + 0.15 * min(header_score / max(len(values), 1), 1.0)
    by_concept = {c: values.get(name) for name, c in concepts.items() if c}
    q, p, t = by_concept.get("quantity"), by_concept.get("unit_price"), by_concept.get("line_total")
    if all(isinstance(v, (int, float)) for v in (q, p, t)):
        assert isinstance(q, (int, float)) and isinstance(p, (int, float)) and isinstance(t, (int, float))
        conf += 0.1 if abs(q * p - t) <= max(0.011, 0.005 * abs(t)) else -0.1
    return round(min(max(conf, 0.05), 0.99), 3)
