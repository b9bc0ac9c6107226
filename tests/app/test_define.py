"""The Define page: demo on first start, create a workflow, add fields, save, reopen, versions, import."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.demo import DEMO_WORKFLOW_ID
from core.store import Store
from tests.app.markdown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def new_app() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("pages/define.py")
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def at() -> AppTest:
    # The store is a cache_resource: each test starts with its own (its FIELDBENCH_HOME is per test).
    st.cache_resource.clear()
    st.cache_data.clear()
    return new_app()


def key(app: AppTest, name: str) -> str:
    return f"define_{name}_{app.session_state['define_rev']}"


def rows(app: AppTest, index: int = 0) -> list[dict[str, Any]]:
    return app.data_editor[index].value.to_dict("records")  # type: ignore[no-any-return]


def button(app: AppTest, label: str) -> Any:
    matches = [b for b in app.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in app.button]}"
    return matches[0]


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def start_new(app: AppTest) -> None:
    app.selectbox(key=key(app, "pick")).set_value("__new__")
    run(app)
    assert app.text_input(key=key(app, "name")).value == ""
    assert rows(app) == []


def stored() -> list[Any]:
    store = Store.open()
    try:
        return store.workflows.list()
    finally:
        store.close()


def test_the_demo_workflow_exists_on_first_start(at: AppTest) -> None:
    assert at.title[0].value == "Define"
    assert at.selectbox(key=key(at, "pick")).value == DEMO_WORKFLOW_ID
    assert at.text_input(key=key(at, "name")).value == "Demo invoices"
    names = [r["name"] for r in rows(at)]
    assert "invoice_number" in names and "line_items" in names
    assert at.metric[0].label == "Readiness"
    assert [w.id for w in stored()] == [DEMO_WORKFLOW_ID]


def test_create_add_fields_save_reopen_and_version_history(at: AppTest) -> None:
    start_new(at)
    at.text_input(key=key(at, "name")).set_value("Receipts")
    at.session_state[key(at, "fields")] = {
        "edited_rows": {},
        "added_rows": [
            {
                "name": "total",
                "type": "number",
                "description": "Total incl. tax, as a plain number",
                "required": True,
            },
            {
                "name": "receipt_date",
                "type": "date",
                "description": "The purchase date, as YYYY-MM-DD",
                "required": False,
            },
        ],
        "deleted_rows": [],
    }
    run(at)
    button(at, "Save").click()
    run(at)
    assert not at.error
    assert "Created" in at.success[0].value
    [receipts] = [w for w in stored() if w.name == "Receipts"]
    assert [(f.name, f.type, f.required) for f in receipts.fields] == [
        ("total", "number", True),
        ("receipt_date", "date", False),
    ]

    # A new session (a browser reload) reads it back from the store.
    again = new_app()
    again.selectbox(key=key(again, "pick")).set_value(receipts.id)
    run(again)
    assert again.text_input(key=key(again, "name")).value == "Receipts"
    assert [r["name"] for r in rows(again)] == ["total", "receipt_date"]

    # Editing a field and saving makes version 2; the history lists both.
    again.session_state[key(again, "fields")] = {
        "edited_rows": {1: {"type": "string"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    run(again)
    button(again, "Save").click()
    run(again)
    assert "version 2" in again.success[0].value
    history_rows = [d for d in again.dataframe if "what changed" in d.value.columns]
    assert len(history_rows) == 1
    table = history_rows[0].value
    assert list(table["version"]) == [1, 2]
    assert "receipt_date (type date → string)" in table["what changed"].iloc[1]

    # The older version stays readable (read-only) in the history tab.
    again.selectbox(key=key(again, "history_pick")).set_value(1)
    run(again)
    old = [d.value for d in again.dataframe if "what changed" not in d.value.columns][-1]
    assert list(old["type"]) == ["number", "date"]


def test_metadata_only_edits_keep_the_version(at: AppTest) -> None:
    at.text_area(key=key(at, "description")).set_value("My own demo")
    run(at)
    button(at, "Save").click()
    run(at)
    assert "still version 1" in at.success[0].value
    [demo] = stored()
    assert demo.description == "My own demo" and demo.version == 1


def test_sub_fields_of_an_array_of_objects_are_edited_in_a_second_table(at: AppTest) -> None:
    start_new(at)
    at.text_input(key=key(at, "name")).set_value("Orders")
    at.session_state[key(at, "fields")] = {
        "edited_rows": {},
        "added_rows": [{"name": "lines", "type": "array", "items": "object", "description": "Every order line"}],
        "deleted_rows": [],
    }
    run(at)
    at.selectbox(key=key(at, "sub_pick")).set_value("lines")
    run(at)
    assert len(at.data_editor) == 2 and rows(at, 1) == []
    at.session_state[key(at, "subfields")] = {
        "edited_rows": {},
        "added_rows": [
            {"name": "sku", "type": "string"},
            {"name": "qty", "type": "integer", "required": True},
        ],
        "deleted_rows": [],
    }
    run(at)
    button(at, "Save").click()
    run(at)
    [orders] = [w for w in stored() if w.name == "Orders"]
    assert [(f.name, f.type, f.required) for f in orders.fields[0].item_fields] == [
        ("sku", "string", False),
        ("qty", "integer", True),
    ]


def test_invalid_fields_are_listed_and_not_saved(at: AppTest) -> None:
    start_new(at)
    at.text_input(key=key(at, "name")).set_value("Broken")
    at.session_state[key(at, "fields")] = {
        "edited_rows": {},
        "added_rows": [
            {"name": "2nd", "type": "string", "description": "x"},
            {"name": "kind", "type": "enum"},
            {"name": "dup", "type": "date", "description": "a date"},
            {"name": "dup", "type": "date", "description": "a date"},
        ],
        "deleted_rows": [],
    }
    run(at)
    warning = shown(at.warning[0].value)
    assert "- 2nd: name '2nd' is not an identifier" in warning and "- kind: an enum needs at least one value" in warning
    assert "duplicate field name 'dup'" in warning
    button(at, "Save").click()
    run(at)
    assert at.error and "3 problem(s)" in at.error[0].value
    assert [w.name for w in stored()] == ["Demo invoices"]


def test_importing_an_invalid_schema_shows_every_error_and_saves_nothing(at: AppTest) -> None:
    before = rows(at)
    bad = {
        "type": "object",
        "properties": {"1st": {"type": "string"}, "due": {"type": "string", "format": "date"}},
        "required": ["nope"],
    }
    at.file_uploader(key=key(at, "import_file")).upload("bad.json", json.dumps(bad).encode(), "application/json")
    run(at)
    button(at, "Import fields").click()
    run(at)
    message = shown(at.error[0].value)
    assert "bad.json was not imported: 3 problem(s)" in message
    assert "$.properties.due.format" in message and "$.required[0]" in message
    assert rows(at) == before
    [demo] = stored()
    assert demo.version == 1

    at.file_uploader(key=key(at, "import_file")).upload("notes.json", b"invoice number, total", "application/json")
    run(at)
    button(at, "Import fields").click()
    run(at)
    assert "not JSON" in at.error[0].value


def test_importing_a_dataset_schema_fills_the_editor_until_saved(at: AppTest, datasets: Any) -> None:
    start_new(at)
    content = (datasets / "zugferd-dev" / "schema.json").read_bytes()
    at.file_uploader(key=key(at, "import_file")).upload("schema.json", content, "application/json")
    run(at)
    button(at, "Import fields").click()
    run(at)
    assert "Imported 12 fields" in at.success[0].value
    assert at.text_input(key=key(at, "name")).value == "E-invoices"
    assert len(rows(at)) == 12
    assert [w.name for w in stored()] == ["Demo invoices"]
    button(at, "Save").click()
    run(at)
    assert sorted(w.name for w in stored()) == ["Demo invoices", "E-invoices"]


def test_field_guide_suggestion_is_applied_with_one_click(at: AppTest) -> None:
    start_new(at)
    at.text_input(key=key(at, "name")).set_value("Vague")
    at.session_state[key(at, "fields")] = {
        "edited_rows": {},
        "added_rows": [{"name": "due_date", "type": "date", "description": "the date"}],
        "deleted_rows": [],
    }
    run(at)
    apply = button(at, "Apply suggestion")
    apply.click()
    run(at)
    description = rows(at)[0]["description"]
    assert description != "the date" and "YYYY-MM-DD" in description
    assert [w.name for w in stored()] == ["Demo invoices"]


def test_draft_from_a_request_is_shown_then_used(at: AppTest) -> None:
    start_new(at)
    at.text_area(key="define_request").set_value(
        "Extract the invoice number, total amount, due date, and every line item with description and quantity"
    )
    button(at, "Draft fields").click()
    run(at)
    expected = ["invoice_number", "total_amount", "due_date", "line_items"]
    assert any(list(d.value["name"]) == expected for d in at.dataframe if "name" in d.value.columns)
    assert rows(at) == []  # shown for review, not yet in the editor
    button(at, "Use these fields").click()
    run(at)
    assert [r["name"] for r in rows(at)] == ["invoice_number", "total_amount", "due_date", "line_items"]
    assert [w.name for w in stored()] == ["Demo invoices"]


def test_drafted_fields_are_added_under_new_names_only(at: AppTest) -> None:
    before = [r["name"] for r in rows(at)]
    at.text_area(key="define_request").set_value("Extract the invoice number, the order number and the delivery date")
    button(at, "Draft fields").click()
    run(at)
    button(at, "Add to the current fields").click()
    run(at)
    assert [r["name"] for r in rows(at)] == [*before, "order_number", "delivery_date"]
    assert at.success[0].value == "Added 2 fields."
    assert [w.version for w in stored()] == [1]  # in the editor, not saved


def test_the_history_says_how_each_version_reads_documents(at: AppTest) -> None:
    assert any(
        c.value == "Version 1, read-only. Cropping on · Latin characters · only printed text · OCR Tesseract."
        for c in at.caption
    )


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(out, format="PNG")
    return out.getvalue()


def test_thumbnail_must_be_an_image(at: AppTest) -> None:
    at.file_uploader(key=key(at, "thumb")).upload("logo.png", b"GIF89a....", "image/png")
    run(at)
    assert "not a PNG or JPEG image" in at.error[0].value
    at.file_uploader(key=key(at, "thumb")).upload("logo.png", png_bytes(), "image/png")
    run(at)
    assert not at.error
    button(at, "Save").click()
    run(at)
    [demo] = stored()
    assert demo.thumbnail == png_bytes() and demo.version == 1


def test_document_specification_change_is_a_new_version(at: AppTest) -> None:
    at.radio(key=key(at, "spec") + "_charset").set_value("japanese")
    at.radio(key=key(at, "spec") + "_text").set_value("both")
    at.toggle(key=key(at, "spec") + "_cropping").set_value(True)
    run(at)
    button(at, "Save").click()
    run(at)
    assert "version 2" in at.success[0].value
    [demo] = stored()
    assert (demo.spec.charset, demo.spec.text, demo.spec.cropping) == ("japanese", "both", True)


def test_a_workflow_without_fields_is_not_saved(at: AppTest) -> None:
    start_new(at)
    at.text_input(key=key(at, "name")).set_value("Empty")
    run(at)
    button(at, "Save").click()
    run(at)
    assert "the workflow has no fields" in at.error[0].value
    assert [w.name for w in stored()] == ["Demo invoices"]


def test_delete_a_workflow(at: AppTest) -> None:
    button(at, "Delete for good").click()
    run(at)
    assert "Deleted “Demo invoices”" in at.success[0].value
    assert stored() == []
    assert at.text_input(key=key(at, "name")).value == ""


def test_llm_suggestions_only_when_asked_then_applied(llm_server: Any) -> None:
    from tests.llm_server import Reply

    st.cache_resource.clear()
    st.cache_data.clear()
    app = new_app()
    start_new(app)
    app.session_state[key(app, "fields")] = {
        "edited_rows": {},
        "added_rows": [{"name": "total", "type": "number", "description": "the total", "required": False}],
        "deleted_rows": [],
    }
    run(app)
    assert llm_server.requests == []  # the guide runs offline on every rerun
    better = "The amount to pay including tax (Total, Gesamtbetrag), as a plain number. Not the subtotal."
    llm_server.script(Reply.answer({"fields": [{"path": "total", "description": better}]}))
    button(app, "Ask the LLM for better descriptions").click()
    run(app)
    assert len(llm_server.requests) == 1
    assert any(better in shown(m.value) for m in app.markdown)
    button(app, "Apply suggestion").click()
    run(app)
    assert rows(app)[0]["description"] == better


def test_descriptions_are_edited_in_full_beside_a_table_that_fits(at: AppTest) -> None:
    [demo] = stored()
    long = demo.fields[0].description + " " + "Printed top right, after 'Invoice No.' or 'Rechnungsnummer'. " * 3
    # The table leaves descriptions to their editors, so Required and Values stay in view.
    assert json.loads(at.data_editor[0].proto.columns)  # configured
    assert list(at.data_editor[0].proto.column_order) == ["name", "type", "items", "required", "values"]
    editor = at.text_area(key=key(at, f"desc_{demo.fields[0].name}"))
    assert editor.value == demo.fields[0].description  # the whole text, not a cut cell
    editor.set_value(long)
    run(at)
    button(at, "Save").click()
    run(at)
    [saved] = stored()
    assert saved.version == 2 and saved.fields[0].description == long


def test_a_description_typed_before_a_rename_stays_with_the_field(at: AppTest) -> None:
    [demo] = stored()
    first = demo.fields[0].name
    at.text_area(key=key(at, f"desc_{first}")).set_value("The invoice's own number, as printed.")
    run(at)
    at.session_state[key(at, "fields")] = {"edited_rows": {0: {"name": "number"}}, "added_rows": [], "deleted_rows": []}
    run(at)
    assert at.text_area(key=key(at, "desc_number")).value == "The invoice's own number, as printed."
    button(at, "Save").click()
    run(at)
    [saved] = stored()
    assert (saved.fields[0].name, saved.fields[0].description) == ("number", "The invoice's own number, as printed.")


def test_a_new_workflow_of_photos_is_offered_cropping(at: AppTest) -> None:
    start_new(at)
    at.text_area(key=key(at, "description")).set_value("Receipts photographed with a phone")
    run(at)
    assert any("mentions photos or scans" in i.value for i in at.info)
    button(at, "Turn cropping on").click()
    run(at)
    assert at.toggle(key=f"{key(at, 'spec')}_cropping").value is True
    assert at.text_area(key=key(at, "description")).value == "Receipts photographed with a phone"
    assert not any("mentions photos or scans" in i.value for i in at.info)


def test_the_text_mode_help_says_what_each_ocr_engine_keeps(at: AppTest) -> None:
    help_text = at.radio(key=key(at, "spec") + "_text").help or ""
    assert "Tesseract reads with at least 30 %" in help_text
    assert "PP-OCRv5 keeps every line" in help_text and "choose Tesseract" in help_text
