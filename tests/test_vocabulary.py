"""The vocabulary (core.vocabulary): one concept table read by the guide, the drafter and the local engine; word
lists in the form the code compares them in."""

from __future__ import annotations

from collections import Counter
from typing import get_args

import pytest

from core.extraction.local.cues import detect_concept, read_cues
from core.extraction.local.kinds import extraction_kind
from core.extraction.local.tables.labels import normalize_label
from core.guide.describe import build_description
from core.guide.review import review_field
from core.schema import Field
from core.vocabulary import concepts
from core.vocabulary.columns import COLUMN_LABELS
from core.vocabulary.concepts import BY_KEY, CONCEPTS, IDENTIFIER_CONCEPTS, find_concept
from core.vocabulary.kinds import HEAD_WORDS, ValueKind, named_kind
from core.vocabulary.summary import CARRY_WORDS, RECEIPT_END_WORDS, SUMMARY_CONCEPTS, SUMMARY_WORDS


def test_no_alias_names_two_concepts() -> None:
    # The guide's lookup takes the first exact alias and the longest suffix: an alias in two rows would make
    # the table's order decide what a field is.
    counts = Counter(alias for c in CONCEPTS for alias in c.aliases)
    assert [a for a, n in counts.items() if n > 1] == []


def test_every_concept_the_guide_finds_can_be_described() -> None:
    for c in CONCEPTS:
        if c.aliases:
            assert c.lead and c.where, c.key


def test_the_guide_and_the_engine_read_the_same_row() -> None:
    # The guide quotes a concept's labels in a suggestion; the engine looks for the same concept's labels.
    field = Field(name="invoice_date", type="date")
    concept = find_concept(["invoice", "date"])
    assert concept is not None and concept[0].key == "issue_date"
    assert detect_concept(field) == "issue_date"
    assert "Rechnungsdatum" in build_description(field)
    engine_labels = {label.phrase for label in read_cues(field).labels if label.source == "synonym"}
    assert set(BY_KEY["issue_date"].labels) <= engine_labels


def test_table_rows_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        concepts._parse("x (money)\n  lead: X")
    with pytest.raises(ValueError, match="unknown attributes"):
        concepts._parse("x (amount)\n  qouted: X")
    (parsed,) = concepts._parse("x (amount)\n  labels: A; B;\n    C d\n  lead: The\n    x")
    assert parsed.labels == ("A", "B", "C d") and parsed.lead == "The x" and parsed.kind == "amount"


def test_identifier_concepts_are_read_as_identifiers() -> None:
    assert {"invoice_number", "vat_id", "iban", "order_number"} <= IDENTIFIER_CONCEPTS
    assert extraction_kind(Field(name="invoice_number"), read_cues(Field(name="invoice_number"))) == "identifier"
    assert extraction_kind(Field(name="bic"), read_cues(Field(name="bic"))) == "identifier"


def test_kinds_are_value_kinds() -> None:
    kinds = set(get_args(ValueKind))
    assert set(HEAD_WORDS.values()) <= kinds
    assert {c.kind for c in CONCEPTS} - {None} <= kinds
    assert named_kind("number_of_pages") == "count" and named_kind("total_amount") == "amount"


def test_summary_concepts_are_concepts() -> None:
    assert set(BY_KEY) >= SUMMARY_CONCEPTS


@pytest.mark.parametrize(
    "words",
    [SUMMARY_WORDS, RECEIPT_END_WORDS, CARRY_WORDS, *COLUMN_LABELS.values()],
    ids=["summary", "receipt end", "carry", *COLUMN_LABELS],
)
def test_table_words_are_in_the_form_they_are_compared_in(words: tuple[str, ...]) -> None:
    # These lists are compared with normalize_label()'d text: a word with an accent or capital never matches.
    assert [w for w in words if normalize_label(w) != w] == []
    assert len(set(words)) == len(words)


@pytest.mark.parametrize("name", ["is_paid", "were_goods_damaged", "should_renew", "had_accident"])
def test_a_boolean_named_as_a_question_needs_no_question_in_its_description(name: str) -> None:
    field = Field(name=name, type="boolean", description="The damage flag on the claim form")
    assert "boolean_question" not in {f.code for f in review_field(field).findings}
