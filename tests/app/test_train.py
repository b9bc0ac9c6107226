"""The Train page: annotated against recommended per template, a training started and followed to its end,
the history, a version's evaluation and comparison, activation and rollback."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from core.annotation.uploads import import_folder
from core.schema import Workflow
from core.store import Store
from core.training.jobs import train_workflow, wait_for
from tests.training_docs import WORKFLOW, make_dataset

APP = Path(__file__).resolve().parents[2] / "app.py"


def _workflow(store: Store, folder: Path) -> Workflow:
    # "A ..." sorts before the demo workflow: the page opens on it.
    workflow = store.workflows.create(WORKFLOW.model_copy(update={"name": "A synthetic set"}, deep=True))
    import_folder(store, workflow, make_dataset(folder, per_layout=4), template="synthetic")
    return workflow


def _app() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(APP), default_timeout=300)
    app.run()
    app.switch_page("pages/train.py")
    app.run()
    assert not app.exception, app.exception
    return app


def test_start_a_training_and_see_it_in_the_history(store: Store, tmp_path: Path) -> None:
    workflow = _workflow(store, tmp_path / "set")
    app = _app()
    table = app.dataframe[0].value
    assert table.to_dict("records")[0]["annotated"] == 8 and table.to_dict("records")[0]["recommended"] == 5
    [start] = [b for b in app.button if b.label == "Start training"]
    start.click().run()
    assert not app.exception, app.exception
    (run,) = store.models.runs(workflow.id)
    wait_for(run.id, timeout=300)
    assert store.models.run(run.id).status == "succeeded"
    app.run()
    assert not app.exception, app.exception
    assert any(b.label == "Activate v1" for b in app.button)
    history = app.dataframe[1].value.to_dict("records")
    assert history[0]["status"] == "succeeded" and history[0]["version"] == 1
    [plans] = [d.value for d in app.dataframe if "unseen layouts" in d.value.columns]
    answers = {r["field"]: r for r in plans.to_dict("records")}
    assert answers["total"]["known layouts"] == "trained"
    assert "too little annotated data" in answers["order_ref"]["why"]


def test_activate_a_version_compare_and_roll_back(store: Store, tmp_path: Path) -> None:
    workflow = _workflow(store, tmp_path / "set")
    train_workflow(store, workflow)
    train_workflow(store, workflow)
    app = _app()
    app.selectbox(key="train_version").set_value(2).run()
    assert any("Compared with v1" in str(h.value) for h in app.subheader)
    [activate] = [b for b in app.button if b.label == "Activate v2"]
    activate.click().run()
    assert store.models.active(workflow.id) == 2
    assert any("v2 is active" in str(s.value) for s in app.success)
    [back] = [b for b in app.button if b.label == "Roll back"]
    back.click().run()
    assert store.models.active(workflow.id) == 1
