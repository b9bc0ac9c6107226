"""Annotated values of a document: from expected values (located on the page), from a result, and back.

Expected values arrive without boxes (pre-annotated files, feedback): each leaf is located on the page
(``core.annotation.locate``) and records whether it was. A result's values carry their citations as boxes
(pre-filling the Annotate page with the engine's values).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.annotation.locate import locate_values
from core.documents import Document
from core.results import ExtractionResult, citations_of, flatten, flatten_values, nest
from core.schema import Workflow
from core.store.training_data import AnnotatedValue, AnnotationSource

__all__ = ["from_expected", "from_result", "expected_of", "located_share"]


def from_expected(
    document: Document,
    workflow: Workflow,
    values: dict[str, Any],
    *,
    source: AnnotationSource,
    workflow_version: int,
) -> list[AnnotatedValue]:
    """Checked expected values (``parse_expected``) as annotated values, each located on the page if it can be.

    Empty values (None, empty lists) are kept: "this document has no such value" is an annotation too.
    """
    located = locate_values(document, workflow, values)
    out: list[AnnotatedValue] = []
    for path, value in flatten(values).items():
        where = located.get(path)
        out.append(
            AnnotatedValue(
                path=path,
                value=value,
                text=where.text if where else "",
                page=where.page if where else None,
                bbox=where.bbox if where else None,
                located=where is not None,
                source=source,
                workflow_version=workflow_version,
            )
        )
    return out


def from_result(result: ExtractionResult, *, source: AnnotationSource = "model") -> list[AnnotatedValue]:
    """A result's values as annotated values, boxed by their first citation (what the Annotate page pre-fills)."""
    out: list[AnnotatedValue] = []
    for path, value in flatten_values(result).items():
        citations = citations_of(result, path)
        first = citations[0] if citations and citations[0].polygon else None
        out.append(
            AnnotatedValue(
                path=path,
                value=value,
                text=(first.reference_text or "") if first else "",
                page=first.page.number if first else None,
                bbox=first.bbox if first else None,
                located=first is not None,
                source=source,
                workflow_version=result.workflow_version,
            )
        )
    return out


def expected_of(values: Iterable[AnnotatedValue]) -> dict[str, Any]:
    """The ``{field: value}`` a document's annotated values stand for (line items as lists of objects).

    >>> expected_of([AnnotatedValue(path="items[0].qty", value=2), AnnotatedValue(path="total", value=3.5)])
    {'items': [{'qty': 2}], 'total': 3.5}
    """
    return nest({v.path: v.value for v in values})


def located_share(values: Iterable[AnnotatedValue]) -> tuple[int, int]:
    """``(located, non-empty)``: how many of the non-empty values have a box on the page."""
    filled = [v for v in values if v.value not in (None, "", [])]
    return sum(1 for v in filled if v.located), len(filled)
