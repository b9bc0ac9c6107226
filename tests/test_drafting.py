"""Schema from a plain-language request: names, types, columns, enums, booleans; offline and with an LLM."""

from __future__ import annotations

import pytest

from core.errors import FieldbenchError, SchemaError
from core.guide.drafting import Draft, draft_fields, draft_schema
from core.guide.request import parse_request
from core.guide.review import review_field
from core.schema import Field, is_identifier, validate_fields


def shape(fields: list[Field]) -> list[tuple[str, str]]:
    return [(f.name, f.type) for f in fields]


def columns(f: Field) -> list[tuple[str, str]]:
    return shape(f.item_fields or f.properties)


REFERENCE = (
    "Extract the invoice number, total amount, due date, and every line item with description, quantity, and unit price"
)


def test_the_reference_request() -> None:
    fields = draft_fields(REFERENCE, llm=False)
    assert shape(fields) == [
        ("invoice_number", "string"),
        ("total_amount", "number"),
        ("due_date", "date"),
        ("line_items", "array"),
    ]
    items = fields[3]
    assert items.items is not None and items.items.type == "object"
    assert columns(items) == [("description", "string"), ("quantity", "number"), ("unit_price", "number")]
    assert "YYYY-MM-DD" in fields[2].description
    assert "plain number" in fields[1].description
    assert "Rechnungsnummer" in fields[0].description


REQUESTS: list[tuple[str, list[tuple[str, str]]]] = [
    (  # the reference's own variant: no quantifier, plural head
        "Extract invoice number, total amount, due date, and line items with description, quantity, and unit price.",
        [
            ("invoice_number", "string"),
            ("total_amount", "number"),
            ("due_date", "date"),
            ("line_items", "array"),
        ],
    ),
    (  # receipt, "I need", enum in parentheses with slashes
        "I need the merchant name, the purchase date, the tip, the total and the payment method (cash/card/voucher)",
        [
            ("merchant_name", "string"),
            ("purchase_date", "date"),
            ("tip", "number"),
            ("total", "number"),
            ("payment_method", "enum"),
        ],
    ),
    (  # HR form: boolean with "whether", "number of" is a count
        "Pull out the employee name, date of birth, start date, annual salary, whether the employee is "
        "full-time, and the number of dependents",
        [
            ("employee_name", "string"),
            ("date_of_birth", "date"),
            ("start_date", "date"),
            ("annual_salary", "number"),
            ("employee_full_time", "boolean"),
            ("number_of_dependents", "integer"),
        ],
    ),
    (  # contract: leading "From each contract," and a "has been" question
        "From each contract, get the effective date, the termination date, the governing law and whether it "
        "has been signed by both parties",
        [
            ("effective_date", "date"),
            ("termination_date", "date"),
            ("governing_law", "string"),
            ("is_signed_by_both_parties", "boolean"),
        ],
    ),
    (  # shipping document as a bulleted list with an intro line
        "Please extract the following:\n- tracking number\n- shipper\n- consignee\n* total weight\n"
        "• number of packages\n1. all item descriptions",
        [
            ("tracking_number", "string"),
            ("shipper", "string"),
            ("consignee", "string"),
            ("total_weight", "number"),
            ("number_of_packages", "integer"),
            ("item_descriptions", "array"),
        ],
    ),
    (  # insurance: possessive, enum with "one of ... or ..." after a comma
        "Get the policy number, the insured person's name, the premium, and the policy type, one of life, "
        "health or property",
        [
            ("policy_number", "string"),
            ("insured_person_name", "string"),
            ("premium", "number"),
            ("policy_type", "enum"),
        ],
    ),
    (  # an object with parenthesised parts
        "shipper (name, address, country), consignee and the ship date",
        [("shipper", "object"), ("consignee", "string"), ("ship_date", "date")],
    ),
    (  # arrays of scalars from "all" and "a list of"
        "Extract all email addresses and a list of phone numbers",
        [("email_addresses", "array"), ("phone_numbers", "array")],
    ),
    (  # enum with a type head, ISO currency, a rate is a number
        "Get the document type (invoice/credit note/receipt), the currency and the VAT rate",
        [("document_type", "enum"), ("currency", "string"), ("vat_rate", "number")],
    ),
    (  # semicolons end a group of columns
        "every passenger with name, seat and ticket number; the flight number; the departure date",
        [("passengers", "array"), ("flight_number", "string"), ("departure_date", "date")],
    ),
    (  # a question, a "?" separator and "how many"
        "Is the form signed? the signature date; how many pages",
        [("is_form_signed", "boolean"), ("signature_date", "date"), ("number_of_pages", "integer")],
    ),
    (  # relative clause describes, it does not name; "name of the company" -> company
        "Extract the name of the company that issued the invoice and the invoice date from each invoice.",
        [("company_name", "string"), ("invoice_date", "date")],
    ),
    (  # yes/no marker and a deadline
        "Pull out the delivery deadline, the order number and hazardous goods (yes/no)",
        [("delivery_deadline", "date"), ("order_number", "string"), ("hazardous_goods", "boolean")],
    ),
]


