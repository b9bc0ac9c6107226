"""core.training.model and predict: fit, predict, fallback, progress and cancellation, on synthesised invoices."""

from __future__ import annotations

import pytest

from core.errors import TrainingCancelled, TrainingError
from core.evaluation.scoring import score
from core.results import uncited_values
from core.training import TrainedExtractor, TrainingExample, extract_with
from core.training.evaluation import cross_validate
from core.training.predict import ENGINE_NOTE
from tests.training_docs import WORKFLOW, make_examples


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[TrainingExample]:
    return make_examples(tmp_path_factory.mktemp("synthetic") / "ds", per_layout=6)


@pytest.fixture(scope="module")
def model(examples: list[TrainingExample]) -> TrainedExtractor:
    return TrainedExtractor(WORKFLOW).fit([ex for i, ex in enumerate(examples) if i % 6 != 5])


def _held_out(examples: list[TrainingExample]) -> list[TrainingExample]:
    return [ex for i, ex in enumerate(examples) if i % 6 == 5]


def test_fit_follows_the_estimator_contract(examples: list[TrainingExample]) -> None:
    extractor = TrainedExtractor(WORKFLOW)
    with pytest.raises(TrainingError, match="not trained"):
        extractor.predict(examples[0].document)
    assert extractor.fit(examples[:4]) is extractor
    assert {"scorers_", "plans_", "memory_", "calibrators_", "summary_"} <= set(vars(extractor))
    assert not [
        k
        for k in vars(extractor)
        if k not in ("workflow", "inner_folds", "min_field_documents", "random_state") and not k.endswith("_")
    ]


def test_held_out_documents_of_known_layouts_are_read_right(
    model: TrainedExtractor, examples: list[TrainingExample]
) -> None:
    for ex in _held_out(examples):
        result = extract_with(model, ex.document)
        values = result.values()
        assert values["invoice_number"] == ex.expected["invoice_number"]
        assert values["total"] == pytest.approx(ex.expected["total"])
        assert values["issue_date"] == ex.expected["issue_date"]
        assert result.engine == "trained" and "trained fields: invoice_number" in result.engine_reason
        assert uncited_values(result) == []
        assert all(e.confidence is not None and 0 < e.confidence <= 1 for e in result.extractions.values() if e.value)


def test_fields_with_too_little_data_or_an_unranked_type_fall_back_and_say_so(
    model: TrainedExtractor, examples: list[TrainingExample]
) -> None:
    assert "too little annotated data: 2 document(s)" in model.plans_["order_ref"].reason
    assert "boolean" in model.plans_["paid"].reason
    result = extract_with(model, _held_out(examples)[0].document)
    for name in ("order_ref", "paid"):
        notes = [i.content for i in result.metadata[name].insights if i.type == ENGINE_NOTE]
        assert notes and notes[0].startswith("local engine:")
    assert "local engine: " in result.engine_reason and "order_ref" in result.engine_reason.split("local engine:")[1]


def test_the_summary_counts_documents_per_template(model: TrainedExtractor) -> None:
    summary = model.summary_
    assert summary.documents == 10 and set(summary.templates) == {"north", "south"}
    assert summary.templates["north"].documents == 5 and summary.values["order_ref"] == 2


def test_progress_rises_and_cancellation_stops_promptly(examples: list[TrainingExample]) -> None:
    seen: list[float] = []
    TrainedExtractor(WORKFLOW).fit(examples[:6], progress=lambda fraction, _message: seen.append(fraction))
    assert seen == sorted(seen) and seen[-1] == 1.0
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > 3

    with pytest.raises(TrainingCancelled) as info:
        TrainedExtractor(WORKFLOW).fit(examples, should_stop=stop)
    assert isinstance(info.value, TrainingError) and asked == 4


def test_no_examples_is_a_clear_error() -> None:
    with pytest.raises(TrainingError, match="no annotated documents"):
        TrainedExtractor(WORKFLOW).fit([])


def test_on_a_layout_it_has_not_seen_it_is_never_worse_than_local(examples: list[TrainingExample]) -> None:
    evaluation = cross_validate(examples, WORKFLOW, by="template", folds=2)
    assert {t.template for t in evaluation.templates} == {"north", "south"}
    for template in evaluation.templates:
        assert template.trained >= template.local
    assert evaluation.trained.micro.f1 >= evaluation.local.micro.f1


def test_held_out_by_document_it_beats_the_local_engine(examples: list[TrainingExample]) -> None:
    evaluation = cross_validate(examples, WORKFLOW, by="document", folds=3)
    trained = {s.field: s.f1 for s in evaluation.trained.fields}
    local = {s.field: s.f1 for s in evaluation.local.fields}
    assert trained["invoice_number"] == 1.0 > local["invoice_number"]
    assert evaluation.trained.micro.f1 > evaluation.local.micro.f1
    assert len(evaluation.documents) == len(examples)
    first = next(d for d in evaluation.documents if d.name == examples[0].name)
    assert set(first.trained.counts) == set(score(examples[0].expected, {}, WORKFLOW.fields))
