"""Line items: the column labels a workflow's documents print above each item field, learned from annotations.

The local table reader finds an item table by its header: labels matching the item fields' cues (their names,
words quoted in their descriptions, the vocabulary's column labels). Item fields named in words the
vocabulary does not know, or documents that label a column in words it has not seen, give no table or a
wrong column. Training locates each annotated item's cells on its page (``core.annotation.locate``), reads the
header label printed above each item field's column (the nearest header-like rows above the first item), and
counts them over the documents. At prediction the table reader gets those labels as quoted cues in the item
fields' descriptions, exactly as if the user had written them there, so the model stays readable: its plan
lists the labels it learned. Labels that hold on any layout are used everywhere; a label the vocabulary reads
as another column kind is one template's habit, used only on documents the layout memory finds of that
template (with the labels of their nearest annotated documents).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from core.annotation.locate import Location, Locator
from core.documents import BBox
from core.extraction.local.layout import DocumentLayout, Row
from core.extraction.local.tables.detect import (
    COLUMN_SLACK,
    MAX_STACKED_LINES,
    Column,
    header_columns,
    label_row,
    stackable,
)
from core.extraction.local.tables.grid import table_rows
from core.extraction.local.tables.labels import MATCH_THRESHOLD, field_concept, matcher_for, normalize_label
from core.schema import Field

__all__ = [
    "HEADER_REACH_ROWS",
    "MAX_LABELS",
    "header_labels",
    "item_cells",
    "learn_labels",
    "novel_labels",
    "general_labels",
    "layout_labels",
    "with_labels",
]

HEADER_REACH_ROWS = 4
"""Rows above an item table's first located item searched for its header: the header sits directly above
the items, with at most a stacked second header line, a unit row or a blank-ish separator between."""
MIN_HEADER_COLUMNS = 2
"""Item fields a row must head before it counts as the table's header (one label alone may be any line)."""
MAX_HEADER_OFFSET = 40.0
"""PDF points a column's cells may sit right or left of its header label (right-aligned amounts under a short
label; about six characters)."""
MIN_LOCATED_SHARE = 0.5
"""An item field's column is read only when more than this share of the document's items have its cell
located unambiguously."""
MAX_LABELS = 8
"""Learned labels kept per item field, most frequent first: a column is labelled a few ways across templates;
more would be noise from odd documents."""
MAX_LABEL_CHARS = 40
"""Longest label kept: the table reader takes quoted cues up to this length from a description."""
_QUOTES = "\"'“”„‘’«»"
_SEPARATORS = re.compile(r"[,;/]")


