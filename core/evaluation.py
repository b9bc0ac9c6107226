"""Evaluation: score extracted values against expected ones by the datasets' rules, per field and overall.

The rules (``../shared/datasets/README.md``): strings compare after NFKC, whitespace collapsing and case
folding; numbers within 0.005; dates by calendar day; arrays of scalars as multisets; arrays of objects pair
their items in order of best agreement, then each item field counts on its own. TP is a non-empty correct
prediction, FP a non-empty wrong one, FN an expected value not predicted correctly. A field missing from the
expected values is not scored. ``score`` is pure so training can reuse it per field and per template.
"""

from __future__ import annotations

import json
import math
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic import Field as PydField

from core.errors import FieldbenchError, NotFoundError
from core.schema import Field, Workflow

if TYPE_CHECKING:
    from core.store import Store

__all__ = [
    "DOCUMENT_SUFFIXES",
    "DatasetDocument",
    "Dataset",
    "FieldCounts",
    "FieldScore",
    "DocumentScore",
    "EvaluationReport",
    "load_dataset",
    "expected_values",
    "values_match",
    "score",
    "summarize",
    "evaluate",
    "format_report",
]

DOCUMENT_SUFFIXES: tuple[str, ...] = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
NUMBER_TOLERANCE = 0.005


# --- datasets --------------------------------------------------------------------------------------------


class DatasetDocument(BaseModel):
    """One document of a dataset and its expected values (``{field: value}``, unwrapped)."""

    name: str
    path: Path
    expected: dict[str, Any]


class Dataset(BaseModel):
    """A dataset folder: the workflow from ``schema.json`` and the documents with ``NAME.json`` values."""

    name: str
    folder: Path
    workflow: Workflow
    documents: list[DatasetDocument]


def expected_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"value": v}}`` (the pre-annotated format) as ``{field: v}``.

    >>> expected_values({"total": {"value": 3.5}, "date": {"value": None}})
    {'total': 3.5, 'date': None}
    """
    values: dict[str, Any] = {}
    for name, entry in raw.items():
        if isinstance(entry, Mapping) and "value" in entry:
            values[name] = entry["value"]
        else:
            values[name] = entry
    return values


def load_dataset(folder: Path | str) -> Dataset:
    """Read a dataset folder: ``schema.json`` plus ``NAME.pdf|png|jpg`` with ``NAME.json`` expected values.

    Documents without a ``NAME.json`` are skipped (nothing to score them against).

    Args:
        folder: the dataset folder.

    Returns:
        The dataset, documents sorted by name.

    Raises:
        NotFoundError: the folder or its ``schema.json`` does not exist.
        SchemaError: ``schema.json`` is not a valid workflow.
        FieldbenchError: a ``NAME.json`` is not valid JSON.
    """
    folder = Path(folder)
    schema_path = folder / "schema.json"
    if not folder.is_dir():
        raise NotFoundError("dataset folder", str(folder))
    if not schema_path.is_file():
        raise NotFoundError("dataset schema", str(schema_path))
    from core.schema import load_schema_file  # reads a dataset schema.json as well as a JSON Schema

    draft = load_schema_file(schema_path)
    # A stable id per dataset folder name, so repeated evaluations of one dataset group in the processing log.
    workflow = Workflow(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldbench:dataset:{folder.name}")),
        name=draft.name or folder.name,
        description=draft.description,
        fields=draft.fields,
    )
    documents: list[DatasetDocument] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
            continue
        expected_path = path.with_suffix(".json")
        if not expected_path.is_file():
            continue
        try:
            raw = json.loads(expected_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FieldbenchError(f"{expected_path.name}: not valid JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise FieldbenchError(f"{expected_path.name}: expected an object of fields, got {type(raw).__name__}")
        documents.append(DatasetDocument(name=path.stem, path=path, expected=expected_values(raw)))
    return Dataset(name=folder.name, folder=folder, workflow=workflow, documents=documents)


# --- comparing one value ---------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (
        isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value)
    )


def _text(value: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value)).split()).casefold()


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(text)


def _rules_equal(expected: Any, predicted: Any, field_type: str) -> bool:
    """The datasets README's comparison of one scalar value."""
    if field_type in ("number", "integer"):
        a, b = _number(expected), _number(predicted)
        if a is not None and b is not None:
            return math.isclose(a, b, abs_tol=NUMBER_TOLERANCE + 1e-9)
    elif field_type == "date":
        a_day, b_day = _day(expected), _day(predicted)
        if a_day is not None and b_day is not None:
            return a_day == b_day
    elif field_type == "boolean":
        a_bool, b_bool = _bool(expected), _bool(predicted)
        if a_bool is not None and b_bool is not None:
            return a_bool == b_bool
    return _text(expected) == _text(predicted)


