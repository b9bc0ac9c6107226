"""The pipeline: a document in, the chosen engine's result out, every run (failed too) in the log."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from core.comparison import diff
from core.errors import EngineUnavailableError, FieldbenchError, NotFoundError, UnsupportedFormatError
from core.evaluation import load_dataset
from core.extraction import ENGINE_CHOICES, choose_engine, engine_options, get_engine
from core.extraction.trained import MODEL_FILE, TrainedEngine
from core.pipeline import detect_source, process, process_document, reprocess
from core.results import uncited_values
from core.schema import Field, Workflow
from core.store import Store
from core.store.runs import RunRecord


@pytest.fixture
def store() -> Store:
    store = Store.open()
    yield store
    store.close()


@pytest.fixture
def workflow(sample_docs: Path) -> Workflow:
    return load_dataset(sample_docs).workflow


def test_process_fills_the_result_and_logs_the_run(store: Store, workflow: Workflow, sample_docs: Path) -> None:
    path = sample_docs / "invoice_en.pdf"
    result = process(store, path, workflow, engine="local", source="cli")
    assert result.document_id == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.document_name == "invoice_en.pdf"
    assert (result.workflow_id, result.workflow_name, result.workflow_version) == (
        workflow.id,
        workflow.name,
        workflow.version,
    )
    assert result.engine == "local" and result.engine_reason.startswith("local")
    assert {"load", "extract", "total"} <= set(result.timings)
    assert [p.number for p in result.ocr] == [1] and "Northwind" in result.ocr[0].text
    assert result.values()["invoice_number"] == "NW-2024-0193"

    record = store.runs.get(result.processing_id)
    assert record.status == "ok" and record.source == "cli" and record.pages == 1
    assert record.engine == "local" and record.llm_cost is None
    assert record.result is not None and record.result.values() == result.values()


@pytest.mark.parametrize("name", ["invoice_en.pdf", "rechnung_de.pdf", "service_invoice_two_pages.pdf"])
def test_every_value_has_a_citation_or_a_note(store: Store, workflow: Workflow, sample_docs: Path, name: str) -> None:
    result = process(store, sample_docs / name, workflow, engine="local")
    assert any(v not in (None, "", []) for v in result.values().values())
    assert uncited_values(result) == []


def test_a_bad_file_is_a_typed_error_and_a_logged_failed_run(store: Store, workflow: Workflow) -> None:
    with pytest.raises(UnsupportedFormatError):
        process(store, b"this is not a document", workflow, name="notes.pdf", engine="local", source="app")
    [record] = store.runs.list()
    assert record.status == "error" and record.source == "app"
    assert record.document_name == "notes.pdf" and record.result is None
    assert record.error and "notes.pdf" in record.error


def test_a_missing_file_is_a_document_error(store: Store, workflow: Workflow, tmp_path: Path) -> None:
    with pytest.raises(FieldbenchError, match="no such file"):
        process(store, tmp_path / "absent.pdf", workflow)


def test_an_unavailable_engine_is_refused_with_its_reason_and_logged(
    store: Store, workflow: Workflow, sample_docs: Path
) -> None:
    with pytest.raises(EngineUnavailableError, match="no LLM configured"):
        process(store, sample_docs / "invoice_en.pdf", workflow, engine="llm")
    [record] = store.runs.list()
    assert record.status == "error" and "no LLM configured" in (record.error or "")


def _other_image() -> bytes:
    image = Image.new("RGB", (900, 300), "white")
    ImageDraw.Draw(image).text((40, 120), "Invoice 12345", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def test_rerun_of_a_stored_scan_uses_the_ocr_cache(
    store: Store, workflow: Workflow, sample_docs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = process(store, sample_docs / "receipt_scan.jpg", workflow, engine="local")
    assert first.ocr[0].source == "ocr"
    # From now on Tesseract may list its languages but fails to read any image: a re-run that OCRed again
    # would fail, so a successful re-run came from the OCR cache.
    real = shutil.which("tesseract")
    assert real is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tesseract"
    script.write_text(
        f'#!/bin/sh\ncase "$*" in *--list-langs*|*--version*) exec {real} "$@";; esac\n'
        'echo "tesseract: OCR is not allowed in this test" >&2\nexit 1\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(FieldbenchError):  # the fake really refuses to OCR (an uncached image)
        process(store, _other_image(), workflow, name="other.png", engine="local")
    edited = workflow.model_copy(
        update={
            "fields": [
                f.model_copy(update={"description": f.description + " Printed at the bottom."}) for f in workflow.fields
            ]
        }
    )
    second = process_document(store, first.document_id, edited, engine="local")
    assert second.document_id == first.document_id and second.document_name == "receipt_scan.jpg"
    assert second.ocr[0].text == first.ocr[0].text
    assert store.runs.previous(workflow.id, first.document_id, before=second.created_at).id == first.processing_id


def test_a_description_edit_changes_the_extracted_value(store: Store, sample_docs: Path) -> None:
    issued = Field(name="date", type="date", description="The date the invoice was issued (Invoice Date).")
    due = Field(name="date", type="date", description="The payment due date (Due Date), not the invoice date.")
    first = process(store, sample_docs / "invoice_en.pdf", Workflow(name="d", fields=[issued]), engine="local")
    assert first.values()["date"] == "2024-04-08"
    second = process_document(store, first.document_id, Workflow(name="d", fields=[due]), engine="local")
    assert second.values()["date"] == "2024-05-08"


def test_a_run_on_unsaved_edits_is_labelled_a_draft_of_its_version(store: Store, sample_docs: Path) -> None:
    issued = Field(name="date", type="date", description="The date the invoice was issued (Invoice Date).")
    saved = store.workflows.create(Workflow(name="d", fields=[issued]))
    first = process(store, sample_docs / "invoice_en.pdf", saved, engine="local")
    assert (first.workflow_draft, store.runs.get(first.processing_id).version_label) == (False, "v1")
    edited = saved.model_copy(update={"fields": [issued.model_copy(update={"description": "The due date."})]})
    second = process_document(store, first.document_id, edited, engine="local")
    assert second.workflow_draft and second.version_label == "v1 (unsaved draft)"
    assert store.runs.get(second.processing_id).version_label == "v1 (unsaved draft)"


def test_reprocess_runs_a_logged_document_on_the_current_version(store: Store, sample_docs: Path) -> None:
    issued = Field(name="date", type="date", description="The date the invoice was issued (Invoice Date).")
    saved = store.workflows.create(Workflow(name="d", fields=[issued]))
    first = process(store, sample_docs / "invoice_en.pdf", saved, engine="local", source="cli")
    due = issued.model_copy(update={"description": "The payment due date (Due Date), not the invoice date."})
    store.workflows.save(saved.model_copy(update={"fields": [due]}))
    again = reprocess(store, first.processing_id, engine="local", source="app")
    assert (again.workflow_version, again.workflow_draft, again.document_name) == (2, False, "invoice_en.pdf")
    assert again.processing_id != first.processing_id and store.runs.get(first.processing_id).result == first
    changes = diff(first, again)
    assert changes["date"].before == "2024-04-08" and changes["date"].after == "2024-05-08"


def test_reprocess_of_a_run_without_a_document_says_why(store: Store, workflow: Workflow) -> None:
    store.runs.add(RunRecord(id="failed", workflow_id=workflow.id, source="app", status="error", error="x"))
    with pytest.raises(FieldbenchError, match=r"no stored document.*\. Upload the document again\.$"):
        reprocess(store, "failed")
    with pytest.raises(NotFoundError):
        reprocess(store, "no-such-run")


def test_source_is_detected_when_not_given(store: Store, workflow: Workflow, sample_docs: Path) -> None:
    assert detect_source() == "test"
    result = process(store, sample_docs / "rechnung_de.pdf", workflow, engine="local")
    assert store.runs.get(result.processing_id).source == "test"
    with pytest.raises(FieldbenchError, match="unknown run source"):
        process(store, sample_docs / "rechnung_de.pdf", workflow, source="somewhere")


# --- engine choice ---------------------------------------------------------------------------------------


def test_auto_is_local_without_llm_or_model(workflow: Workflow) -> None:
    engine, reason = choose_engine(workflow)
    assert engine.name == "local"
    assert reason.startswith("local:") and "no LLM configured" in reason and "no trained model" in reason


def test_auto_is_the_llm_when_configured_and_the_run_records_tokens_and_cost(
    llm_server: object, store: Store, workflow: Workflow, sample_docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDBENCH_LLM_PRICE_PROMPT", "1.0")
    monkeypatch.setenv("FIELDBENCH_LLM_PRICE_COMPLETION", "2.0")
    engine, reason = choose_engine(workflow)
    assert engine.name == "llm"
    model = os.environ["FIELDBENCH_LLM_MODEL"]
    assert reason == f"llm: FIELDBENCH_LLM_MODEL={model} configured; no trained model active"
    result = process(store, sample_docs / "invoice_en.pdf", workflow)
    assert result.engine == "llm"
    record = store.runs.get(result.processing_id)
    assert record.prompt_tokens > 0
    expected_cost = record.prompt_tokens / 1000 * 1.0 + record.completion_tokens / 1000 * 2.0
    assert record.llm_cost == pytest.approx(expected_cost, rel=1e-6)


def test_trained_is_honestly_unavailable(workflow: Workflow, tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailableError, match="no trained model"):
        get_engine("trained", workflow=workflow)
    with pytest.raises(EngineUnavailableError, match="missing model.skops"):
        choose_engine(workflow, requested="trained", model_dir=tmp_path)
    (tmp_path / MODEL_FILE).write_bytes(b"not a model")
    assert not TrainedEngine(tmp_path).is_available().ok
    engine, _ = choose_engine(workflow, model_dir=tmp_path)  # auto never picks an unusable model
    assert engine.name == "local"
    options = engine_options(workflow)
    assert tuple(options) == ENGINE_CHOICES
    assert options["auto"].ok and options["local"].ok and not options["llm"].ok and not options["trained"].ok


def test_unknown_engine_name(workflow: Workflow) -> None:
    with pytest.raises(FieldbenchError, match="unknown engine"):
        choose_engine(workflow, requested="magic")