def _centre(boxes: list[BBox]) -> tuple[float, float]:
    """Median horizontal centre and the top of an item field's cells on one page: the median keeps one cell
    located in the wrong column from moving the column."""
    xs = sorted((b[0] + b[2]) / 2 for b in boxes)
    return xs[len(xs) // 2], min(b[1] for b in boxes)


def _header_bands(layout: DocumentLayout, page: int, top: float) -> list[list[Row]]:
    """Candidate header bands above ``top`` on a 0-based page, nearest first: each row that could be a header
    line, with the stacked header lines above it."""
    pl = layout.pages[page]
    rows = table_rows(pl)
    above = [i for i, r in enumerate(rows) if r.bbox[3] <= top + COLUMN_SLACK][-HEADER_REACH_ROWS:]
    out = []
    for i in reversed(above):
        if not label_row(pl.page, rows[i]):
            continue
        lo = i
        while lo > 0 and i - lo < MAX_STACKED_LINES and stackable(pl.page, rows[lo - 1], rows[lo]):
            lo -= 1
        out.append(rows[lo : i + 1])
    return out


def _distance(x: float, column: Column) -> float:
    return max(column.x0 - COLUMN_SLACK - x, x - column.x1 - COLUMN_SLACK, 0.0)


def header_labels(layout: DocumentLayout, cells: Sequence[Mapping[str, Location]]) -> dict[str, str]:
    """The header label above each item field's column on one annotated document.

    Only fields with most items located count (``item_cells`` gives the cells to use). Each item field takes
    the header column nearest the median centre of its cells, and a header column heads one item field, the
    nearest.

    Args:
        layout: the document's layout.
        cells: per item, where each item field's value is printed (``item_cells``).

    Returns:
        ``{item field: label}`` for the columns whose header was found (the first page with items that has one).
    """
    by_page: dict[int, dict[str, list[BBox]]] = defaultdict(lambda: defaultdict(list))
    located: Counter[str] = Counter()
    for item in cells:
        for name, loc in item.items():
            by_page[loc.page - 1][name].append(loc.bbox)
            located[name] += 1
    # A field located in only a few of the items may have been found in another column by coincidence (a
    # unit price of 1 under the position number 1 when its own cell is printed otherwise).
    for boxes in by_page.values():
        for name in [n for n in boxes if located[n] <= MIN_LOCATED_SHARE * len(cells)]:
            del boxes[name]
    out: dict[str, str] = {}
    for page in sorted(by_page):
        if not 0 <= page < len(layout.pages):
            continue
        centres = {name: _centre(boxes) for name, boxes in by_page[page].items()}
        if len(centres) < MIN_HEADER_COLUMNS:
            continue
        top = min(t for _, t in centres.values())
        for band in _header_bands(layout, page, top):
            columns = header_columns(layout.pages[page].page, band)
            if not columns:
                continue
            chosen: dict[int, tuple[float, str]] = {}
            for name, (x, _) in centres.items():
                k = min(range(len(columns)), key=lambda k: _distance(x, columns[k]))
                gap = _distance(x, columns[k])
                if gap <= MAX_HEADER_OFFSET and (k not in chosen or gap < chosen[k][0]):
                    chosen[k] = (gap, name)
            if len(chosen) >= MIN_HEADER_COLUMNS:
                for k, (_, name) in chosen.items():
                    out.setdefault(name, columns[k].label)
                break
    return out


def item_cells(locator: Locator, field: Field, items: list[Any]) -> list[dict[str, Location]]:
    """Where each annotated item's cells are printed, leaving out a cell whose value is printed twice in its
    row (a quantity of 1 next to the position number 1 says nothing about which column is the quantity's)."""
    out = []
    for item, cells in zip(items, locator.locate_items(field, items), strict=True):
        kept = {}
        for sub in field.item_fields:
            loc = cells.get(sub.name)
            if loc is None or not isinstance(item, Mapping):
                continue
            same_row = {
                s.words
                for s, _ in locator.places(sub, item.get(sub.name))
                if (s.page + 1, s.row) == (loc.page, loc.row)
            }
            if len(same_row) <= 1:
                kept[sub.name] = loc
        out.append(kept)
    return out


def _usable(label: str) -> bool:
    return 0 < len(label) <= MAX_LABEL_CHARS and not any(q in label for q in _QUOTES) and bool(normalize_label(label))


def learn_labels(field: Field, documents: Sequence[Mapping[str, str]]) -> dict[str, list[str]]:
    """Per item field, the header labels seen above its column, most documents first.

    Labels the reader already knows are kept too: the first label that names a column kind (quantity, unit
    price ...) tells the reader what the field is, and the most frequent one should.

    Args:
        field: the array-of-objects field.
        documents: per training document, ``header_labels`` of this field.

    Returns:
        ``{item field: [label, ...]}``; a label seen above two item fields' columns goes to the one it headed
        in more documents (on a tie, to neither).

    >>> item = Field(name="item", type="object", properties=[Field(name="goods"), Field(name="units", type="number")])
    >>> f = Field(name="rows", type="array", items=item)
    >>> learn_labels(f, [{"goods": "Leistung", "units": "Stück"}, {"goods": "Leistung", "units": "Anzahl"}, {}])
    {'goods': ['Leistung'], 'units': ['Anzahl', 'Stück']}
    """
    seen: dict[str, Counter[str]] = defaultdict(Counter)  # normalised label -> item field -> documents
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for labels in documents:
        for name, label in labels.items():
            label = label.strip()
            if _usable(label):
                key = normalize_label(label)
                seen[key][name] += 1
                spelling[key][label] += 1
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for key, fields in seen.items():
        ranked = fields.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            continue
        name, count = ranked[0]
        out[name].append((count, spelling[key].most_common(1)[0][0]))
    return {
        f.name: [label for _, label in sorted(out[f.name], key=lambda t: (-t[0], t[1]))[:MAX_LABELS]]
        for f in field.item_fields
        if out.get(f.name)
    }


def novel_labels(field: Field, labels: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The learned labels the table reader does not already read as their item field (the ones that change
    what it reads).

    >>> item = Field(name="item", type="object", properties=[Field(name="quantity", type="number")])
    >>> novel_labels(Field(name="rows", type="array", items=item), {"quantity": ["Menge", "Gebinde"]})
    {'quantity': ['Gebinde']}
    """
    matcher = matcher_for(field.item_fields)
    out: dict[str, list[str]] = {}
    for name, learned in labels.items():
        for label in learned:
            scores = matcher.scores(label)[1]
            if scores.get(name, 0.0) < MATCH_THRESHOLD or max(scores, key=lambda n: scores[n]) != name:
                out.setdefault(name, []).append(label)
    return out


def general_labels(field: Field, labels: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The learned labels that hold on any layout: those the vocabulary reads as no column kind, or as the kind
    the item field stands for once taught. A label it reads as another kind ("Amount" above a quantity, where
    most invoices print the line total under it) is one template's habit and is used on that layout only.

    >>> item = Field(name="item", type="object", properties=[Field(name="units", type="number")])
    >>> general_labels(Field(name="rows", type="array", items=item), {"units": ["Menge", "Gebinde", "Betrag"]})
    {'units': ['Menge', 'Gebinde']}
    """
    taught = {f.name: field_concept(f) for f in with_labels(field, labels).item_fields}
    matcher = matcher_for(field.item_fields)
    out: dict[str, list[str]] = {}
    for name, learned in labels.items():
        kept = [label for label in learned if matcher.scores(label)[0] in (None, taught.get(name))]
        if kept:
            out[name] = kept
    return out


def layout_labels(general: Mapping[str, list[str]], neighbours: Sequence[Mapping[str, str]]) -> dict[str, list[str]]:
    """The labels for a document of a known layout: the general ones first (the first label that names a kind
    says what the field is), then what its nearest annotated documents print above each column.

    >>> layout_labels({"units": ["Menge"]}, [{"units": "Amount", "goods": "Item"}, {"units": "Menge"}])
    {'units': ['Menge', 'Amount'], 'goods': ['Item']}
    """
    out = {name: list(labels) for name, labels in general.items()}
    for headers in neighbours:
        for name, label in headers.items():
            known = {normalize_label(have) for have in out.setdefault(name, [])}
            if _usable(label) and normalize_label(label) not in known:
                out[name].append(label)
    return out


def with_labels(field: Field, labels: Mapping[str, list[str]]) -> Field:
    """A copy of the array field whose item fields' descriptions quote their learned column labels.

    >>> item = Field(name="item", type="object", properties=[Field(name="goods", description="x")])
    >>> f = Field(name="rows", type="array", items=item)
    >>> with_labels(f, {"goods": ["Leistung", "Preis/ Einheit"]}).item_fields[0].description
    'x Column labels: "Leistung", "Preis Einheit".'
    """
    if field.items is None or not labels:
        return field
    properties = []
    for f in field.item_fields:
        learned = labels.get(f.name)
        if learned:
            # The reader splits quoted cues at , ; and / (alternatives): a label holding them is quoted whole.
            quoted = ", ".join(f'"{" ".join(_SEPARATORS.sub(" ", label).split())}"' for label in learned)
            f = f.model_copy(update={"description": f"{f.description} Column labels: {quoted}.".strip()})
        properties.append(f)
    return field.model_copy(update={"items": field.items.model_copy(update={"properties": properties})})
