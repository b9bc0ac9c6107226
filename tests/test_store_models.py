"""Training runs and model versions in the store: history, version numbers, the active version."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.errors import NotFoundError, StoreError
from core.schema import Field, Workflow
from core.store import Store
from core.store.models import ModelVersion, TrainingRun


def test_runs_versions_and_the_active_model() -> None:
    store = Store.open()
    workflow = store.workflows.create(Workflow(name="W", fields=[Field(name="total", type="number")]))
    first = store.models.start_run(TrainingRun(workflow_id=workflow.id, documents={"Acme": 5}))
    assert store.models.last_started(workflow.id) is None  # nothing succeeded yet
    finished = first.model_copy(
        update={"status": "succeeded", "finished_at": first.started_at + timedelta(seconds=3), "version": 1}
    )
    store.models.update_run(finished)
    assert store.models.run(first.id).seconds == 3.0 and store.models.run(first.id).documents == {"Acme": 5}
    assert store.models.last_started(workflow.id) == first.started_at
    assert store.models.next_version(workflow.id) == 1
    store.models.add_version(
        ModelVersion(
            workflow_id=workflow.id, version=1, path="/m/v1", workflow_version=1, documents=5, report={"f1": 0.9}
        )
    )
    with pytest.raises(StoreError, match="exists already"):
        store.models.add_version(
            ModelVersion(workflow_id=workflow.id, version=1, path="/x", workflow_version=1, documents=1)
        )
    assert store.models.next_version(workflow.id) == 2 and store.models.version(workflow.id, 1).report == {"f1": 0.9}
    assert store.models.active(workflow.id) is None
    store.models.set_active(workflow.id, 1)
    assert store.models.active(workflow.id) == 1
    with pytest.raises(NotFoundError):
        store.models.set_active(workflow.id, 7)
    assert store.models.active(workflow.id) == 1  # a refused activation changes nothing
    store.models.set_active(workflow.id, None)
    assert store.models.active(workflow.id) is None
    later = store.models.start_run(
        TrainingRun(workflow_id=workflow.id, started_at=datetime.now(timezone.utc) + timedelta(1))
    )
    assert [r.id for r in store.models.runs(workflow.id)] == [later.id, first.id]
    store.close()
