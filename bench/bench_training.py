"""Benchmark the trained engine against the local engine on the same held-out documents.

Writes ``bench/results/training.md``. Run: ``.venv/bin/python bench/bench_training.py [--quick]``.

Per dataset (``datasets/`` and ``sroie-dev`` from ``$FIELDBENCH_DATASETS`` when present):
1. Held out by document: 5-fold cross-validation, near-identical documents kept on one side (a receipt's PDF
   and its JPEG are one group); the local engine on the same documents is the baseline. Per field, per
   template, every-field-right share, ECE with its bins, threshold table.
2. Held out by template (where templates exist: zugferd-dev's generator prefix, invoice2data's vendors):
   the leave-templates-out check, trained never worse than local on layouts it has not seen.
3. 20 documents of a template: for each template with more than 20 documents, models trained on exactly 20
   of them, rotated until each of its documents was held out once, scored on the held-out ones.
4. Line items under unfamiliar names (datasets with an array of objects): the item fields renamed
   ``column_1`` ... with no description, so that the local table reader knows nothing but their types and the
   trained engine must learn every column from the annotations; held out by document and by template.
5. Training time on all documents against extracting the same documents with the local engine, both from
   loaded documents and both in this run (wall and CPU seconds); and the same from the files (loading the
   documents, measured once, added to both sides), which is what a user waits for.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import RESULTS, dataset_folders, machine, table, write_result

from core.annotation.spans import pool_of  # noqa: E402
from core.evaluation import load_dataset  # noqa: E402
from core.evaluation.report import summarize  # noqa: E402
from core.extraction.local.engine import LocalEngine  # noqa: E402
from core.schema import Field, Workflow  # noqa: E402
from core.training import TrainedExtractor, TrainingExample, examples_from_dataset  # noqa: E402
from core.training.evaluation import HeldOutEvaluation, cross_validate, evaluate_on  # noqa: E402
from core.training.examples import has_value  # noqa: E402
from core.training.scorer import labels  # noqa: E402

__all__ = ["main"]

EXTERNAL = ("sroie-dev",)
AIMS = {"sroie_f1": 0.93, "sroie_ece": 0.05, "template20": 0.95, "speed": 3.0}
TEMPLATE_DOCUMENTS = 20


def _zugferd_template(name: str) -> str:
    """The generator prefix of a zugferd-dev file name: ``ZUGFeRDv2_correct_symtrax``."""
    return "_".join(name.split("_")[:3])


def _group_of(name: str) -> str:
    return Path(name).stem


TEMPLATES: dict[str, Callable[[str], str | None]] = {
    "zugferd-dev": _zugferd_template,
    "invoice2data": lambda name: name,  # every document is another vendor's layout
}


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _field_table(ev: HeldOutEvaluation) -> str:
    local = {s.field: s for s in ev.local.fields}
    rows = [
        (s.field, s.tp, s.fp, s.fn, _f(s.f1), _f(local[s.field].f1), f"{s.f1 - local[s.field].f1:+.3f}")
        for s in ev.trained.fields
    ]
    for name, t, lo in [
        ("**micro (scalar fields)**", ev.trained.micro, ev.local.micro),
        ("**line items**", ev.trained.line_items, ev.local.line_items),
    ]:
        if t is not None and lo is not None:
            rows.append((name, t.tp, t.fp, t.fn, _f(t.f1), _f(lo.f1), f"{t.f1 - lo.f1:+.3f}"))
    return table(["field", "TP", "FP", "FN", "trained F1", "local F1", "change"], rows)


def _template_table(ev: HeldOutEvaluation) -> str:
    rows = [(t.template, t.documents, _f(t.trained), _f(t.local), f"{t.trained - t.local:+.3f}") for t in ev.templates]
    return table(["template", "documents", "trained micro-F1", "local micro-F1", "change"], rows)


def _calibration_table(ev: HeldOutEvaluation) -> str:
    rows = [
        (f"{b.low:.1f}-{b.high:.1f}", b.count, _f(b.confidence), _f(b.accuracy)) for b in ev.calibration.bins if b.count
    ]
    return table(["confidence bin", "values", "mean confidence", "accuracy"], rows)


def _threshold_table(ev: HeldOutEvaluation) -> str:
    rows = [(f">= {r.threshold}", r.answered, _f(r.precision), _f(r.coverage)) for r in ev.thresholds]
    return table(["confidence", "answered", "precision", "coverage"], rows)


def _twenty_of_a_template(
    examples: list[TrainingExample], workflow: Workflow, cache: dict
) -> list[tuple[str, int, int, float, float]]:
    """Per template with more than 20 documents: (template, documents, models, trained F1, local F1)."""
    out = []
    templates = sorted({ex.template for ex in examples if ex.template})
    for template in templates:
        docs = [ex for ex in examples if ex.template == template]
        if len(docs) <= TEMPLATE_DOCUMENTS:
            continue
        order = list(np.random.default_rng(0).permutation(len(docs)))
        held = len(docs) - TEMPLATE_DOCUMENTS
        scored = []
        models = 0
        for start in range(0, len(docs), held):
            test = order[start : start + held]
            train = [docs[i] for i in order if i not in test][:TEMPLATE_DOCUMENTS]
            model = TrainedExtractor(workflow).fit(train, prepared=cache)
            scored += evaluate_on(model, [docs[i] for i in test], prepared=cache)
            models += 1
        trained = summarize([d.trained for d in scored], workflow.fields)
        local = summarize([d.local for d in scored], workflow.fields)
        out.append((template, len(docs), models, trained.micro.f1, local.micro.f1))
    return out


def _unfamiliar(field: Field) -> tuple[Field, dict[str, str]]:
    """The array field with its item fields renamed ``column_<k>`` and no description, and the renaming."""
    names = {f.name: f"column_{k + 1}" for k, f in enumerate(field.item_fields)}
    assert field.items is not None
    properties = [f.model_copy(update={"name": names[f.name], "description": ""}) for f in field.item_fields]
    return field.model_copy(update={"items": field.items.model_copy(update={"properties": properties})}), names


def _unfamiliar_items(examples: list[TrainingExample], workflow: Workflow) -> tuple[list[str], dict[str, float]]:
    """Line items learned under field names the vocabulary does not know (section 4 of the module docstring)."""
    tables = [f for f in workflow.fields if f.item_fields]
    if not tables:
        return [], {}
    renamed = {f.name: _unfamiliar(f) for f in tables}
    fields = [renamed[f.name][0] for f in tables]
    blind = Workflow(name=f"{workflow.name}: items only, unfamiliar names", fields=fields)
    blind_examples = []
    for ex in examples:
        expected = {}
        for f in tables:
            if f.name in ex.expected:
                names = renamed[f.name][1]
                items = ex.expected[f.name] or []
                expected[f.name] = [{names.get(k, k): v for k, v in dict(it).items()} for it in items]
        blind_examples.append(ex.model_copy(update={"expected": expected}))
    cache: dict = {}
    rows, facts = [], {}
    modes = ["document"] + (["template"] if any(ex.template for ex in examples) else [])
    for mode in modes:
        ev = cross_validate(blind_examples, blind, by=mode, prepared=cache)  # type: ignore[arg-type]
        t, lo = ev.trained.line_items, ev.local.line_items
        if t is None or lo is None:
            continue
        rows.append((f"held out by {mode} ({ev.folds} folds)", t.tp, t.fp, t.fn, _f(t.f1), _f(lo.f1)))
        facts[mode] = t.f1
    if not rows:
        return [], {}
    text = [
        "### Line items under unfamiliar names",
        "The item fields renamed "
        + ", ".join(f"`{new}` ({old})" for f in tables for old, new in renamed[f.name][1].items())
        + ", without descriptions: the local table reader knows only their types; the trained engine learns the "
        "header label of each column from the annotated documents (`core.training.columns`).",
        table(["split", "TP", "FP", "FN", "trained F1", "local F1"], rows),
    ]
    return text, facts


def _ceiling(examples: list[TrainingExample], workflow: Workflow, cache: dict) -> tuple[int, int]:
    """(values some candidate reads exactly, known values) over the ranked scalar fields: what a ranking
    engine can reach at most (annotations that differ from the printed text cannot be matched)."""
    readable = known = 0
    for ex in examples:
        prep = cache[ex.document.id]
        for f in workflow.fields:
            pool = pool_of(f)
            if pool is None or not has_value(ex.expected.get(f.name)):
                continue
            known += 1
            readable += bool(labels(prep, pool, ex.expected[f.name]).any())
    return readable, known


def _speed(examples: list[TrainingExample], workflow: Workflow) -> dict[str, float]:
    """Local extraction of every document, then training on all of them (fresh caches), wall and CPU s."""
    wall, cpu = time.perf_counter(), time.process_time()
    engine = LocalEngine(cache_size=1)
    for ex in examples:
        engine.extract(ex.document, workflow)
    local_wall, local_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    TrainedExtractor(workflow).fit(examples)
    return {
        "local_wall": local_wall,
        "local_cpu": local_cpu,
        "train_wall": time.perf_counter() - wall,
        "train_cpu": time.process_time() - cpu,
    }


def _template_sections(
    examples: list[TrainingExample], workflow: Workflow, cache: dict, facts: dict[str, object]
) -> list[str]:
    """Held out by template, and 20 documents of a template; their figures go into ``facts``."""
    by_template = cross_validate(examples, workflow, by="template", prepared=cache)
    facts["by_template"] = by_template
    sections = [
        f"### Held out by template ({by_template.folds} folds: layouts the model has not seen)",
        _field_table(by_template),
        _template_table(by_template),
    ]
    twenty = _twenty_of_a_template(examples, workflow, cache)
    facts["twenty"] = twenty
    if twenty:
        sections += [
            f"### {TEMPLATE_DOCUMENTS} documents of a template, scored on its other documents",
            table(
                ["template", "documents", "models", "trained micro-F1", "local micro-F1"],
                [(t, n, m, _f(a), _f(b)) for t, n, m, a, b in twenty],
            ),
        ]
    return sections


def _speed_section(speed: dict[str, float], documents: int, load_seconds: float) -> list[str]:
    return [
        "### Training time",
        table(
            ["measure", "wall s", "CPU s"],
            [
                (
                    f"local engine, extract {documents} loaded documents",
                    f"{speed['local_wall']:.2f}",
                    f"{speed['local_cpu']:.2f}",
                ),
                (
                    f"train on the same {documents} documents",
                    f"{speed['train_wall']:.2f}",
                    f"{speed['train_cpu']:.2f}",
                ),
                (
                    "ratio, loaded documents",
                    f"{speed['train_wall'] / speed['local_wall']:.1f}x",
                    f"{speed['train_cpu'] / speed['local_cpu']:.1f}x",
                ),
                (
                    f"ratio from the files (loading, {load_seconds:.1f} s wall, on both sides)",
                    f"{(load_seconds + speed['train_wall']) / (load_seconds + speed['local_wall']):.1f}x",
                    "",
                ),
            ],
        ),
    ]


def _dataset(folder: Path, quick: bool) -> tuple[str, dict[str, object]]:
    dataset = load_dataset(folder)
    template_of = TEMPLATES.get(folder.name)
    t0 = time.perf_counter()
    examples = examples_from_dataset(dataset, template_of=template_of, group_of=_group_of)
    load_seconds = time.perf_counter() - t0
    if quick:
        examples = examples[:30]
    workflow = dataset.workflow
    cache: dict = {}
    by_doc = cross_validate(examples, workflow, by="document", prepared=cache)
    readable, known = _ceiling(examples, workflow, cache)
    sections = [
        f"## {folder.name}: {len(examples)} documents (loading {load_seconds:.1f} s)",
        f"Ceiling: {readable} of {known} known values of the ranked fields ({readable / max(known, 1):.1%}) are "
        "read exactly by some candidate; the rest differ from the printed text (annotation or OCR).",
        f"### Held out by document ({by_doc.folds} folds, near-identical documents on one side)",
        _field_table(by_doc),
        f"Every field right: trained {by_doc.all_right['trained']:.1%}, local {by_doc.all_right['local']:.1%}. "
        f"ECE {_f(by_doc.calibration.ece)} over {by_doc.calibration.samples} values.",
        _calibration_table(by_doc),
        _threshold_table(by_doc),
    ]
    if template_of is not None:
        sections += ["Per template, held out by document:", _template_table(by_doc)]
    facts: dict[str, object] = {"by_document": by_doc, "documents": len(examples), "ceiling": readable / max(known, 1)}
    if template_of is not None:
        sections += _template_sections(examples, workflow, cache, facts)
    unfamiliar, facts["unfamiliar_items"] = _unfamiliar_items(examples, workflow)
    sections += unfamiliar
    speed = _speed(examples, workflow)
    facts["speed"] = speed
    sections += _speed_section(speed, len(examples), load_seconds)
    return "\n\n".join(sections), facts


def _summary(results: dict[str, dict[str, object]]) -> str:
    rows = []
    for name, facts in results.items():
        ev = facts["by_document"]
        assert isinstance(ev, HeldOutEvaluation)
        tmpl = facts.get("by_template")
        rows.append(
            (
                name,
                facts["documents"],
                _f(ev.trained.micro.f1),
                _f(ev.local.micro.f1),
                _f(tmpl.trained.micro.f1) if isinstance(tmpl, HeldOutEvaluation) else "-",
                _f(tmpl.local.micro.f1) if isinstance(tmpl, HeldOutEvaluation) else "-",
                _f(ev.calibration.ece),
                f"{facts['ceiling']:.1%}",
            )
        )
    return table(
        [
            "dataset",
            "documents",
            "trained F1 (by doc)",
            "local F1",
            "trained F1 (by template)",
            "local F1",
            "ECE",
            "values readable",
        ],
        rows,
    )


def _aims(results: dict[str, dict[str, object]]) -> str:
    rows = []
    sroie = results.get("sroie-dev")
    if sroie:
        ev = sroie["by_document"]
        assert isinstance(ev, HeldOutEvaluation)
        f1, ece = ev.trained.micro.f1, ev.calibration.ece or 1.0
        rows.append(
            (
                "receipts micro-F1 (sroie-dev, held out by document)",
                _f(f1),
                ">= 0.93",
                "met" if f1 >= AIMS["sroie_f1"] else "**not met**",
            )
        )
        rows.append(("receipts ECE", _f(ece), "<= 0.05", "met" if ece <= AIMS["sroie_ece"] else "**not met**"))
    for name, facts in results.items():
        tmpl = facts.get("by_template")
        if isinstance(tmpl, HeldOutEvaluation):
            worse = [t.template for t in tmpl.templates if t.trained < t.local - 1e-9]
            ok = tmpl.trained.micro.f1 >= tmpl.local.micro.f1 - 1e-9 and not worse
            rows.append(
                (
                    f"{name}: unseen layouts, trained vs local",
                    f"{tmpl.trained.micro.f1:.3f} vs {tmpl.local.micro.f1:.3f}",
                    "never worse",
                    "met" if ok else f"**not met** ({', '.join(worse) or 'overall'})",
                )
            )
        for template, _n, _m, trained, _local in facts.get("twenty", []):  # type: ignore[attr-defined]
            rows.append(
                (
                    f"{name}: 20 documents of {template}",
                    _f(trained),
                    ">= 0.95",
                    "met" if trained >= AIMS["template20"] else "**not met**",
                )
            )
        speed = facts["speed"]
        assert isinstance(speed, dict)
        ratio = speed["train_cpu"] / speed["local_cpu"]
        rows.append(
            (
                f"{name}: training / local extraction, {facts['documents']} loaded documents (CPU)",
                f"{ratio:.1f}x",
                "<= 3x",
                "met" if ratio <= AIMS["speed"] else "**not met**",
            )
        )
    return table(["aim", "result", "target", "verdict"], rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 documents per dataset (a smoke run)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    header = machine()
    results: dict[str, dict[str, object]] = {}
    sections = []
    for folder in dataset_folders(EXTERNAL):
        print(f"--- {folder.name}", flush=True)
        text, facts = _dataset(folder, args.quick)
        print(text, flush=True)
        sections.append(text)
        results[folder.name] = facts
    summary, aims = _summary(results), _aims(results)
    report = "\n\n".join(
        [
            "# Training benchmark",
            "Command: `.venv/bin/python bench/bench_training.py`. Trained engine against the local engine on the "
            "same held-out documents, scored by `datasets/README.md`. These are development sets (the engine's "
            f"features were designed while looking at them); expect lower numbers on unseen data. Machine: {header}. "
            f"Took {time.perf_counter() - started:.0f} s.",
            "## Summary",
            summary,
            "## Aims",
            aims,
            *sections,
        ]
    )
    print(summary, aims, sep="\n\n")
    path = write_result("training", report)
    print(f"written {path.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
