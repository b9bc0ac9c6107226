"""Line items in the trained engine: column labels learned from annotated tables (core.training.columns), on
synthesised invoices whose headers the vocabulary does not know and on the shipped e-invoices."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from core.annotation.locate import Locator
from core.annotation.uploads import upload_pre_annotated
from core.documents import load_document
from core.evaluation.datasets import load_dataset
from core.evaluation.scoring import FieldCounts, score
from core.extraction.local.engine import LocalEngine
from core.extraction.local.layout import build_layout
from core.pipeline import process
from core.schema import Field, Workflow
from core.store import Store
from core.training import TrainedExtractor, TrainingExample, extract_with, load_model, save_model
from core.training.columns import header_labels, item_cells
from core.training.jobs import activate, train_workflow
from core.training.predict import ENGINE_NOTE

ITEMS = Field(
    name="lines",
    type="array",
    description="Every line of the table.",
    items=Field(
        name="line",
        type="object",
        properties=[
            Field(name="goods", description="What was supplied."),
            Field(name="units", type="number", description="How many."),
            Field(name="rate", type="number", description="Charge for one."),
            Field(name="extended", type="number", description="The line's charge."),
        ],
    ),
)
WORKFLOW = Workflow(name="Opaque line items", fields=[ITEMS])
# Header words of the two synthesised layouts: none is a column label the vocabulary knows for these fields.
HEADERS = {
    "east": ("Leistungsart", "Gebinde", "Ansatz", "Endwert"),
    "west": ("Gegenstand", "Gebinde", "Ansatz", "Endwert"),
}
GOODS = ["Copper pipe", "Brass fitting", "Steel bracket", "Rubber seal", "Valve body", "Hose clamp", "Gasket"]


def _draw(path: Path, layout: str, rng: random.Random) -> list[dict[str, Any]]:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 60), "Supplier of Fittings", fontsize=14)
    top = 220 if layout == "east" else 300
    xs = (50, 300, 380, 480) if layout == "east" else (60, 320, 400, 490)
    for x, label in zip(xs, HEADERS[layout], strict=True):
        page.insert_text((x, top), label, fontsize=10)
    items = []
    for k in range(rng.randrange(2, 5)):
        units, rate = rng.randrange(1, 40), round(rng.uniform(2, 90), 2)
        item = {"goods": rng.choice(GOODS), "units": float(units), "rate": rate, "extended": round(units * rate, 2)}
        y = top + 20 * (k + 1)
        for x, text in zip(xs, (item["goods"], str(units), f"{rate:.2f}", f"{item['extended']:.2f}"), strict=True):
            page.insert_text((x, y), text, fontsize=10)
        items.append(item)
    page.insert_text((380, top + 20 * 6), "Sum", fontsize=10)
    page.insert_text((480, top + 20 * 6), f"{sum(i['extended'] for i in items):.2f}", fontsize=10)
    doc.save(path)
    doc.close()
    return items


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[TrainingExample]:
    folder = tmp_path_factory.mktemp("tables")
    rng = random.Random(7)
    out = []
    for layout in HEADERS:
        for i in range(6):
            path = folder / f"{layout}_{i}.pdf"
            items = _draw(path, layout, rng)
            out.append(TrainingExample(document=load_document(path), expected={"lines": items}, template=layout))
    return out


def _item_f1(results: list[tuple[list[Any], Any]]) -> float:
    total = FieldCounts()
    for expected, predicted in results:
        total = total + sum(score({"lines": expected}, {"lines": predicted}, [ITEMS]).values(), FieldCounts())
    return total.f1


def test_the_header_above_each_annotated_column_is_read(examples: list[TrainingExample]) -> None:
    ex = examples[0]
    layout = build_layout(ex.document)
    cells = item_cells(Locator(ex.document, layout), ITEMS, ex.expected["lines"])
    names = ("goods", "units", "rate", "extended")
    assert header_labels(layout, cells) == dict(zip(names, HEADERS["east"], strict=True))


def test_learned_column_labels_read_tables_the_local_reader_cannot(examples: list[TrainingExample]) -> None:
    train = [ex for i, ex in enumerate(examples) if i % 6 != 5]
    held_out = [ex for i, ex in enumerate(examples) if i % 6 == 5]
    model = TrainedExtractor(WORKFLOW).fit(train)
    plan = model.plans_["lines"]
    assert plan.seen == "trained" and "lines" in model.trained_fields
    assert plan.column_labels["units"] == ["Gebinde"] and "Gebinde" in plan.reason
    local = LocalEngine()
    trained_results, local_results = [], []
    for ex in held_out:
        result = extract_with(model, ex.document)
        notes = [i.content for i in result.metadata["lines"].insights if i.type == ENGINE_NOTE]
        assert notes and notes[0].startswith("trained: the item table read with learned column labels")
        assert result.metadata["lines[0].rate"].citations, "every cell is cited on the page"
        trained_results.append((ex.expected["lines"], result.extractions["lines"].value))
        local_results.append((ex.expected["lines"], local.extract(ex.document, WORKFLOW).extractions["lines"].value))
    assert _item_f1(trained_results) == 1.0
    assert _item_f1(local_results) < 0.5


def test_a_saved_model_reads_the_same_items(examples: list[TrainingExample], tmp_path: Path) -> None:
    model = TrainedExtractor(WORKFLOW).fit(examples[:5] + examples[6:11])
    loaded = load_model(save_model(model, tmp_path / "m"))
    assert loaded.plans_["lines"].column_labels == model.plans_["lines"].column_labels
    for ex in (examples[5], examples[11]):
        assert extract_with(loaded, ex.document).extractions == extract_with(model, ex.document).extractions


def test_too_few_annotated_tables_fall_back_to_the_local_reader(examples: list[TrainingExample]) -> None:
    model = TrainedExtractor(WORKFLOW).fit(
        examples[:2] + [ex.model_copy(update={"expected": {}}) for ex in examples[2:6]]
    )
    assert model.plans_["lines"].seen == "local" and "too little annotated data" in model.plans_["lines"].reason
    assert "lines" not in model.trained_fields


def test_on_the_shipped_e_invoices_items_under_unfamiliar_field_names_are_learned(datasets: Path) -> None:
    """The shipped e-invoices of one generator with their item fields renamed: the local reader knows none of
    the names, the trained engine learns the columns from six annotated invoices."""
    dataset = load_dataset(datasets / "zugferd-dev")
    names = {"description": "goods", "quantity": "units", "unit_price": "rate", "line_total": "extended"}
    docs = [
        d for d in dataset.documents if d.name.startswith("ZUGFeRDv2_correct_symtrax") and d.expected.get("line_items")
    ]
    examples = [
        TrainingExample(
            document=load_document(d.path),
            expected={
                "lines": [{names[k]: v for k, v in item.items() if k in names} for item in d.expected["line_items"]]
            },
        )
        for d in docs[:9]
    ]
    model = TrainedExtractor(WORKFLOW).fit(examples[:6])
    local = LocalEngine()
    trained = [
        (ex.expected["lines"], extract_with(model, ex.document).extractions["lines"].value) for ex in examples[6:]
    ]
    untrained = [
        (ex.expected["lines"], local.extract(ex.document, WORKFLOW).extractions["lines"].value) for ex in examples[6:]
    ]
    assert _item_f1(trained) >= 0.9 > _item_f1(untrained) + 0.3


def test_a_workflow_trained_from_its_store_reads_the_items_through_auto(store: Store, tmp_path: Path) -> None:
    """What a user does: pre-annotated documents imported into a workflow, trained in the background runner,
    the version activated; a new document of the layout then has its items read by ``auto``."""
    workflow = store.workflows.create(WORKFLOW.model_copy(deep=True))
    rng = random.Random(11)
    files: list[tuple[str, bytes]] = []
    for i in range(6):
        path = tmp_path / f"east_{i}.pdf"
        items = _draw(path, "east", rng)
        files += [(path.name, path.read_bytes()), (f"east_{i}.json", json.dumps({"lines": {"value": items}}).encode())]
    report = upload_pre_annotated(store, workflow, files, template="east")
    assert not report.rejected
    run = train_workflow(store, workflow)
    assert run.status == "succeeded", run.error
    activate(store, workflow.id, run.version)
    new = tmp_path / "new.pdf"
    expected = _draw(new, "east", rng)
    result = process(store, new, workflow, source="test")
    assert result.engine == "trained"
    assert _item_f1([(expected, result.extractions["lines"].value)]) == 1.0
