"""Clause reading on synthesised contracts: parties from the preamble, governing law, term, effective date."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from core.documents import load_document
from core.evaluation import evaluate, load_dataset
from core.extraction.local import LocalEngine
from core.extraction.local.clauses import canonical_party, read_parties
from core.extraction.local.layout import build_layout
from core.extraction.local.prose import build_prose
from core.schema import Field, Workflow

PREAMBLE = (
    "MUTUAL NON-DISCLOSURE AGREEMENT. This Agreement is made and entered into as of March 3, 2015 (the "
    "\u201cEffective Date\u201d) by and between Northwind Traders, Inc., a Delaware corporation with offices at "
    "12 Main Street, Springfield (\u201cNorthwind\u201d), and Blue Harbor & Sons, L.P., a limited partnership "
    "(\u201cBlue Harbor\u201d). WHEREAS, the parties wish to explore a business relationship. 1. Confidential "
    "Information. Each party shall keep the other's information confidential. Northwind is organized under the "
    "laws of the State of Delaware. 2. Term. The obligations of the parties under this Agreement shall expire "
    "two (2) years after the Effective Date. Notice must be given within thirty (30) days. 3. Governing Law. "
    "This Agreement shall be governed by and construed in accordance with the laws of the State of New York. "
    "IN WITNESS WHEREOF the parties have signed this Agreement. By: Jane Roe Date: April 1, 2015"
)


def _contract(text: str = PREAMBLE) -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), text, fontsize=10)
    return pdf.tobytes()


WORKFLOW = Workflow(
    name="NDAs",
    fields=[
        Field(name="party", type="array", items=Field(name="party"), description="Every party to the agreement."),
        Field(name="effective_date", type="date", description="The date the agreement is effective."),
        Field(name="jurisdiction", description="The state whose law governs the agreement."),
        Field(name="term", description="How long the agreement lasts, e.g. '2 years'."),
    ],
)


def test_a_contract_s_clauses_are_read_from_its_running_text() -> None:
    result = LocalEngine().extract(load_document(_contract(), name="nda.pdf"), WORKFLOW)
    values = result.values()
    assert values["party"] == ["Northwind Traders Inc.", "Blue Harbor and Sons LP"]
    assert values["effective_date"] == "2015-03-03"  # not the signature date
    assert values["jurisdiction"] == "New York"  # not where a party is incorporated
    assert values["term"] == "2 years"  # not the notice period
    assert result.extractions["jurisdiction"].citations[0].reference_text.startswith("New")


def test_parties_are_distinct_entities_not_fragments() -> None:
    text = (
        "AGREEMENT between Acme Widgets, Inc. (\u201cAcme\u201d) and ACME WIDGETS INC (\u201cBuyer\u201d). WHEREAS x."
    )
    prose = build_prose(build_layout(load_document(_contract(text), name="x.pdf")))
    assert [p.value for p in read_parties(prose)] == ["Acme Widgets Inc."]


def test_a_letter_agreement_names_its_sender_and_addressee() -> None:
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for y, line in enumerate(["Orion Capital, LLC", "1 Harbor Road", "Vega Holdings, Inc.", "Ladies and Gentlemen:"]):
        page.insert_text((50, 60 + 16 * y), line, fontsize=10)
    page.insert_text((50, 140), "You have asked for information about the company.", fontsize=10)
    prose = build_prose(build_layout(load_document(pdf.tobytes(), name="letter.pdf")))
    assert [p.value for p in read_parties(prose)] == ["Orion Capital LLC", "Vega Holdings Inc."]


def _signed(blocks: list[list[tuple[float, str]]]) -> bytes:
    """An employee's agreement whose preamble names only the company; ``blocks``: signature lines, each a list
    of (x, text) printed on one row."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    body = (
        "CONFIDENTIALITY AGREEMENT. This Agreement is made by and between Acme Holdings, Inc., a Delaware "
        "corporation (the \u201cCompany\u201d), and the undersigned (the \u201cEmployee\u201d). WHEREAS the "
        "Employee will learn confidential information. 1. The Employee shall keep it confidential. IN WITNESS "
        "WHEREOF, the parties have executed this Agreement."
    )
    page.insert_textbox(pymupdf.Rect(50, 50, 545, 200), body, fontsize=10)
    for k, row in enumerate(blocks):
        for x, text in row:
            page.insert_text((x, 240 + 16 * k), text, fontsize=10)
    return pdf.tobytes()


@pytest.mark.parametrize(
    "blocks",
    [
        # Side by side: the company's officer under its name, the employee under the role.
        [
            [(50, "ACME HOLDINGS, INC."), (320, "EMPLOYEE")],
            [(50, "By: /s/ John Officer"), (320, "/s/ Jane Q. Doe")],
            [(50, "Title: President"), (320, "Jane Q. Doe")],
        ],
        # Signed by hand: the printed names under the signature lines.
        [
            [(50, "ACME HOLDINGS, INC."), (320, "EMPLOYEE")],
            [(50, "By: ____________"), (320, "____________")],
            [(50, "Name: John Officer"), (320, "Name: Jane Q. Doe")],
            [(50, "Title: President"), (320, "Date: May 1, 2020")],
        ],
        # Stacked, "By:" printed apart from the signature on both.
        [
            [(50, "ACME HOLDINGS, INC.")],
            [(50, "By:"), (120, "/s/ John Officer")],
            [(50, "SECOND PARTY")],
            [(50, "By:"), (120, "/s/ Jane Q. Doe")],
        ],
    ],
)
def test_a_party_named_only_at_its_signature_is_read_there(blocks: list[list[tuple[float, str]]]) -> None:
    result = LocalEngine().extract(load_document(_signed(blocks), name="nda.pdf"), WORKFLOW)
    assert result.values()["party"] == ["Acme Holdings Inc.", "Jane Q. Doe"]  # not the officer who signs for Acme
    assert result.extractions["party"].citations[-1].reference_text == "Jane Q. Doe"


def test_a_party_s_short_name_is_not_another_party() -> None:
    text = "AGREEMENT between Telenor ASA (\u201cTelenor\u201d) and Telenor (\u201cT\u201d) and Orion Ltd. WHEREAS x."
    prose = build_prose(build_layout(load_document(_contract(text), name="x.pdf")))
    assert [p.value for p in read_parties(prose)] == ["Telenor ASA", "Orion Ltd."]


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("NIKE, Inc.", "NIKE Inc."),
        ("Escalade, Incorporated", "Escalade Inc."),
        ("Colt’s Manufacturing", "Colt's Manufacturing"),
    ],
)
def test_party_names_have_one_canonical_form(printed: str, canonical: str) -> None:
    assert canonical_party(printed) == canonical


def test_nda_dev_clauses_beat_a_floor(external_datasets: Path) -> None:
    folder = external_datasets / "nda-dev"
    if not folder.is_dir():
        pytest.skip("nda-dev not present")
    dataset = load_dataset(folder)
    dataset = dataset.model_copy(update={"documents": dataset.documents[:10]})
    report = evaluate(dataset, engine="local")
    assert report.micro_f1 >= 0.6, report.micro_f1