@pytest.mark.parametrize(("request_text", "expected"), REQUESTS, ids=[r[0][:40] for r in REQUESTS])
def test_varied_requests(request_text: str, expected: list[tuple[str, str]]) -> None:
    fields = parse_request(request_text)
    assert shape(fields) == expected
    assert validate_fields(fields) == []
    for f in fields:  # every drafted field comes with a usable description
        codes = {x.code for x in review_field(f).all_findings()}
        assert not codes & {"missing_description", "vague", "no_format", "type_mismatch", "invalid_name"}, (
            f.name,
            f.description,
        )


def test_columns_enums_and_items() -> None:
    by_name = {f.name: f for f in parse_request(REQUESTS[1][0])}
    assert by_name["payment_method"].values == ["cash", "card", "voucher"]
    assert "one of: cash, card, voucher" in by_name["payment_method"].description
    policy = {f.name: f for f in parse_request(REQUESTS[5][0])}["policy_type"]
    assert policy.values == ["life", "health", "property"]
    doc_type = parse_request(REQUESTS[8][0])[0]
    assert doc_type.values == ["invoice", "credit note", "receipt"]
    shipper = parse_request(REQUESTS[6][0])[0]
    assert columns(shipper) == [("name", "string"), ("address", "string"), ("country", "string")]
    passengers = parse_request(REQUESTS[9][0])[0]
    assert columns(passengers) == [("name", "string"), ("seat", "string"), ("ticket_number", "string")]
    emails = parse_request(REQUESTS[7][0])[0]
    assert emails.items is not None and emails.items.type == "string" and emails.items.description


def test_invoice_number_is_an_identifier_but_number_of_pages_a_count() -> None:
    fields = parse_request("invoice number, number of pages, page count, quantity, hours worked")
    assert shape(fields) == [
        ("invoice_number", "string"),
        ("number_of_pages", "integer"),
        ("page_count", "integer"),
        ("quantity", "number"),
        ("hours_worked", "number"),
    ]


def test_line_items_without_columns_get_the_usual_ones() -> None:
    (items,) = parse_request("Extract all line items")
    assert [name for name, _ in columns(items)] == ["description", "quantity", "unit_price", "line_total"]


def test_names_are_valid_and_unique() -> None:
    fields = parse_request("class, 2nd address, total, the total, Total; Numéro de facture, import")
    names = [f.name for f in fields]
    assert all(is_identifier(n) for n in names), names
    assert len(set(names)) == len(names)
    assert names[:2] == ["class_value", "field_2nd_address"]
    assert names[2:5] == ["total", "total_2", "total_3"]
    assert "numero_de_facture" in names


@pytest.mark.parametrize("request_text", ["", "   ", "\n\n", "...", "Extract", "Please extract the following:"])
def test_an_empty_request_is_a_clear_error(request_text: str) -> None:
    with pytest.raises(SchemaError) as caught:
        draft_fields(request_text, llm=False)
    assert isinstance(caught.value, FieldbenchError) and isinstance(caught.value, ValueError)
    assert caught.value.hint and "e.g." in caught.value.hint


