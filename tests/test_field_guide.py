"""The field guide: each check fires on a bad description and not on a good one; scores; suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import SchemaError
from core.guide.examples import examples
from core.guide.review import PENALTIES, FieldReview, GuideReport, review_field, review_workflow, suggest_description
from core.schema import ITEM_NAME, Field, fields_from_dataset


def codes(review: FieldReview | GuideReport) -> set[str]:
    return {f.code for f in review.all_findings()}


def rows(*columns: Field) -> Field:
    return Field(name=ITEM_NAME, type="object", properties=list(columns))


GOOD_NUMBER = Field(
    name="invoice_number",
    description="The invoice number (Invoice No., Rechnungsnummer, N° de facture) in the document header, "
    "exactly as printed. Not the order number.",
)
GOOD_DATE = Field(
    name="issue_date",
    type="date",
    description="The date the invoice was issued (Invoice date, Rechnungsdatum) in the header, returned as YYYY-MM-DD.",
)
GOOD_TOTAL = Field(
    name="total_amount",
    type="number",
    description="The final amount including taxes (Total, Gesamtbetrag, Total TTC) at the bottom of the "
    "totals block, as a plain number with a dot as decimal separator.",
)
GOOD_PAID = Field(
    name="paid",
    type="boolean",
    description="Whether the invoice is marked as already paid ('Paid', 'Bezahlt'): true if so.",
)

# (code, a field that must trigger it, a field that must not)
CASES = [
    ("missing_description", Field(name="invoice_number"), GOOD_NUMBER),
    ("vague", Field(name="invoice_number", description="the number"), GOOD_NUMBER),
    ("vague", Field(name="issue_date", type="date", description="date"), GOOD_DATE),
    ("vague", Field(name="total_amount", type="number", description="Total amount"), GOOD_TOTAL),
    ("too_short", Field(name="seller", description="Company on letterhead"), GOOD_NUMBER),
    (
        "no_format",
        Field(name="issue_date", type="date", description="The date the invoice was issued (Invoice date)."),
        GOOD_DATE,
    ),
    (
        "no_format",
        Field(name="total_amount", type="number", description="The final amount including taxes (Total)."),
        GOOD_TOTAL,
    ),
    (
        "no_location",
        Field(
            name="policy_number",
            description="The number that identifies the insurance policy, exactly as printed without spaces.",
        ),
        Field(
            name="policy_number",
            description="The number labelled 'Policy No.' on the first page, without spaces.",
        ),
    ),
    (
        "type_mismatch",
        Field(name="total_amount", description=GOOD_TOTAL.description),
        GOOD_TOTAL,
    ),
    (
        "type_mismatch",
        Field(name="due_date", description="The payment due date (Due date, Fällig am), returned as YYYY-MM-DD."),
        GOOD_DATE,
    ),
    (
        "type_mismatch",
        Field(name="seller_name", type="number", description="Name of the seller (Lieferant) in the letterhead."),
        Field(name="seller_name", description="Name of the seller (Lieferant) in the letterhead."),
    ),
    (
        "type_mismatch",
        Field(name="invoice_number", type="integer", description=GOOD_NUMBER.description),
        GOOD_NUMBER,
    ),
    (
        "type_mismatch",
        Field(
            name="field_a",
            type="string",
            description="The total amount due (Total) in the totals block, as a plain number.",
        ),
        Field(
            name="field_a",
            type="number",
            description="The total amount due (Total) in the totals block, as a plain number.",
        ),
    ),
    (
        "type_mismatch",
        Field(name="is_paid", description="Whether the invoice is marked as paid ('Paid', 'Bezahlt')."),
        Field(name="is_paid", type="boolean", description="Whether the invoice is marked as paid ('Paid')."),
    ),
    (
        "type_mismatch",
        Field(name="invoice_number", type="date", description=GOOD_NUMBER.description),
        GOOD_NUMBER,
    ),
    (
        "boolean_question",
        Field(name="paid", type="boolean", description="Payment status stamp ('Paid', 'Bezahlt')."),
        GOOD_PAID,
    ),
    ("invalid_name", Field(name="2nd_total", type="number", description=GOOD_TOTAL.description), GOOD_TOTAL),
    ("invalid_name", Field(name="class", description=GOOD_NUMBER.description), GOOD_NUMBER),
    ("invalid_name", Field(name="invoice number", description=GOOD_NUMBER.description), GOOD_NUMBER),
    (
        "enum_no_values",
        Field(
            name="doc_type",
            type="enum",
            description="The kind of document from its title (Invoice, Receipt).",
        ),
        Field(
            name="doc_type",
            type="enum",
            values=["invoice", "receipt"],
            description="The kind of document from its title (Invoice, Receipt).",
        ),
    ),
    (
        "object_no_properties",
        Field(name="seller_address", type="object", description="The seller's address block in the letterhead."),
        Field(
            name="seller_address",
            type="object",
            description="The seller's address block in the letterhead.",
            properties=[Field(name="city", description="City of the seller's address block (Ort, Ville).")],
        ),
    ),
    (
        "array_items",
        Field(name="line_items", type="array", description="Every row of the item table, in order."),
        Field(
            name="line_items",
            type="array",
            description="Every row of the item table, in order.",
            items=rows(
                Field(
                    name="quantity",
                    type="number",
                    description="Billed quantity (Qty, Menge) in the quantity column, as a plain number.",
                )
            ),
        ),
    ),
    (
        "array_items",
        Field(name="line_items", type="array", description="Every row of the item table.", items=rows()),
        Field(
            name="tracking_numbers",
            type="array",
            description="Tracking numbers.",
            items=Field(name=ITEM_NAME, description="One tracking number (Tracking No.) exactly as printed."),
        ),
    ),
    (
        "array_items",
        Field(
            name="tracking_numbers",
            type="array",
            description="Tracking numbers.",
            items=Field(name=ITEM_NAME),
        ),
        Field(
            name="tracking_numbers",
            type="array",
            description="Every tracking number on the shipping label (Tracking No.), one entry each.",
            items=Field(name=ITEM_NAME),
        ),
    ),
]


@pytest.mark.parametrize(("code", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_check_fires_on_bad_and_not_on_good(code: str, bad: Field, good: Field) -> None:
    bad_review = review_field(bad)
    assert code in codes(bad_review), [f.message for f in bad_review.all_findings()]
    assert code not in codes(review_field(good))
    assert review_field(good).score > bad_review.score


def test_findings_say_what_to_do_and_where() -> None:
    review = review_field(Field(name="issue_date", type="date", description="The date the invoice was issued."))
    finding = next(f for f in review.findings if f.code == "no_format")
    assert finding.field == "issue_date"
    assert "YYYY-MM-DD" in finding.message
    mismatch = review_field(Field(name="total_amount", description=GOOD_TOTAL.description)).findings
    assert any("use type number" in f.message for f in mismatch)


def test_nested_fields_are_reviewed_with_their_path() -> None:
    items = Field(
        name="line_items",
        type="array",
        description="Every row of the item table (Pos.), in order of appearance.",
        items=rows(
            Field(name="description", description="Article name of the line in the description column."),
            Field(name="quantity", description="qty"),
        ),
    )
    report = review_workflow([GOOD_NUMBER, items], llm=False)
    quantity = report.review("line_items.quantity")
    assert {"vague", "type_mismatch"} <= codes(quantity)
    assert all(f.field == "line_items.quantity" for f in quantity.findings)
    assert "line_items.quantity" in {f.field for f in report.all_findings()}
    parent = report.review("line_items")
    assert parent.score < 100  # a weak column pulls the table down
    assert parent.score == round((100 + sum(c.score for c in parent.children)) / (1 + len(parent.children)))


def test_scores_follow_the_documented_rubric() -> None:
    one_warning = review_field(Field(name="issue_date", type="date", description=GOOD_DATE.description[:-25] + "."))
    assert [f.severity for f in one_warning.findings] == ["warning"]
    assert one_warning.score == 100 - PENALTIES["warning"]
    assert review_field(GOOD_DATE).score == 100
    assert review_field(Field(name="x", type="enum")).score == 0  # floors at zero


def test_overlapping_fields_are_flagged_and_distinct_ones_not() -> None:
    total = Field(name="total", type="number", description="the total")
    total_amount = Field(name="total_amount", type="number", description="the total amount")
    report = review_workflow([total, total_amount, GOOD_DATE], llm=False)
    overlaps = [f for f in report.all_findings() if f.code == "overlap"]
    assert {f.field for f in overlaps} == {"total", "total_amount"}
    assert "total_amount" in next(f.message for f in overlaps if f.field == "total")
    net = Field(
        name="net_amount",
        type="number",
        description="The amount before taxes (Subtotal, Nettobetrag) in the totals block, as a plain number. "
        "Not the total.",
    )
    assert "overlap" not in codes(review_workflow([GOOD_TOTAL, net, GOOD_DATE], llm=False))


@pytest.mark.parametrize("name", ["invoice2data", "zugferd-dev"])
def test_dataset_schemas_score_high(datasets: Path, name: str) -> None:
    raw = json.loads((datasets / name / "schema.json").read_text(encoding="utf-8"))
    report = review_workflow(fields_from_dataset(raw["fields"]), llm=False)
    assert report.score >= 85
    assert all(r.score >= 70 for top in report.fields for r in top.walk())
    bad = {"missing_description", "vague", "too_short", "type_mismatch", "overlap", "invalid_name"}
    assert not bad & codes(report)


def test_a_vague_workflow_scores_low() -> None:
    vague = [
        Field(name="number", description="the number"),
        Field(name="date", type="date", description="date"),
        Field(name="amount", description="amount"),
        Field(name="total", type="number"),
    ]
    report = review_workflow(vague, llm=False)
    assert report.score < 50
    assert all(r.suggestion for r in report.fields)


def test_workflow_level_findings() -> None:
    empty = review_workflow([], llm=False)
    assert empty.score == 0 and codes(empty) == {"no_fields"}
    twice = review_workflow([GOOD_NUMBER, GOOD_NUMBER], llm=False)
    assert "duplicate_name" in {f.code for f in twice.findings}
    assert twice.score == 100 - 25


def test_suggestions_add_formats_labels_and_keep_the_users_text() -> None:
    date = suggest_description(Field(name="policy_start", type="date", description="Date the policy starts"))
    assert date is not None and date.startswith("Date the policy starts") and "YYYY-MM-DD" in date
    amount = suggest_description(Field(name="premium", type="number", description="Yearly premium to pay"))
    assert amount is not None and amount.startswith("Yearly premium to pay")
    assert "plain number with a dot as decimal separator" in amount
    known = suggest_description(Field(name="invoice_number", description="the number"))
    assert known is not None and "Rechnungsnummer" in known and "N° de facture" in known
    unknown = suggest_description(Field(name="permit_number"))
    assert unknown is not None and "'Permit number'" in unknown
    assert suggest_description(GOOD_DATE) is None  # nothing to improve


@pytest.mark.parametrize(
    "field",
    [
        Field(name="invoice_number", description="the number"),
        Field(name="due_date", type="date"),
        Field(name="total", type="number", description="the total"),
        Field(name="policy_number"),
        Field(name="contract_end", type="date", description="When the contract ends"),
        Field(name="insured_sum", type="number", description="Sum insured"),
        Field(name="vat_id", description="vat id"),
        Field(name="signatories", type="array", items=Field(name=ITEM_NAME)),
        Field(name="is_signed", type="boolean"),
        Field(name="doc_type", type="enum", values=["invoice", "receipt"]),
    ],
    ids=lambda f: f.name,
)
def test_applying_the_suggestion_clears_the_description_findings(field: Field) -> None:
    suggestion = suggest_description(field)
    assert suggestion
    improved = field.model_copy(update={"description": suggestion})
    left = codes(review_field(improved)) & {
        "missing_description",
        "vague",
        "too_short",
        "no_format",
        "no_location",
        "boolean_question",
        "array_items",
    }
    assert not left, suggestion
    assert review_field(improved).score > review_field(field).score


@pytest.mark.parametrize("field_type", ["string", "number", "integer", "boolean", "date", "enum", "array", "object"])
def test_examples_per_type_are_good_descriptions(field_type: str) -> None:
    found = examples(field_type)
    assert 2 <= len(found) <= 4
    for text in found:
        review = review_field(
            Field(
                name="example",
                type="string" if field_type in ("enum", "array", "object") else field_type,
                description=text,
            )
        )  # type: ignore[arg-type]
        assert not codes(review) & {"vague", "too_short", "no_format", "missing_description"}, text


def test_examples_of_an_unknown_type_is_a_clear_error() -> None:
    with pytest.raises(SchemaError, match="unknown field type"):
        examples("money")


def test_no_llm_configured_means_no_llm_request_and_no_note(llm_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FIELDBENCH_LLM_MODEL")
    report = review_workflow([Field(name="total", type="number", description="the total")])
    assert report.note is None and not llm_server.requests
    assert report.fields[0].llm_suggestion is None


def test_llm_adds_improved_descriptions(llm_server) -> None:  # type: ignore[no-untyped-def]
    from tests.llm_server import Reply

    better = "Grand total including VAT (Total, Gesamtbetrag) as a plain number with a dot as decimal separator."
    llm_server.script(Reply.answer({"fields": [{"path": "line_items.quantity", "description": better}]}))
    fields = [
        GOOD_NUMBER,
        Field(
            name="line_items",
            type="array",
            description="Every row of the item table (Pos.), in order.",
            items=rows(Field(name="quantity", type="number", description="qty")),
        ),
    ]
    report = review_workflow(fields)
    assert report.note is None
    assert report.review("line_items.quantity").llm_suggestion == better
    assert report.review("line_items.quantity").suggestion  # the offline one stays
    assert len(llm_server.requests) == 1
    asked = llm_server.requests[0].user_text
    assert "line_items.quantity" in asked and "invoice_number" not in asked  # only fields that need help


def test_llm_failure_keeps_offline_suggestions_and_says_why(llm_server) -> None:  # type: ignore[no-untyped-def]
    from tests.llm_server import Reply

    llm_server.script(Reply.error(401, "bad key"))
    report = review_workflow([Field(name="total", type="number", description="the total")])
    assert report.note is not None and "LLM suggestions unavailable" in report.note and "401" in report.note
    assert report.fields[0].suggestion and report.fields[0].llm_suggestion is None


@pytest.mark.parametrize(
    ("a", "a_text", "b", "b_text", "overlap"),
    [
        ("total", "Total", "total_amount", "Total amount", True),
        ("invoice_date", "The invoice date", "date", "The date of the invoice", True),
        ("customer_number", "Customer number", "customer_id", "Customer ID", True),
        ("amount", "", "total", "", True),
        ("seller_name", "Name of the seller", "buyer_name", "Name of the buyer", False),
        ("invoice_date", "Date of the invoice", "due_date", "Due date of the invoice", False),
        ("start_date", "Start date of the contract", "end_date", "End date of the contract", False),
        ("net_amount", "Net amount", "gross_amount", "Gross amount", False),
        ("phone", "Phone number of the seller", "fax", "Fax number of the seller", False),
    ],
)
def test_overlap_pairs(a: str, a_text: str, b: str, b_text: str, overlap: bool) -> None:
    report = review_workflow([Field(name=a, description=a_text), Field(name=b, description=b_text)], llm=False)
    flagged = {f.field for f in report.all_findings() if f.code == "overlap"}
    assert flagged == ({a, b} if overlap else set())
