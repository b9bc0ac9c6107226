"""Every notebook in notebooks/ runs top to bottom (kernel: this interpreter; FIELDBENCH_HOME: a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ has no notebook"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, fieldbench_home: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    # The kernel inherits this process's environment: the test's own FIELDBENCH_HOME and no LLM settings.
    assert os.environ["FIELDBENCH_HOME"] == str(fieldbench_home)
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    env = dict(os.environ)
    # The kernel starts in notebooks/: make the repo's `core` importable however the package is installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}")
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    # The notebook logged its runs in the test's store, not in the user's data directory.
    assert (fieldbench_home / "fieldbench.sqlite").is_file()
