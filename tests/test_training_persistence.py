"""core.training.persistence and the trained engine: save and load, what is refused, atomic replacement."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import OrderedDict
from pathlib import Path

import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression

from core.errors import EngineUnavailableError, TrainingError
from core.extraction import choose_engine
from core.extraction.trained import TrainedEngine
from core.schema import Field, Workflow
from core.store.files import PREVIOUS_SUFFIX
from core.training import TrainedExtractor, TrainingExample, extract_with, load_model, read_card, save_model
from core.training.persistence import CARD_FILE, MODEL_FILE, TRUSTED_TYPES, file_types
from tests.training_docs import WORKFLOW, make_examples


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[TrainingExample]:
    return make_examples(tmp_path_factory.mktemp("synthetic") / "ds", per_layout=5)


@pytest.fixture(scope="module")
def saved(examples: list[TrainingExample], tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = TrainedExtractor(WORKFLOW).fit(examples[:4] + examples[5:9])
    return save_model(model, tmp_path_factory.mktemp("models") / "m1", version=3)


def test_a_loaded_model_predicts_exactly_what_the_saved_one_did(
    examples: list[TrainingExample], tmp_path: Path
) -> None:
    model = TrainedExtractor(WORKFLOW).fit(examples[:4] + examples[5:9])
    loaded = load_model(save_model(model, tmp_path / "m"))
    for ex in (examples[4], examples[9]):
        a, b = extract_with(model, ex.document), extract_with(loaded, ex.document)
        assert a.values() == b.values()
        assert [e.confidence for e in a.extractions.values()] == [e.confidence for e in b.extractions.values()]
        assert a.engine_reason == b.engine_reason
    assert loaded.plans_ == model.plans_ and loaded.summary_ == model.summary_


def test_the_sidecar_records_version_fields_data_and_libraries(saved: Path) -> None:
    card = read_card(saved)
    assert card.version == 3 and [f.name for f in card.fields] == [f.name for f in WORKFLOW.fields]
    assert card.summary.templates["north"].documents == 4
    assert {"scikit-learn", "skops", "numpy", "scipy", "python"} <= set(card.libraries)


def test_saving_again_keeps_the_previous_model_aside(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "active"
    shutil.copytree(saved, target)
    before = (target / MODEL_FILE).read_bytes()
    save_model(load_model(saved), target)
    assert (tmp_path / f"active{PREVIOUS_SUFFIX}" / MODEL_FILE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["active", f"active{PREVIOUS_SUFFIX}"]


def test_a_folder_that_is_not_a_model_is_refused(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="no trained model here"):
        load_model(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TrainingError, match="not a model folder"):
        save_model(load_model(saved), other)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_sidecar_of_another_format_or_with_wrong_fields_is_refused(saved: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(saved, folder)
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    (folder / CARD_FILE).write_text(json.dumps({**card, "format": "fieldbench-classifier"}), encoding="utf-8")
    with pytest.raises(TrainingError, match="not a Fieldbench extraction model"):
        load_model(folder)
    (folder / CARD_FILE).write_text(
        json.dumps({**card, "fields": [{"name": "1 bad", "type": "colour"}]}), encoding="utf-8"
    )
    with pytest.raises(TrainingError, match="damaged"):
        load_model(folder)


def test_a_model_file_with_an_untrusted_type_is_not_loaded(saved: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(saved, folder)
    assert file_types(folder / MODEL_FILE) <= TRUSTED_TYPES
    # skops itself trusts scikit-learn estimators; our files never hold one, so it is refused all the same.
    sio.dump({"scorers": LogisticRegression()}, folder / MODEL_FILE)
    with pytest.raises(TrainingError, match="unexpected types.*LogisticRegression"):
        load_model(folder)
    sio.dump({"scorers": OrderedDict(a=1)}, folder / MODEL_FILE)
    with pytest.raises(TrainingError, match="unexpected types.*OrderedDict"):
        load_model(folder)


def test_the_engine_is_available_only_with_a_valid_model(saved: Path, tmp_path: Path) -> None:
    assert not TrainedEngine(None).is_available().ok
    assert "missing model.skops" in TrainedEngine(tmp_path).is_available().reason
    ok, reason = TrainedEngine(saved).is_available()
    assert ok and "invoice_number" in reason
    engine, why = choose_engine(WORKFLOW, model_dir=saved)
    assert engine.name == "trained" and why.startswith("trained")
    broken = tmp_path / "broken"
    shutil.copytree(saved, broken)
    (broken / CARD_FILE).write_text("{", encoding="utf-8")
    assert not TrainedEngine(broken).is_available().ok
    with pytest.raises(EngineUnavailableError, match="damaged"):
        TrainedEngine(broken).extract(None, WORKFLOW)  # type: ignore[arg-type]


def test_the_engine_refuses_a_workflow_with_other_fields(saved: Path, examples: list[TrainingExample]) -> None:
    engine = TrainedEngine(saved)
    retyped = Workflow(name="w", fields=[f if f.name != "total" else Field(name="total") for f in WORKFLOW.fields])
    with pytest.raises(TrainingError, match=r"other fields \(not in the model: total \(string\)"):
        engine.extract(examples[4].document, retyped)
    result = engine.extract(examples[4].document, WORKFLOW)
    assert result.engine == "trained" and result.values()["invoice_number"] == examples[4].expected["invoice_number"]


def test_a_model_file_that_unpacks_beyond_the_limit_is_not_read(
    saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = tmp_path / "bomb"
    shutil.copytree(saved, bomb)
    with (
        zipfile.ZipFile(bomb / MODEL_FILE, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("schema.json", "w") as m,
    ):
        for _ in range(40):
            m.write(b" " * (1024 * 1024))
    assert (bomb / MODEL_FILE).stat().st_size < 200_000
    monkeypatch.setenv("FIELDBENCH_MAX_MODEL_MB", "16")
    with pytest.raises(TrainingError, match="unpacks to 40 MB, more than the limit of 16 MB"):
        load_model(bomb)