def values_match(expected: Any, predicted: Any, field_type: str = "string") -> bool:
    """Whether a predicted scalar counts as the expected one (the README's rules; ``core.normalize`` decides).

    >>> values_match("ACME  Corp", "acme corp"), values_match(12.5, 12.504, "number")
    (True, True)
    >>> values_match("2024-03-01", "2024-03-02", "date")
    False
    """
    try:
        from core.normalize import values_equal
    except ImportError:  # the normaliser is another stage's module; the README's rules stand in meanwhile
        return _rules_equal(expected, predicted, field_type)
    return bool(values_equal(expected, predicted, field_type))


# --- counting --------------------------------------------------------------------------------------------


class FieldCounts(BaseModel):
    """True positives, false positives and false negatives of one field (or a sum of fields)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: FieldCounts) -> FieldCounts:
        return FieldCounts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0 when both are 0."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _count_scalar(expected: Any, predicted: Any, field_type: str) -> FieldCounts:
    if _is_empty(predicted):
        return FieldCounts(fn=0 if _is_empty(expected) else 1)
    if not _is_empty(expected) and values_match(expected, predicted, field_type):
        return FieldCounts(tp=1)
    return FieldCounts(fp=1, fn=0 if _is_empty(expected) else 1)


def _count_multiset(expected: list[Any], predicted: list[Any], field_type: str) -> FieldCounts:
    remaining = [e for e in expected if not _is_empty(e)]
    counts = FieldCounts()
    for value in (p for p in predicted if not _is_empty(p)):
        match = next((i for i, e in enumerate(remaining) if values_match(e, value, field_type)), None)
        if match is None:
            counts.fp += 1
        else:
            counts.tp += 1
            remaining.pop(match)
    counts.fn += len(remaining)
    return counts


def _as_list(value: Any) -> list[Any]:
    if _is_empty(value):
        return []
    return list(value) if isinstance(value, list) else [value]


def _as_item(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _agreement(expected: Mapping[str, Any], predicted: Mapping[str, Any], fields: list[Field]) -> int:
    return sum(
        1
        for f in fields
        if f.name in expected
        and not _is_empty(expected[f.name])
        and not _is_empty(predicted.get(f.name))
        and values_match(expected[f.name], predicted[f.name], f.type)
    )


def pair_items(
    expected: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]], fields: list[Field]
) -> list[tuple[int | None, int | None]]:
    """Pair expected and predicted items in order of best agreement (greedy over agreement counts).

    Pairs with the most agreeing item fields are taken first; ties go to the pair closest in position, then
    the earliest. Items left over are paired with None.

    >>> f = [Field(name="d"), Field(name="q", type="number")]
    >>> pair_items([{"d": "a", "q": 1}, {"d": "b", "q": 2}], [{"d": "b", "q": 2}], f)
    [(0, None), (1, 0)]
    """
    candidates = sorted(
        ((_agreement(e, p, fields), i, j) for i, e in enumerate(expected) for j, p in enumerate(predicted)),
        key=lambda c: (-c[0], abs(c[1] - c[2]), c[1], c[2]),
    )
    used_e: set[int] = set()
    used_p: set[int] = set()
    pairs: dict[int, int | None] = {}
    for agreement, i, j in candidates:
        if agreement == 0 or i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        pairs[i] = j
    result: list[tuple[int | None, int | None]] = [(i, pairs.get(i)) for i in range(len(expected))]
    result += [(None, j) for j in range(len(predicted)) if j not in used_p]
    return result


def _count_items(name: str, expected: list[Any], predicted: list[Any], fields: list[Field]) -> dict[str, FieldCounts]:
    exp_items = [_as_item(e) for e in expected]
    pred_items = [_as_item(p) for p in predicted]
    # An item field no expected item of this document lists has no known value: not scored, also for extras.
    scored = [f for f in fields if any(f.name in e for e in exp_items)]
    counts = {f"{name}.{f.name}": FieldCounts() for f in scored}
    for i, j in pair_items(exp_items, pred_items, scored):
        exp_item = exp_items[i] if i is not None else {}
        pred_item = pred_items[j] if j is not None else {}
        for f in scored:
            if i is not None and f.name not in exp_item:
                continue
            key = f"{name}.{f.name}"
            counts[key] = counts[key] + _count_scalar(exp_item.get(f.name), pred_item.get(f.name), f.type)
    return counts


def score(expected: Mapping[str, Any], predicted: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, FieldCounts]:
    """Count TP/FP/FN per field of one document (pure: no I/O, reusable per template or per model).

    Args:
        expected: the known values, ``{field: value}`` (wrapped ``{"value": v}`` entries are unwrapped).
        predicted: the extracted values, ``{field: value}``.
        fields: the workflow's fields.

    Returns:
        Counts by path: ``"total"`` for a scalar, ``"tags"`` for an array of scalars (elements counted),
        ``"line_items.description"`` for each item field of an array of objects, ``"address.city"`` for the
        properties of an object. Fields missing from ``expected`` are absent.

    >>> fields = [Field(name="total", type="number"), Field(name="number")]
    >>> counts = score({"total": 10.0, "number": "A1"}, {"total": 10.001, "number": "B2"}, fields)
    >>> counts["total"].tp, counts["number"].fp, counts["number"].fn
    (1, 1, 1)
    """
    expected = expected_values(expected)
    counts: dict[str, FieldCounts] = {}
    for f in fields:
        if f.name not in expected:
            continue
        exp, pred = expected[f.name], predicted.get(f.name)
        if f.type == "array":
            if f.item_fields:
                counts.update(_count_items(f.name, _as_list(exp), _as_list(pred), f.item_fields))
            else:
                element_type = f.items.type if f.items is not None else "string"
                counts[f.name] = _count_multiset(_as_list(exp), _as_list(pred), element_type)
        elif f.type == "object":
            sub = score(_as_item(exp), _as_item(pred), f.properties)
            counts.update({f"{f.name}.{key}": value for key, value in sub.items()})
        else:
            counts[f.name] = _count_scalar(exp, pred, f.type)
    return counts


def _item_prefixes(fields: Iterable[Field]) -> set[str]:
    return {f"{f.name}." for f in fields if f.item_fields}


# --- reports ---------------------------------------------------------------------------------------------


class FieldScore(BaseModel):
    """Counts and scores of one field path over a dataset."""

    field: str
    line_item: bool = PydField(default=False, description="True for an item field of an array of objects.")
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


class DocumentScore(BaseModel):
    """One document's counts, or the error that stopped it."""

    name: str
    counts: dict[str, FieldCounts] = PydField(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    engine: str = ""


class EvaluationReport(BaseModel):
    """Per-field precision, recall and F1 of one engine on one dataset, micro-F1 and line-item F1."""

    dataset: str
    engine: str
    engine_reason: str = ""
    documents: int
    failed: int = 0
    fields: list[FieldScore]
    micro: FieldScore = PydField(description="Micro average over all scalar fields (not line items).")
    line_items: FieldScore | None = PydField(default=None, description="Micro average over item fields.")
    per_document: list[DocumentScore] = PydField(default_factory=list)
    seconds: float = 0.0

    @property
    def micro_f1(self) -> float:
        """Micro-F1 over all scalar fields."""
        return self.micro.f1

    @property
    def line_item_f1(self) -> float | None:
        """Micro-F1 over all line-item fields; None when the dataset has none."""
        return self.line_items.f1 if self.line_items else None


def _field_score(name: str, counts: FieldCounts, line_item: bool) -> FieldScore:
    return FieldScore(
        field=name,
        line_item=line_item,
        tp=counts.tp,
        fp=counts.fp,
        fn=counts.fn,
        precision=round(counts.precision, 4),
        recall=round(counts.recall, 4),
        f1=round(counts.f1, 4),
    )


def summarize(
    per_document: list[DocumentScore],
    fields: list[Field],
    *,
    dataset: str = "",
    engine: str = "",
    engine_reason: str = "",
    seconds: float = 0.0,
) -> EvaluationReport:
    """Sum per-document counts into a report: per field, micro over scalar fields, micro over line items.

    "Scalar fields" are every path that is not an item field of an array of objects (arrays of scalars count
    their elements there); line-item fields are summed apart.
    """
    prefixes = _item_prefixes(fields)
    order: list[str] = []
    totals: dict[str, FieldCounts] = {}
    for doc in per_document:
        for key, counts in doc.counts.items():
            if key not in totals:
                order.append(key)
                totals[key] = FieldCounts()
            totals[key] = totals[key] + counts
    # Keep the workflow's field order, not the order fields happened to be first seen.
    rank = {f.name: i for i, f in enumerate(fields)}
    seen = {key: i for i, key in enumerate(order)}
    order.sort(key=lambda k: (rank.get(k.split(".", 1)[0], len(rank)), seen[k]))
    scalar_total, item_total, has_items = FieldCounts(), FieldCounts(), False
    scores: list[FieldScore] = []
    for key in order:
        is_item = any(key.startswith(p) for p in prefixes)
        scores.append(_field_score(key, totals[key], is_item))
        if is_item:
            has_items = True
            item_total = item_total + totals[key]
        else:
            scalar_total = scalar_total + totals[key]
    return EvaluationReport(
        dataset=dataset,
        engine=engine,
        engine_reason=engine_reason,
        documents=len(per_document),
        failed=sum(1 for d in per_document if d.error),
        fields=scores,
        micro=_field_score("micro (scalar fields)", scalar_total, False),
        line_items=_field_score("line items", item_total, True) if has_items else None,
        per_document=per_document,
        seconds=round(seconds, 3),
    )


def evaluate(
    dataset: Dataset | Path | str,
    *,
    engine: str = "local",
    store: Store | None = None,
    model_dir: Path | str | None = None,
    limit: int | None = None,
    source: str = "bench",
    progress: Callable[[int, int, str], None] | None = None,
) -> EvaluationReport:
    """Extract every document of a dataset through the pipeline and score it.

    A document that fails to load or extract counts every expected value as a miss (FN) and is listed with
    its error; the evaluation goes on.

    Args:
        dataset: a loaded dataset or its folder.
        engine: ``auto``, ``local``, ``llm`` or ``trained``.
        store: where documents and runs go; default a throw-away store.
        model_dir: a trained model's folder (``trained``).
        limit: evaluate only the first N documents.
        source: the run source logged (``bench``, ``cli`` ...).
        progress: called ``(done, total, name)`` after each document.

    Returns:
        The report.

    Raises:
        EngineUnavailableError: the engine asked for cannot run here.
    """
    from core.extraction import choose_engine
    from core.processing import process
    from core.store import Store

    if not isinstance(dataset, Dataset):
        dataset = load_dataset(dataset)
    own_store = store is None
    store = store or Store.open_memory()
    # Fail fast (before any document) when the engine cannot run at all.
    _, reason = choose_engine(dataset.workflow, requested=engine, model_dir=model_dir)
    docs = dataset.documents[:limit] if limit is not None else dataset.documents
    per_document: list[DocumentScore] = []
    engine_name = engine
    start = time.perf_counter()
    try:
        for index, doc in enumerate(docs):
            t0 = time.perf_counter()
            try:
                result = process(store, doc.path, dataset.workflow, engine=engine, source=source, model_dir=model_dir)
                counts = score(doc.expected, result.values(), dataset.workflow.fields)
                engine_name = result.engine
                per_document.append(
                    DocumentScore(
                        name=doc.name,
                        counts=counts,
                        seconds=round(time.perf_counter() - t0, 3),
                        engine=result.engine,
                    )
                )
            except FieldbenchError as exc:
                counts = score(doc.expected, {}, dataset.workflow.fields)
                per_document.append(
                    DocumentScore(name=doc.name, counts=counts, error=str(exc), seconds=time.perf_counter() - t0)
                )
            if progress is not None:
                progress(index + 1, len(docs), doc.name)
    finally:
        if own_store:
            store.close()
    return summarize(
        per_document,
        dataset.workflow.fields,
        dataset=dataset.name,
        engine=engine_name,
        engine_reason=reason,
        seconds=time.perf_counter() - start,
    )


def format_report(report: EvaluationReport) -> str:
    """The report as a plain-text table (what ``fieldbench evaluate`` prints)."""
    rows = [(s.field, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1) for s in report.fields]
    width = max([len("field")] + [len(r[0]) for r in rows] + [len(report.micro.field), len("line items")])
    header = f"{'field':<{width}}  {'TP':>4} {'FP':>4} {'FN':>4}  {'precision':>9} {'recall':>6} {'F1':>6}"
    lines = [
        f"dataset {report.dataset}: {report.documents} documents, engine {report.engine}"
        + (f", {report.failed} failed" if report.failed else ""),
        header,
        "-" * len(header),
    ]
    for name, tp, fp, fn, p, r, f1 in rows:
        lines.append(f"{name:<{width}}  {tp:>4} {fp:>4} {fn:>4}  {p:>9.3f} {r:>6.3f} {f1:>6.3f}")
    lines.append("-" * len(header))
    for total in [report.micro] + ([report.line_items] if report.line_items else []):
        lines.append(
            f"{total.field:<{width}}  {total.tp:>4} {total.fp:>4} {total.fn:>4}  "
            f"{total.precision:>9.3f} {total.recall:>6.3f} {total.f1:>6.3f}"
        )
    for doc in report.per_document:
        if doc.error:
            lines.append(f"failed: {doc.name}: {doc.error}")
    return "\n".join(lines)
