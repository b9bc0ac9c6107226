"""Training a stored workflow: a background run with progress, the history, versions compared, activation
that the pipeline follows, rollback; a cancelled or failed run keeps the active model."""

from __future__ import annotations

import socket
from pathlib import Path

from core.annotation.uploads import import_folder
from core.pipeline import process
from core.schema import Workflow
from core.store import Store
from core.store.models import TrainingRun
from core.training.jobs import activate, cancel_training, history, rollback, start_training, train_workflow, wait_for
from tests.training_docs import WORKFLOW, make_dataset


def _workflow(store: Store, folder: Path, per_layout: int = 5) -> Workflow:
    workflow = store.workflows.create(WORKFLOW.model_copy(deep=True))
    make_dataset(folder, per_layout=per_layout)
    for layout in ("north", "south"):
        files = folder / layout
        files.mkdir()
        for path in folder.glob(f"{layout}_*"):
            path.rename(files / path.name)
        report = import_folder(store, workflow, files, template=layout)
        assert report.accepted and not [r for r in report.rejected if r.file.endswith((".pdf", ".json"))]
    return workflow


def test_a_background_run_trains_records_and_is_activated_by_choice(store: Store, tmp_path: Path) -> None:
    workflow = _workflow(store, tmp_path / "set")
    run = start_training(store, workflow)
    assert run.status == "running"
    wait_for(run.id, timeout=300)
    done = store.models.run(run.id)
    assert done.status == "succeeded", done.error
    assert done.version == 1 and done.documents == {"north": 5, "south": 5} and done.seconds is not None
    assert done.scores["held_out_by"] == "template" and 0 < done.scores["trained_f1"] <= 1
    (version,) = store.models.versions(workflow.id)
    assert Path(version.path).is_dir() and version.report["evaluation"]["templates"]
    # Training does not activate: the generic engine still runs until the user activates the version.
    assert store.models.active(workflow.id) is None
    doc = next((tmp_path / "set" / "north").glob("*.pdf"))
    assert process(store, doc, workflow, source="test").engine == "local"
    assert activate(store, workflow.id, 1) == []  # nothing to compare with: no warnings
    result = process(store, doc, workflow, source="test")
    assert result.engine == "trained" and "active trained model" in result.engine_reason
    assert [r.id for r in history(store, workflow.id)] == [run.id]


def test_a_second_version_is_compared_with_the_first_and_rollback_goes_back(store: Store, tmp_path: Path) -> None:
    workflow = _workflow(store, tmp_path / "set", per_layout=4)
    first = train_workflow(store, workflow)
    second = train_workflow(store, workflow)
    assert (first.version, second.version) == (1, 2)
    report = store.models.version(workflow.id, 2).report
    assert report["compared_with"] == 1 and report["comparison"]["documents"] == 8
    assert {c["name"] for c in report["comparison"]["fields"]} >= {"invoice_number", "total"}
    activate(store, workflow.id, 2)
    assert rollback(store, workflow.id) == 1 and store.models.active(workflow.id) == 1
    assert rollback(store, workflow.id) is None and store.models.active_path(workflow.id) is None


def test_cancelling_keeps_the_active_model_and_saves_nothing(store: Store, tmp_path: Path) -> None:
    workflow = _workflow(store, tmp_path / "set", per_layout=4)
    first = train_workflow(store, workflow)
    activate(store, workflow.id, first.version or 0)
    run = start_training(store, workflow)
    cancel_training(store, run.id)
    wait_for(run.id, timeout=300)
    done = store.models.run(run.id)
    assert done.status == "cancelled" and done.version is None
    assert [v.version for v in store.models.versions(workflow.id)] == [1]
    assert store.models.active(workflow.id) == 1
    assert sorted(p.name for p in (Path(store.models.version(workflow.id, 1).path).parent).iterdir()) == ["v1"]


def test_a_failed_run_says_why_and_keeps_the_active_model(store: Store, tmp_path: Path) -> None:
    workflow = store.workflows.create(WORKFLOW.model_copy(deep=True))
    run = train_workflow(store, workflow)
    assert run.status == "failed" and "no annotated documents" in (run.error or "")
    assert store.models.versions(workflow.id) == [] and store.models.active(workflow.id) is None


def test_a_run_whose_process_died_is_marked_failed(store: Store) -> None:
    workflow = store.workflows.create(WORKFLOW.model_copy(deep=True))
    ghost = store.models.start_run(TrainingRun(workflow_id=workflow.id, owner=f"{socket.gethostname()}:999999999"))
    (seen,) = history(store, workflow.id)
    assert seen.id == ghost.id and seen.status == "failed" and "interrupted" in (seen.error or "")
