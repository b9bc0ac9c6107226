"""Shared fixtures: an isolated data directory per test, and the paths of the sample and evaluation documents."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.store import Store

# The local chat-completions server (fixture `llm_server`) for LLM tests; see tests/llm_server.py.
pytest_plugins = ["tests.llm_server"]

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DOCS = REPO / "sample_docs"
# The openly licensed evaluation sets ship with the repository; sets without a licence (sroie-dev, nda-dev)
# are looked for outside it and their tests skip when they are absent.
DATASETS = REPO / "datasets"
EXTERNAL_DATASETS = Path(os.environ.get("FIELDBENCH_DATASETS", REPO.parent / "shared" / "datasets"))


@pytest.fixture(autouse=True)
def fieldbench_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own FIELDBENCH_HOME, and no LLM unless the test configures one."""
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDBENCH_HOME", str(home))
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "FIELDBENCH_LLM_MODEL", "FIELDBENCH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def store(fieldbench_home: Path) -> Iterator[Store]:
    """The store of the test's own FIELDBENCH_HOME, closed afterwards."""
    store = Store.open()
    yield store
    store.close()


@pytest.fixture
def sample_docs() -> Path:
    """The demo documents shipped in the repo (NAME.pdf/.png/.jpg + NAME.json)."""
    return SAMPLE_DOCS


@pytest.fixture
def datasets() -> Path:
    """The repository's evaluation sets (``datasets/``: zugferd-dev, invoice2data)."""
    return DATASETS


@pytest.fixture
def external_datasets() -> Path:
    """$FIELDBENCH_DATASETS (default ../shared/datasets): sets the repository may not ship; skips when absent."""
    if not EXTERNAL_DATASETS.is_dir():
        pytest.skip(f"external evaluation datasets not found at {EXTERNAL_DATASETS}")
    return EXTERNAL_DATASETS
