"""Benchmark the document classifier on the repository's datasets and sample_docs: held-out accuracy, time per doc.

Writes ``bench/results/classify.md``. Run: ``.venv/bin/python bench/bench_classify.py``.

The documents carry no class labels, so two labelled tasks are derived from what is known about each file
(never from its text):

1. **producer** — who published the sample, from the file name: the ZUGFeRD/Factur-X test suites of
   intarsys (v1 and v2), Symtrax, the Mustang project, FNFE (French Factur-X), the ``XML_Rechnung_FX`` set,
   the invoice2data vendor invoices, and Fieldbench's own ``sample_docs``. The same business case
   (e.g. ``EN16931_Einfach``) appears in several producers' sets with their own layout, so this is template /
   sender classification, the routing use case, not keyword spotting.
2. **document type** — invoice vs. correction (``Rechnungskorrektur`` or ``Gutschrift``, a credit note, in the
   EN 16931 test-case name), over the ZUGFeRD set plus the invoice2data and sample_docs invoices (receipts
   left out). Imbalanced and harder: a correction looks like an invoice.

Held-out figures come from stratified k-fold cross-validation (k = min(5, smallest class)) of the exact
pipeline ``core.classify`` trains (``build_pipeline``), so every document is predicted by a model that never
saw it. Baselines measured in the same run: the majority class, and a word-TF-IDF-only logistic regression
(no character n-grams, no top-of-page view, no layout numbers).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _common import DATASETS, REPO
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline

from core.classify import REVIEW_THRESHOLD, classify, fit  # noqa: E402
from core.classify.model import build_pipeline, feature_frame  # noqa: E402
from core.documents import DOCUMENT_SUFFIXES, Document, load_document  # noqa: E402

__all__ = ["main", "producer", "document_type"]

SAMPLES = REPO / "sample_docs"
RESULTS = REPO / "bench" / "results" / "classify.md"


def producer(folder: str, name: str) -> str:
    """The publisher of a sample, from its dataset folder and file name."""
    if folder == "invoice2data":
        return "invoice2data"
    if folder == "sample_docs":
        return "fieldbench_samples"
    lowered = name.lower()
    if lowered.startswith("xml_rechnung_fx"):
        return "xml_rechnung_fx"
    for key in ("intarsys", "symtrax", "mustangproject", "fnfe"):
        if key in lowered:
            return key
    return "other_zugferd"


def document_type(folder: str, name: str) -> str | None:
    """``correction`` (Rechnungskorrektur, Gutschrift) or ``invoice``; None for receipts (left out)."""
    if "receipt" in name.lower():
        return None
    lowered = name.lower()
    return "correction" if ("rechnungskorrektur" in lowered or "gutschrift" in lowered) else "invoice"


def _collect() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for folder in sorted(p for p in DATASETS.iterdir() if p.is_dir()):
        found += [(folder.name, p) for p in sorted(folder.iterdir()) if p.suffix.lower() in DOCUMENT_SUFFIXES]
    if SAMPLES.is_dir():
        found += [("sample_docs", p) for p in sorted(SAMPLES.iterdir()) if p.suffix.lower() in DOCUMENT_SUFFIXES]
    return found


def _text_only() -> object:
    return make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=5000, class_weight="balanced"))


def _evaluate(task: str, items: list[tuple[str, Document]]) -> dict[str, object]:
    labels = [label for label, _d in items]
    docs = [d for _l, d in items]
    counts = Counter(labels)
    k = min(5, min(counts.values()))
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    y = np.array(labels)
    X = feature_frame(docs, 1)

    start = time.perf_counter()
    proba = cross_val_predict(build_pipeline(), X, y, cv=cv, method="predict_proba")
    cv_seconds = time.perf_counter() - start
    classes = np.array(sorted(counts))
    predicted = classes[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    accuracy = float(np.mean(predicted == y))
    macro_f1 = float(f1_score(y, predicted, average="macro"))
    accepted = confidence >= REVIEW_THRESHOLD
    accepted_accuracy = float(np.mean(predicted[accepted] == y[accepted])) if accepted.any() else float("nan")

    majority = cross_val_predict(DummyClassifier(strategy="most_frequent"), X, y, cv=cv)
    majority_accuracy = float(np.mean(majority == y))
    text_only = cross_val_predict(_text_only(), X["text"], y, cv=cv)
    text_accuracy = float(np.mean(text_only == y))
    text_f1 = float(f1_score(y, text_only, average="macro"))

    start = time.perf_counter()
    model = fit(items, pages=1)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for doc in docs:
        classify(model, doc)
    classify_seconds = (time.perf_counter() - start) / len(docs)

    per_class = {}
    for label in classes:
        mask = y == label
        per_class[str(label)] = (int(mask.sum()), float(np.mean(predicted[mask] == label)))
    return {
        "task": task,
        "documents": len(items),
        "classes": len(counts),
        "folds": k,
        "accuracy": accuracy,
        "macro_f1": macro_f1,
        "majority": majority_accuracy,
        "text_only": text_accuracy,
        "text_only_f1": text_f1,
        "review_share": float(np.mean(~accepted)),
        "accepted_accuracy": accepted_accuracy,
        "per_class": per_class,
        "fit_seconds": fit_seconds,
        "cv_seconds": cv_seconds,
        "classify_seconds": classify_seconds,
        "report_accuracy": model.report.accuracy,
        "unreliable": model.report.unreliable,
    }


def _markdown(results: list[dict[str, object]], load_seconds: float, n_docs: int, ocr_pages: int) -> str:
    lines = [
        "# Classifier benchmark",
        "",
        "Command: `.venv/bin/python bench/bench_classify.py` (also `make bench`). Documents: every",
        "PDF/image in `datasets/*/` and `sample_docs/`. Labels are derived from file names, never",
        "from the text (see the module docstring): **producer** = who published the sample (intarsys,",
        "Symtrax, Mustang, FNFE, XML_Rechnung_FX, invoice2data vendors, Fieldbench samples); **document",
        "type** = invoice vs. correction/credit note (Rechnungskorrektur, Gutschrift). Held-out = stratified",
        "k-fold cross-validation of the pipeline `core.classify` trains; relevant pages: first page.",
        "Baselines from the same run: majority class, and word TF-IDF + logistic regression on the text",
        "alone. 'errors vs text-only' = held-out error rate of the full pipeline / that of the text-only",
        "baseline (below 1x: fewer errors).",
        "",
        "## Held-out accuracy",
        "",
        "| task | docs | classes | folds | accuracy | macro-F1 | majority | ratio vs majority "
        "| text-only acc. | text-only macro-F1 | errors vs text-only |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        acc, majority = float(r["accuracy"]), float(r["majority"])  # type: ignore[arg-type]
        err, text_err = 1 - acc, 1 - float(r["text_only"])  # type: ignore[arg-type]
        ratio = f"{err / text_err:.2f}x" if text_err > 0 else ("1.00x" if err == 0 else "inf")
        lines.append(
            f"| {r['task']} | {r['documents']} | {r['classes']} | {r['folds']} | {r['accuracy']:.3f} | "
            f"{r['macro_f1']:.3f} | {majority:.3f} | {acc / majority:.2f}x | "
            f"{r['text_only']:.3f} | {r['text_only_f1']:.3f} | {ratio} |"
        )
    lines += [
        "",
        "## Review flag (confidence below 80 %)",
        "",
        "| task | flagged for review | accuracy of the results not flagged |",
        "|---|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['task']} | {float(r['review_share']):.1%} | {float(r['accepted_accuracy']):.3f} |")  # type: ignore[arg-type]
    lines += ["", "## Per class (held-out accuracy = recall)", ""]
    for r in results:
        flag = "unreliable" if r["unreliable"] else "reliable"
        lines += [
            f"**{r['task']}** (the training report of `fit` on all documents: accuracy "
            f"{float(r['report_accuracy'] or 0):.3f}, flagged {flag})",  # type: ignore[arg-type]
            "",
            "| class | documents | accuracy |",
            "|---|---:|---:|",
        ]
        for label, (n, acc) in r["per_class"].items():  # type: ignore[attr-defined]
            lines.append(f"| {label} | {n} | {acc:.3f} |")
        lines.append("")
    lines += [
        "## Time per document",
        "",
        f"Loading (text layer, or OCR for {ocr_pages} image/scanned page(s)): "
        f"{load_seconds / n_docs * 1000:.1f} ms per document ({n_docs} documents, {load_seconds:.1f} s).",
        "",
        "| task | training (fit incl. its own CV) per doc | classify per doc (features + predict) | classify / load |",
        "|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['task']} | {float(r['fit_seconds']) / int(r['documents']) * 1000:.1f} ms "  # type: ignore[arg-type]
            f"| {float(r['classify_seconds']) * 1000:.2f} ms "  # type: ignore[arg-type]
            f"| {float(r['classify_seconds']) / (load_seconds / n_docs):.2f}x |"  # type: ignore[arg-type]
        )
    lines += [
        "",
        "Caveats: small sets (the smallest producer classes have 4-5 documents), several ZUGFeRD samples are",
        "the same business case rendered by different producers, and near-duplicates exist within a producer",
        "(v1/v2 of the same test case), which flatters the producer task; the document-type task is the",
        "more honest measure of content classification.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    """Load every document once, evaluate both tasks, print and write the report."""
    files = _collect()
    documents: list[tuple[str, Path, Document]] = []
    start = time.perf_counter()
    for folder, path in files:
        documents.append((folder, path, load_document(path.read_bytes(), name=path.name)))
    load_seconds = time.perf_counter() - start
    ocr_pages = sum(1 for _f, _p, d in documents for page in d.pages if page.source == "ocr")

    tasks = {
        "producer": [(producer(f, p.name), d) for f, p, d in documents],
        "document type": [(t, d) for f, p, d in documents if (t := document_type(f, p.name)) is not None],
    }
    results = [_evaluate(name, items) for name, items in tasks.items()]
    report = _markdown(results, load_seconds, len(documents), ocr_pages)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
