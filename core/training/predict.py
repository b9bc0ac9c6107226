"""A trained model's answer as the engines' result shape: each field from the trained scorer or, where the
model's plan says so, from the local engine, with confidence, citations and an insight saying which.
"""

from __future__ import annotations

from core.annotation.spans import pool_of
from core.documents import Document
from core.extraction.citations import citations_from_words, words_confidence
from core.extraction.local.items import add_items
from core.extraction.local.kinds import typed_value
from core.results import Extraction, ExtractionResult, FieldMetadata, Insight
from core.schema import Field, Workflow
from core.training.columns import with_labels
from core.training.features import PreparedDocument, prepare_document
from core.training.model import FieldAnswer, TrainedExtractor

__all__ = ["extract_with", "ENGINE_NOTE"]

ENGINE_NOTE = "engine"
"""The insight type that says which engine answered a field (``trained`` or ``local``)."""


def _copy_local(result: ExtractionResult, local: ExtractionResult | None, f: Field, why: str) -> None:
    extraction = local.extractions.get(f.name) if local else None
    result.extractions[f.name] = extraction.model_copy(deep=True) if extraction else Extraction()
    if local is not None:
        for path, meta in local.metadata.items():
            if path == f.name or path.startswith((f"{f.name}[", f"{f.name}.")):
                result.metadata[path] = meta.model_copy(deep=True)
    meta = result.metadata.setdefault(f.name, FieldMetadata())
    meta.insights.append(Insight(type=ENGINE_NOTE, content=f"local engine: {why}"))


def _memory_note(answer: FieldAnswer) -> str:
    if answer.regime == "seen":
        return (
            f"layout memory: {answer.neighbours} annotated document(s) of this layout "
            f"(similarity {answer.similarity:.2f})"
        )
    return "no annotated document of this layout: candidate scorer only"


def _trained(result: ExtractionResult, prep: PreparedDocument, f: Field, answer: FieldAnswer, threshold: float) -> None:
    spans = prep.spans(pool_of(f) or "string")
    if answer.index is None or answer.confidence < threshold:
        best = f"best candidate {spans[answer.index].text!r} " if answer.index is not None else "no candidate "
        content = f"trained: {best}at confidence {answer.confidence:.2f}, below {threshold:.2f}: left empty"
        result.extractions[f.name] = Extraction()
        result.metadata[f.name] = FieldMetadata(
            insights=[Insight(type="reasoning", content=content), Insight(type=ENGINE_NOTE, content="trained")]
        )
        return
    span = spans[answer.index]
    page = prep.layout.pages[span.page].page
    value = typed_value(f, span.value)
    confidence = round(answer.confidence, 4)
    citations = citations_from_words(page, list(span.words))
    result.extractions[f.name] = Extraction(value=value, confidence=confidence, citations=citations)
    result.metadata[f.name] = FieldMetadata(
        ocr_confidence=words_confidence(page, list(span.words)) if page.source == "ocr" else None,
        confidence=confidence,
        citations=citations,
        insights=[
            Insight(type="reasoning", content=f"trained: {_memory_note(answer)}; calibrated confidence {confidence}"),
            Insight(type=ENGINE_NOTE, content="trained"),
        ],
    )


def _items(result: ExtractionResult, prep: PreparedDocument, f: Field, labels: dict[str, list[str]]) -> None:
    """An item table read with the column labels the model learned."""
    add_items(prep.layout, with_labels(f, labels), result)
    taught = "; ".join(f"{name}: {', '.join(words)}" for name, words in labels.items())
    result.metadata[f.name].insights.append(
        Insight(type=ENGINE_NOTE, content=f"trained: the item table read with learned column labels ({taught})")
    )


def extract_with(
    model: TrainedExtractor,
    document: Document,
    *,
    workflow: Workflow | None = None,
    prepared: PreparedDocument | None = None,
) -> ExtractionResult:
    """Extract a document with a fitted model: every field of its workflow, in the workflow's order.

    Args:
        model: the fitted model.
        document: the loaded document.
        workflow: the workflow asked for, with the model's fields (its descriptions guide the local engine's
            answers); default the model's own.
        prepared: the document already prepared (``prepare_document`` with that workflow).

    Returns:
        The result; ``engine_reason`` names the fields the trained scorer answered.
    """
    workflow = workflow or model.workflow
    prep = prepared or prepare_document(document, workflow)
    answers = model.predict(document, prepared=prep)
    layout, neighbours = model.known_layout(prep)
    result = ExtractionResult.begin(workflow, document, engine="trained", engine_reason="")
    trained: list[str] = []
    for f in workflow.fields:
        plan = model.plans_.get(f.name)
        if f.item_fields and plan is not None:
            if (plan.seen if layout.regime == "seen" else plan.unseen) == "trained":
                _items(result, prep, f, model.column_labels(f, neighbours))
                trained.append(f.name)
            else:
                _copy_local(result, prep.local, f, plan.reason)
            continue
        if plan is None or plan.pool is None or f.name not in model.scorers_:
            _copy_local(result, prep.local, f, plan.reason if plan else "not part of the trained model")
            continue
        answer = answers[f.name]
        engine = plan.seen if answer.regime == "seen" else plan.unseen
        if engine == "local":
            _copy_local(
                result, prep.local, f, f"the trained scorer did not beat it out of fold on {answer.regime} layouts"
            )
            continue
        _trained(result, prep, f, answer, plan.threshold)
        trained.append(f.name)
    others = [f.name for f in workflow.fields if f.name not in trained]
    result.engine_reason = (
        f"trained fields: {', '.join(trained) or 'none'}; local engine: {', '.join(others) or 'none'}"
    )
    return result