def test_offline_draft_says_so() -> None:
    draft = draft_schema(REFERENCE)  # no LLM configured in tests
    assert isinstance(draft, Draft) and draft.source == "offline" and draft.note is None
    assert shape(draft.fields) == shape(draft_fields(REFERENCE, llm=False))


def test_llm_drafts_the_fields(llm_server) -> None:  # type: ignore[no-untyped-def]
    from tests.llm_server import Reply

    answer = {
        "fields": [
            {
                "name": "invoice_number",
                "type": "string",
                "description": "Invoice No. in the header, as printed.",
            },
            {"name": "Total Amount", "type": "number", "description": "Grand total, as a plain number."},
            {
                "name": "line_items",
                "type": "array",
                "description": "Every row of the item table.",
                "item_type": "object",
                "properties": [
                    {"name": "quantity", "type": "number", "description": "Qty column."},
                    {"name": "unit", "type": "enum", "description": "Unit.", "values": ["pcs", "h"]},
                ],
            },
        ]
    }
    llm_server.script(Reply.answer(answer))
    draft = draft_schema(REFERENCE)
    assert draft.source == "llm" and draft.note is None
    assert shape(draft.fields) == [
        ("invoice_number", "string"),
        ("total_amount", "number"),
        ("line_items", "array"),
    ]
    assert columns(draft.fields[2]) == [("quantity", "number"), ("unit", "enum")]
    assert draft.fields[2].item_fields[1].values == ["pcs", "h"]
    assert REFERENCE in llm_server.requests[0].user_text
    assert llm_server.requests[0].schema is not None  # the answer's shape was asked for


def test_llm_failure_falls_back_to_the_offline_draft(llm_server) -> None:  # type: ignore[no-untyped-def]
    from tests.llm_server import Reply

    llm_server.script(Reply.error(401, "invalid api key"))
    draft = draft_schema(REFERENCE)
    assert draft.source == "offline"
    assert draft.note is not None and draft.note.startswith("drafted offline because") and "401" in draft.note
    assert shape(draft.fields) == shape(parse_request(REFERENCE))


def test_llm_answer_with_no_fields_falls_back(llm_server) -> None:  # type: ignore[no-untyped-def]
    from tests.llm_server import Reply

    llm_server.script(Reply.answer({"fields": []}))
    draft = draft_schema("Get the policy number and the premium")
    assert draft.source == "offline" and draft.note and "no fields" in draft.note
    assert shape(draft.fields) == [("policy_number", "string"), ("premium", "number")]


def test_an_empty_request_never_reaches_the_llm(llm_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemaError):
        draft_schema("  ")
    assert not llm_server.requests


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        (
            "1) invoice number 2) invoice date (DD.MM.YYYY)",
            [("invoice_number", "string"), ("invoice_date", "date")],
        ),
        (
            "Get every invoice line with: article, qty; the total",
            [("invoice_lines", "array"), ("total", "number")],
        ),
        ("status: one of open, closed", [("status", "enum")]),
        ("Extract the IBAN and BIC from the footer of each invoice", [("iban", "string"), ("bic", "string")]),
        ("all parties, each with name and address", [("parties", "array")]),
        ("does the contract auto-renew", [("does_contract_auto_renew", "boolean")]),
    ],
)
def test_more_request_shapes(request_text: str, expected: list[tuple[str, str]]) -> None:
    fields = parse_request(request_text)
    assert shape(fields) == expected
    assert validate_fields(fields) == []


def test_format_hints_in_parentheses_stay_in_the_description() -> None:
    (date,) = parse_request("the invoice date (DD.MM.YYYY)")
    assert "DD.MM.YYYY" in date.description and date.values == []


def test_any_text_gives_valid_fields_or_a_clear_error() -> None:
    import random
    import string

    alphabet = string.ascii_letters + " ,;()/:-?\n'\"."
    rng = random.Random(7)
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        try:
            fields = parse_request(text)
        except SchemaError:
            continue
        assert fields and validate_fields(fields) == [], text
