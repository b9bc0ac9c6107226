"""The local engine's cost stays linear in the number of fields and in the length of a description.

Before: 520 fields took 38-58 s (a cue cache cleared at 512 entries, and every field compared with every other
one), 2,000 similar fields 9 s (overlapping label hits compared pairwise), and a 16,000-word description
without a full stop minutes (regexes retried at every position). The bounds below are far above what the
linear code takes on this machine (well under a second) and far below what the quadratic code took.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.documents import Document, load_document
from core.extraction.local.cues import read_cues
from core.extraction.local.engine import LocalEngine
from core.schema import Field, Workflow

# Seconds of CPU one extraction may take in these tests (the linear code needs a tenth of it or less).
BOUND = 15.0


@pytest.fixture(scope="module")
def invoice() -> Document:
    return load_document(Path(__file__).resolve().parents[1] / "sample_docs" / "invoice_en.pdf")


def _cpu_seconds(document: Document, fields: list[Field]) -> float:
    start = time.process_time()
    result = LocalEngine().extract(document, Workflow(name="many", fields=fields))
    assert list(result.extractions) == [f.name for f in fields]
    return time.process_time() - start


def test_thousands_of_distinct_fields_cost_linear_time(invoice: Document) -> None:
    kinds = ["string", "number", "date"]
    fields = [
        Field(name=f"field_{i}", type=kinds[i % 3], description=f"The value {i} of the form") for i in range(3000)
    ]
    assert _cpu_seconds(invoice, fields) < BOUND


def test_thousands_of_similar_fields_cost_linear_time(invoice: Document) -> None:
    # Every field's labels hit the same words: rivals and overlaps are compared by position, not pairwise.
    fields = [
        Field(name=f"total_{i}", type="number", description="The total amount (Total, Amount due)") for i in range(3000)
    ]
    assert _cpu_seconds(invoice, fields) < BOUND


def test_similar_fields_still_find_the_total(invoice: Document) -> None:
    fields = [Field(name=f"total_{i}", type="number", description="The total amount (Total)") for i in range(3)]
    result = LocalEngine().extract(invoice, Workflow(name="few", fields=fields))
    values = {result.extractions[f.name].value for f in fields}
    assert len(values) == 1 and None not in values


@pytest.mark.parametrize(
    "unit",
    ["word ", "(label a) ", "# ", "not a; (b) ", '"quoted" ', "e.g. X1, ", "   ", "leave empty "],
)
def test_long_descriptions_are_read_in_linear_time(unit: str) -> None:
    description = unit * 20_000  # 60-240 thousand characters, no full stop
    start = time.process_time()
    read_cues(Field(name="note", type="string", description=description))
    assert time.process_time() - start < BOUND / 3


def test_cues_of_a_long_description_are_the_ones_it_names() -> None:
    cues = read_cues(Field(name="due", type="date", description="(Due on) " * 500 + "Not the order date"))
    assert [label.phrase for label in cues.labels if label.source == "description"] == ["Due on"]
    assert "order date" in [n.phrase for n in cues.negatives]
