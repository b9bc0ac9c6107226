"""Saved classifier models: tampered sidecars and model archives are one readable error, an archive that
would unpack beyond the limit is not read, and replacing a model is atomic and keeps the previous one."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from core.classify import ClassifierModel, classify, fit, load_model, save_model
from core.classify.storage import META_FILE, MODEL_FILE
from core.cli import main
from core.config import get_settings
from core.documents import load_document
from core.errors import ClassifierError
from core.store import Store
from core.store import files as store_files
from core.store.files import PREVIOUS_SUFFIX, STAGING_PREFIX, STALE_SECONDS
from tests.test_classify import _samples, letter_pdf

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model() -> ClassifierModel:
    return fit(_samples(4))  # type: ignore[arg-type]


@pytest.fixture
def saved(model: ClassifierModel, tmp_path: Path) -> Path:
    return save_model(model, tmp_path / "mail", name="mail")


def _edit_sidecar(folder: Path, change: Any) -> None:
    meta = json.loads((folder / META_FILE).read_text())
    (folder / META_FILE).write_text(json.dumps(change(meta)))


TAMPERED = {
    "labels not a list": (lambda m: {**m, "labels": "invoice"}, "model.json.labels"),
    "labels missing": (lambda m: {k: v for k, v in m.items() if k != "labels"}, "model.json.labels: Field required"),
    "report missing": (lambda m: {k: v for k, v in m.items() if k != "report"}, "model.json.report: Field required"),
    "report of a wrong type": (lambda m: {**m, "report": [1, 2]}, "model.json.report"),
    "pages zero": (lambda m: {**m, "pages": 0}, "model.json.pages"),
    "unknown charset": (lambda m: {**m, "spec": {"charset": "klingon"}}, "model.json.spec.charset"),
    "other format": (lambda m: {**m, "format": "pickle"}, "model.json.format"),
    "future layout": (lambda m: {**m, "format_version": 7}, "model.json.format_version"),
    "not an object": (lambda m: [m], "model.json: Input should be an object"),
    "labels of another model": (lambda m: {**m, "labels": ["bill", "note"]}, "does not classify into the labels"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_a_tampered_sidecar_is_one_readable_error(saved: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    change, words = TAMPERED[case]
    _edit_sidecar(saved, change)
    with pytest.raises(ClassifierError) as err:
        load_model(saved)
    message = str(err.value)
    assert "the classifier model is damaged" in message and words in message and "\n" not in message
    document = saved.parent / "letter.pdf"
    document.write_bytes(letter_pdf(random.Random(3)))
    assert main(["classify", str(document), "--model", str(saved)]) == 1
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith("fieldbench: error: ")


def test_an_oversized_sidecar_is_not_read(saved: Path) -> None:
    with open(saved / META_FILE, "ab") as out:
        out.truncate(64 * 1024 * 1024)
    with pytest.raises(ClassifierError, match="model.json cannot be read: the file has 64.0 MB"):
        load_model(saved)


def _bomb(path: Path, unpacked_mb: int) -> None:
    """A model archive whose one member inflates to ``unpacked_mb`` MB from a few kilobytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("schema.json", "w") as member:
        chunk = b" " * (1024 * 1024)
        for _ in range(unpacked_mb):
            member.write(chunk)


def test_an_archive_that_unpacks_beyond_the_limit_is_not_read(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _bomb(saved / MODEL_FILE, 40)
    assert (saved / MODEL_FILE).stat().st_size < 200_000
    monkeypatch.setenv("FIELDBENCH_MAX_MODEL_MB", "16")
    started = time.perf_counter()
    with pytest.raises(ClassifierError, match="unpacks to 40 MB, more than the limit of 16 MB") as err:
        load_model(saved)
    assert time.perf_counter() - started < 1.0  # refused from the archive's directory, nothing inflated
    assert "FIELDBENCH_MAX_MODEL_MB" in str(err.value)


def test_the_default_limit_refuses_a_gigabyte_and_a_half(saved: Path) -> None:
    # The directory claims 1.5 GB; the limit is checked before any member is read.
    with zipfile.ZipFile(saved / MODEL_FILE, "w") as archive:
        archive.writestr("schema.json", b"{}")
    data = bytearray((saved / MODEL_FILE).read_bytes())
    directory = data.find(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = (1536 * 1024 * 1024).to_bytes(4, "little")
    (saved / MODEL_FILE).write_bytes(bytes(data))
    assert get_settings().max_model_mb == 512
    with pytest.raises(ClassifierError, match="unpacks to 1,536 MB, more than the limit of 512 MB"):
        load_model(saved)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"not a zip at all", "is not a model archive: no ZIP end record"),
        (b"PK\x05\x06" + b"\x00" * 6 + b"\xff\xff" + b"\x00" * 10, "ZIP64"),
    ],
)
def test_a_model_file_that_is_no_archive_is_damaged(saved: Path, content: bytes, words: str) -> None:
    (saved / MODEL_FILE).write_bytes(content)
    with pytest.raises(ClassifierError, match=words):
        load_model(saved)


def test_replacing_a_model_keeps_the_previous_one(model: ClassifierModel, tmp_path: Path) -> None:
    target = tmp_path / "mail"
    save_model(model, target, name="first")
    save_model(model, target, name="second")
    assert load_model(target).name == "second"
    previous = target.with_name("mail" + PREVIOUS_SUFFIX)
    assert load_model(previous).name == "first"
    save_model(model, target, name="third")
    assert (load_model(target).name, load_model(previous).name) == ("third", "second")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mail", "mail.previous"]  # nothing staged left


def test_replacing_without_an_atomic_swap_still_keeps_both(
    model: ClassifierModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_files, "_exchange", lambda a, b: False)  # a system without renameat2
    target = tmp_path / "mail"
    save_model(model, target, name="first")
    save_model(model, target, name="second")
    assert (load_model(target).name, load_model(tmp_path / "mail.previous").name) == ("second", "first")


_CRASH = """
import os, signal, sys
import core.classify.storage as storage
from core.classify import fit
from core.classify import save_model
from tests.test_classify import _samples
model = fit(_samples(3))
storage.replace_dir = lambda staging, target: os.kill(os.getpid(), signal.SIGKILL)  # killed just before the swap
save_model(model, sys.argv[1], name="new")
"""


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))
    for child in path.iterdir() if path.is_dir() else []:
        os.utime(child, (past, past))


def test_a_process_killed_while_saving_leaves_the_old_model_and_its_staging_is_cleaned(
    model: ClassifierModel, fieldbench_home: Path
) -> None:
    target = get_settings().models_dir / "classifiers" / "mail" / "v1"
    save_model(model, target, name="old")
    done = subprocess.run([sys.executable, "-c", _CRASH, str(target)], cwd=REPO, capture_output=True, timeout=300)
    assert done.returncode == -9, done.stderr
    assert load_model(target).name == "old"  # the model in place is whole
    staged = list(target.parent.glob(STAGING_PREFIX + "*"))
    assert len(staged) == 1 and (staged[0] / MODEL_FILE).is_file()

    Store.open().close()  # a fresh staging folder may belong to a live process: it stays
    assert staged[0].exists()
    _age(staged[0], STALE_SECONDS + 60)
    Store.open().close()
    assert not staged[0].exists()
    assert load_model(target).name == "old"
    doc = load_document(letter_pdf(random.Random(5)))
    assert classify(load_model(target), doc).label == "letter"
