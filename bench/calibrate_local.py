"""Fit the local engine's confidence model (``core.extraction.local.confidence``) and report its calibration.

Run: ``FIELDBENCH_DATASETS=... .venv/bin/python bench/calibrate_local.py [--write]``; writes
``bench/results/calibration.md``, and with ``--write`` puts the fitted coefficients into
``core/extraction/local/confidence.py``.

1. Every document of each development set (``datasets/`` and ``sroie-dev``, ``nda-dev`` from
   ``$FIELDBENCH_DATASETS``) through the local engine: each scalar value's ``Evidence`` and whether the
   datasets' rules count it right.
2. A logistic regression from the evidence's features to right/wrong, fitted on the looked-at parts of all
   sets pooled (``_common.held_apart``), so that no one kind of document sets the coefficients.
3. The calibration (ECE, 10 bins) of the engine's confidence as it runs, of the model fitted here on the
   held-apart parts, and of a model fitted without each set on that set (a kind of document the fit never saw:
   the harder test, closer to documents the engine meets in use).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import REPO, dataset_folders, held_apart, machine, table, write_result
from sklearn.linear_model import LogisticRegression

from core.documents import load_document  # noqa: E402
from core.evaluation import load_dataset  # noqa: E402
from core.evaluation.calibration import calibration  # noqa: E402
from core.evaluation.scoring import score  # noqa: E402
from core.extraction.local import LocalEngine  # noqa: E402
from core.extraction.local.confidence import FEATURES, features  # noqa: E402

__all__ = ["main"]

EXTERNAL = ("sroie-dev", "nda-dev")
MODEL = REPO / "core" / "extraction" / "local" / "confidence.py"
BLOCK = re.compile(r"^INTERCEPT = .*?^COEFFICIENTS: dict\[str, float\] = \{.*?^\}\n", re.S | re.M)
REGULARISATIONS = (0.1, 0.3, 1.0, 3.0)
"""The inverse regularisation strengths tried; the one whose fits generalise best to a set left out of them
(the mean ECE over the sets, each scored by a fit on the others' looked-at parts) is used."""


@dataclass
class Value:
    """One scalar value the engine gave: where from, its features, the confidence it carried, right or not."""

    dataset: str
    held_apart: bool
    x: list[float]
    confidence: float
    right: bool


def collect(folder: Path) -> list[Value]:
    """Every scored scalar value of one dataset with its evidence."""
    dataset = load_dataset(folder)
    apart = held_apart(dataset.name, [d.name for d in dataset.documents])
    engine = LocalEngine()
    out: list[Value] = []
    for doc in dataset.documents:
        document = load_document(doc.path, spec=dataset.workflow.spec)
        result, picks = engine.extract_with_picks(document, dataset.workflow)
        counts = score(doc.expected, result.values(), dataset.workflow.fields)
        for name, c in counts.items():
            pick = picks.get(name)
            if pick is None or pick.evidence is None or pick.confidence is None or not c.one_value:
                continue  # nothing predicted, or an array (its elements count)
            x = features(pick.evidence, pick.value)
            out.append(Value(dataset.name, doc.name in apart, x, pick.confidence, bool(c.tp)))
    return out


def fit(values: list[Value], regularisation: float) -> LogisticRegression:
    x = np.array([v.x for v in values])
    y = np.array([v.right for v in values])
    return LogisticRegression(C=regularisation, max_iter=1000).fit(x, y)


def left_out(values: list[Value], name: str, regularisation: float) -> list[float]:
    """Confidences for every value of set ``name`` from a fit on the other sets' looked-at parts."""
    others = fit([v for v in values if v.dataset != name and not v.held_apart], regularisation)
    return _predict(others, [v for v in values if v.dataset == name])


def choose_regularisation(values: list[Value]) -> tuple[float, list[list[object]]]:
    """The regularisation whose fits generalise best to a set left out, and the table it was chosen from."""
    sets = sorted({v.dataset for v in values})
    rows: list[list[object]] = []
    best, best_mean = REGULARISATIONS[0], math.inf
    for c in REGULARISATIONS:
        eces = [
            calibration(left_out(values, n, c), [v.right for v in values if v.dataset == n]).ece or 0.0 for n in sets
        ]
        mean = sum(eces) / len(eces)
        rows.append([c, *(f"{e:.3f}" for e in eces), f"{mean:.3f}"])
        if mean < best_mean:
            best, best_mean = c, mean
    return best, rows


def ece(confidences: list[float], values: list[Value]) -> str:
    c = calibration(confidences, [v.right for v in values])
    return "-" if c.ece is None else f"{c.ece:.3f}"


def _predict(model: LogisticRegression, values: list[Value]) -> list[float]:
    return [float(p) for p in model.predict_proba(np.array([v.x for v in values]))[:, 1]] if values else []


def coefficients_block(model: LogisticRegression) -> str:
    """The Python lines that hold a fitted model in ``confidence.py``."""
    lines = [f"INTERCEPT = {model.intercept_[0]:.4f}", "COEFFICIENTS: dict[str, float] = {"]
    lines += [f'    "{name}": {w:.4f},' for name, w in zip(FEATURES, model.coef_[0], strict=True)]
    return "\n".join(lines) + "\n}\n"


def report(values: list[Value], looked: LogisticRegression, regularisation: float, choice: list[list[object]]) -> str:
    sets = sorted({v.dataset for v in values})
    rows = []
    for name in sets:
        mine = [v for v in values if v.dataset == name]
        apart = [v for v in mine if v.held_apart]
        rows.append(
            [
                name,
                len(mine),
                f"{sum(v.right for v in mine) / len(mine):.3f}",
                f"{sum(v.confidence for v in mine) / len(mine):.3f}",
                ece([v.confidence for v in mine], mine),
                len(apart),
                ece([v.confidence for v in apart], apart),
                ece(_predict(looked, apart), apart),
                ece(left_out(values, name, regularisation), mine),
            ]
        )
    apart = [v for v in values if v.held_apart]
    bins = calibration(_predict(looked, apart), [v.right for v in apart]).bins
    weights = [[name, f"{w:+.3f}"] for name, w in zip(FEATURES, looked.coef_[0], strict=True)]
    return "\n\n".join(
        [
            "# Local engine: confidence calibration",
            f"Command: `.venv/bin/python bench/calibrate_local.py` ({machine()}). Values: every scalar value the "
            "local engine gave on the development sets, right or wrong by the datasets' rules. The model "
            "(`core/extraction/local/confidence.py`) is a logistic regression on the value's evidence, fitted "
            "on the looked-at parts of all sets pooled. ECE: 10 equal-width bins, count-weighted "
            "|accuracy - confidence|; 0 is perfect.",
            table(
                [
                    "dataset",
                    "values",
                    "accuracy",
                    "mean confidence (engine)",
                    "ECE (engine)",
                    "held-apart values",
                    "ECE held apart (engine)",
                    "ECE held apart (fit on looked-at)",
                    "ECE, set left out of the fit",
                ],
                rows,
            ),
            "*engine*: the confidence the engine gave in this run (the coefficients in `confidence.py` when it "
            "ran). *set left out*: fitted on the looked-at parts of the other sets only, scored on all of this "
            "set: a kind of document the fit never saw.",
            "## Regularisation: ECE of each set left out of the fit",
            f"Inverse strength C chosen: {regularisation} (the least mean).",
            table(["C", *sets, "mean"], choice),
            "## Held-apart values pooled, model fitted on the looked-at parts",
            table(
                ["confidence", "values", "mean confidence", "accuracy"],
                [
                    [
                        f"{b.low:.1f}-{b.high:.1f}",
                        b.count,
                        f"{b.confidence:.3f}" if b.confidence is not None else "-",
                        f"{b.accuracy:.3f}" if b.count else "-",
                    ]
                    for b in bins
                ],
            ),
            "## Coefficients (fitted on the looked-at parts)",
            f"Intercept {looked.intercept_[0]:+.3f}.",
            table(["feature", "weight"], weights),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the fitted coefficients into confidence.py")
    args = parser.parse_args(argv)
    values = [v for folder in dataset_folders(EXTERNAL) for v in collect(folder)]
    regularisation, choice = choose_regularisation(values)
    looked = fit([v for v in values if not v.held_apart], regularisation)
    path = write_result("calibration", report(values, looked, regularisation, choice))
    print(path.read_text(encoding="utf-8"))
    if args.write:
        text = MODEL.read_text(encoding="utf-8")
        if not BLOCK.search(text):
            print(f"no INTERCEPT/COEFFICIENTS block found in {MODEL}", file=sys.stderr)
            return 1
        MODEL.write_text(BLOCK.sub(lambda _: coefficients_block(looked), text, count=1), encoding="utf-8")
        print(f"wrote the coefficients into {MODEL}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
