"""Line items: arrays of objects read by the table reader, put into the result with metadata by path."""

from __future__ import annotations

from core.extraction.local.layout import DocumentLayout
from core.extraction.local.tables import extract_items
from core.results import Extraction, ExtractionResult, FieldMetadata, Insight
from core.schema import Field

__all__ = ["add_items"]


def add_items(layout: DocumentLayout, f: Field, result: ExtractionResult) -> None:
    """Fill an array-of-objects field from the document's tables (``tables.extract_items`` on the engine's
    layout), with metadata for the field, each item and each cell."""
    items = extract_items(layout.document, f, layout)
    if not items.items:
        result.extractions[f.name] = Extraction(value=None)
        result.metadata[f.name] = FieldMetadata(
            insights=[Insight(type="reasoning", content=items.reason or "no table found")]
        )
        return
    conf = sum(items.confidence) / len(items.confidence) if items.confidence else None
    result.extractions[f.name] = Extraction(value=items.items, confidence=conf, citations=list(items.item_citations))
    result.metadata[f.name] = FieldMetadata(
        confidence=conf,
        citations=list(items.item_citations),
        insights=[Insight(type="reasoning", content=items.reason)],
    )
    for i, item in enumerate(items.items):
        item_conf = items.confidence[i] if i < len(items.confidence) else None
        ocr = items.ocr_confidence[i] if i < len(items.ocr_confidence) else None
        item_cites = [items.item_citations[i]] if i < len(items.item_citations) else []
        result.metadata[f"{f.name}[{i}]"] = FieldMetadata(
            ocr_confidence=ocr,
            confidence=item_conf,
            citations=item_cites,
            insights=[Insight(type="reasoning", content=f"row {i + 1} of the {items.reason or 'item table'}")],
        )
        cells = items.cell_citations[i] if i < len(items.cell_citations) else {}
        for key, value in item.items():
            cell = cells.get(key)
            meta = FieldMetadata(ocr_confidence=ocr, confidence=item_conf, citations=[cell] if cell else [])
            if value is not None and cell is not None:
                meta.insights.append(Insight(type="reasoning", content=f"cell of the '{key}' column"))
            if value is not None and cell is None:
                meta.insights.append(
                    Insight(type="note", content="value taken from the item's row, no cell of its own")
                )
            result.metadata[f"{f.name}[{i}].{key}"] = meta
