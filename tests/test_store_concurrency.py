"""The store under several processes at once (real processes on one SQLite file): opening a new data
directory together, and saving one workflow from copies that are, or have become, stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.errors import ConflictError
from core.schema import Field, Workflow
from core.store import Store

REPO = Path(__file__).resolve().parents[1]

# ``wait()`` tells the test this process is ready (a file ``<go>.<pid>``) and waits for the file ``go``, so the
# processes, all imported and prepared, start their work together.
_PRELUDE = """
import os, sys, time
def wait():
    open(sys.argv[1] + "." + str(os.getpid()), "w").close()
    while not os.path.exists(sys.argv[1]):
        time.sleep(0.002)
"""


def _run_together(code: str, home: Path, go: Path, arguments: list[list[str]]) -> list[str]:
    """Start one process per argument list, let them all reach ``wait()``, release them; their outputs."""
    env = {**os.environ, "FIELDBENCH_HOME": str(home)}
    script = _PRELUDE + textwrap.dedent(code)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go), *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in arguments
    ]
    deadline = time.monotonic() + 120
    while len(list(go.parent.glob(go.name + ".*"))) < len(processes):
        assert time.monotonic() < deadline and all(p.poll() is None for p in processes), "a process died"
        time.sleep(0.01)
    go.touch()
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out.strip())
    return outputs


_OPEN = """
from core.errors import FieldbenchError
from core.store import Store
wait()
try:
    Store.open().close()
    print("ok")
except FieldbenchError as exc:
    print(f"error: {exc}")
"""


def test_processes_opening_a_new_data_directory_together_all_succeed(tmp_path: Path) -> None:
    # Before: 12-13 of 30 such rounds failed with "table schema_info already exists".
    for round_ in range(3):
        home = tmp_path / f"home{round_}"
        outputs = _run_together(_OPEN, home, tmp_path / f"go{round_}", [[]] * 4)
        assert outputs == ["ok"] * 4, outputs
        assert (home / "fieldbench.sqlite").is_file()


def test_a_migration_that_meets_a_concurrent_one_is_tried_again(tmp_path: Path) -> None:
    # Without the lock file (another database, or no file locks), the retries alone must be enough.
    without_lock = "import core.store.db as db\ndb.fcntl = None\n" + _OPEN
    for round_ in range(2):
        outputs = _run_together(without_lock, tmp_path / f"home{round_}", tmp_path / f"go{round_}", [[]] * 4)
        assert outputs == ["ok"] * 4, outputs


_SAVE = """
import json
from core.errors import ConflictError
from core.schema import Field
from core.store import Store
store = Store.open()
workflow = store.workflows.get(sys.argv[2])  # everyone reads the same version, then waits
change = workflow.model_copy(update={"fields": [*workflow.fields, Field(name=sys.argv[3])]})
wait()
try:
    saved = store.workflows.save(change)
    print(json.dumps({"saved": saved.version}))
except ConflictError as exc:
    print(json.dumps({"conflict": str(exc)}))
store.close()
"""


def test_concurrent_saves_from_one_copy_exactly_one_wins(tmp_path: Path, fieldbench_home: Path) -> None:
    # Before: saves ignored the version they were made from; in 1 of 20 rounds two saves both succeeded.
    store = Store.open()
    try:
        workflow = store.workflows.create(Workflow(name="Invoices", fields=[Field(name="total", type="number")]))
        for round_ in range(3):
            before = store.workflows.get(workflow.id)
            names = [[workflow.id, f"added_{round_}_{i}"] for i in range(3)]
            results = [
                json.loads(out) for out in _run_together(_SAVE, fieldbench_home, tmp_path / f"go{round_}", names)
            ]
            saved = [r for r in results if "saved" in r]
            conflicts = [r["conflict"] for r in results if "conflict" in r]
            assert len(saved) == 1 and len(conflicts) == 2, results
            assert all("was saved elsewhere" in c and "nothing was saved" in c for c in conflicts)
            after = store.workflows.get(workflow.id)
            assert after.version == before.version + 1 == saved[0]["saved"]
            added = [f.name for f in after.fields if f.name not in {g.name for g in before.fields}]
            assert len(added) == 1  # the winner's change, whole; no loser's change mixed in
    finally:
        store.close()


def test_a_save_from_a_stale_copy_is_refused_and_changes_nothing() -> None:
    store = Store.open()
    try:
        created = store.workflows.create(Workflow(name="Invoices", fields=[Field(name="total", type="number")]))
        mine, theirs = store.workflows.get(created.id), store.workflows.get(created.id)
        newer = store.workflows.save(theirs.model_copy(update={"fields": [*theirs.fields, Field(name="due")]}))
        with pytest.raises(ConflictError, match="it is version 1, the store has 2"):
            store.workflows.save(mine.model_copy(update={"fields": [Field(name="other")]}))
        # A change of name only keeps the version, but the copy is still older than the stored workflow.
        renamed = store.workflows.save(newer.model_copy(update={"name": "Invoices 2025"}))
        assert renamed.version == newer.version
        with pytest.raises(ConflictError, match="last saved"):
            store.workflows.save(newer.model_copy(update={"description": "from the stale copy"}))
        stored = store.workflows.get(created.id)
        assert (stored.name, stored.description, [f.name for f in stored.fields]) == (
            "Invoices 2025",
            "",
            ["total", "due"],
        )
        assert [v.version for v in store.workflows.versions(created.id)] == [1, 2]
        # The copy a save returns is the stored one: saving it again works.
        assert store.workflows.save(renamed.model_copy(update={"description": "fine"})).description == "fine"
    finally:
        store.close()
