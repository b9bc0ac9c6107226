"""Benchmark OCR: ``core.ocr`` against the bare ``tesseract`` command on the same page images, the
throughput of two worker processes against one, and the two OCR engines (Tesseract, PP-OCRv5) on receipt
scans, by the words they read and by the fields extracted from them.

Run: ``.venv/bin/python bench/bench_ocr.py [--pages N] [--repeat N] [--receipts-only]``; writes
``bench/results/ocr.md``.

1. Per page: dataset PDF pages rendered at 300 dpi (grayscale) and saved as PNG. The baseline runs
   ``tesseract page.png stdout -l LANG --psm 3 tsv`` with ``OMP_THREAD_LIMIT=1`` (a subprocess, output
   read); ``core.ocr.ocr_image`` gets the same image and language and does what the loader does (write the
   image, run Tesseract through pytesseract, parse its TSV into words). Alternating runs, minimum of each.
2. Throughput: ``core.ocr.ocr_images`` over the same pages with ``workers=1`` and ``workers=2`` (two
   Tesseract processes at a time), next to the bare tesseract command run one and two at a time in the same
   loop: what the machine allows at that moment.

3. Receipt scans of sroie-dev (``$FIELDBENCH_DATASETS``; skipped when absent): token recall and precision
   against the dataset's transcription (the PDFs' text layer) and seconds per page, single thread, for the
   bare ``tesseract`` command, ``core`` OCR with Tesseract (printed mode, as the loader reads) and with
   PP-OCRv5 (``core.documents.ocr_paddle``); then end to end, the scans alone through the pipeline (local
   engine, fresh store) with each engine in the workflow's document specification: micro-F1 of the fields.
4. Invoice scans: the shipped invoice PDFs rendered as JPEG scans (no text layer), end to end per engine:
   where the receipts' better engine stands on print of another kind.

The machine is shared with other work while this runs: the minimum of several runs is the least disturbed
measurement, and the load average is reported.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pymupdf
from _common import DATASETS, EXTERNAL_DATASETS, interleaved, machine, measure, table, write_result
from PIL import Image

from core.documents.ocr import PRINTED_MIN_CONFIDENCE, installed_languages, ocr_image, ocr_images  # noqa: E402
from core.documents.ocr_paddle import ocr_image_ppocr  # noqa: E402
from core.documents.spec import OCR_ENGINES, tesseract_languages  # noqa: E402

AIM_PER_PAGE = 1.1
AIM_THROUGHPUT = 2.0
PAGES = [
    "invoice2data/AzureInterior.pdf",
    "zugferd-dev/XML_Rechnung_FX_EN16931_1_Teilrechnung.pdf",
    "invoice2data/NetpresseInvoice.pdf",
    "invoice2data/oyo.pdf",
    "invoice2data/coolblue1.pdf",
    "invoice2data/saeco.pdf",
]


def render(path: Path, dpi: int = 300) -> Image.Image:
    with pymupdf.open(path) as pdf:
        pix = pdf[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def bare_tesseract(png: Path, lang: str) -> int:
    """How many words the bare ``tesseract`` command reads from a page image."""
    return len(bare_tesseract_text(png, lang).split())


def bare_batch(pngs: list[Path], lang: str, at_once: int) -> None:
    """The bare tesseract command over several pages, ``at_once`` processes at a time."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    queue = list(pngs)
    running: list[subprocess.Popen[bytes]] = []
    while queue or running:
        while queue and len(running) < at_once:
            command = ["tesseract", str(queue.pop(0)), "stdout", "-l", lang, "--psm", "3", "tsv"]
            running.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        running.pop(0).wait()


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def _receipt_scans() -> list[Path]:
    folder = EXTERNAL_DATASETS / "sroie-dev"
    return sorted(folder.glob("*.jpg")) if folder.is_dir() else []


def _transcription(scan: Path) -> Counter[str]:
    """The tokens of a receipt's transcription: the text layer of the PDF beside its scan."""
    with pymupdf.open(scan.with_suffix(".pdf")) as pdf:
        return _tokens(" ".join(w[4] for page in pdf for w in page.get_text("words")))


def receipt_recall(lang: str, thresholds: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.3)) -> str:
    """Token recall and precision of Tesseract's words on the receipt scans of sroie-dev (against the dataset's
    transcription in the PDFs), when words below each confidence are dropped; seconds per page. Empty when the
    set is absent."""
    scans = _receipt_scans()
    if not scans:
        return ""
    hits: Counter[float] = Counter()
    predicted: Counter[float] = Counter()
    expected = 0
    seconds = 0.0
    for jpg in scans:
        ref = _transcription(jpg)
        expected += sum(ref.values())
        with Image.open(jpg) as image:
            start = time.perf_counter()
            words = ocr_image(image, lang=lang, text="both").words
            seconds += time.perf_counter() - start
        for t in thresholds:
            got = _tokens(" ".join(w.text for w in words if w.confidence >= t))
            hits[t] += sum(min(n, got[k]) for k, n in ref.items())
            predicted[t] += sum(got.values())
    rows = [(f"{t:.2f}", f"{hits[t] / expected:.3f}", f"{hits[t] / max(predicted[t], 1):.3f}") for t in thresholds]
    return (
        f"\n## Receipt scans: what a confidence floor keeps\n\n{len(scans)} scans of sroie-dev, "
        f"{seconds / len(scans):.2f} s per page (Tesseract, single process). The printed mode drops words below "
        f"PRINTED_MIN_CONFIDENCE = {PRINTED_MIN_CONFIDENCE}.\n\n"
        + table(["confidence floor", "token recall", "token precision"], rows)
        + "\n"
    )


def bare_tesseract_text(image: Path, lang: str) -> str:
    """The words the bare ``tesseract`` command reads from an image file (``--psm 3``, one thread)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", lang, "--psm", "3", "tsv"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    rows = [row.split("\t") for row in done.stdout.splitlines()[1:]]
    return " ".join(row[-1] for row in rows if len(row) >= 12 and row[-1].strip())


def receipt_engines(lang: str) -> str:
    """Token recall and precision against the transcription, words per page and seconds per page, for the
    bare tesseract command and core OCR with each engine on the sroie-dev scans. Empty when the set is absent.

    Tokens are ``\\w+`` runs, case-folded, counted as multisets; a word PP-OCR glued to its neighbour
    ("TOTAL:12.50" is two tokens, "TOTALRM12.50" one) is a miss. The PP-OCR model is loaded (and its first page
    read) before timing, as a long-running process would have it.
    """
    scans = _receipt_scans()
    if not scans:
        return ""
    with Image.open(scans[0]) as image:
        ocr_image_ppocr(image)  # load the model once, untimed
    readers = {
        "bare tesseract (`--psm 3`, all words)": lambda jpg, image: bare_tesseract_text(jpg, lang),
        "core OCR, Tesseract (printed mode)": lambda jpg, image: " ".join(
            w.text for w in ocr_image(image, lang=lang, text="printed").words
        ),
        "core OCR, PP-OCRv5 (printed mode)": lambda jpg, image: " ".join(
            w.text for w in ocr_image_ppocr(image, text="printed").words
        ),
    }
    hits: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    expected = 0
    for jpg in scans:
        ref = _transcription(jpg)
        expected += sum(ref.values())
        with Image.open(jpg) as opened:
            opened.load()
            for name, read in readers.items():
                start = time.perf_counter()
                got = _tokens(read(jpg, opened))
                seconds[name] += time.perf_counter() - start
                hits[name] += sum(min(n, got[k]) for k, n in ref.items())
                predicted[name] += sum(got.values())
    rows = [
        [
            name,
            f"{hits[name] / expected:.3f}",
            f"{hits[name] / max(predicted[name], 1):.3f}",
            f"{seconds[name] / len(scans):.2f}",
        ]
        for name in readers
    ]
    return (
        f"\n## Receipt scans: the OCR engines\n\n{len(scans)} scans of sroie-dev (their native resolution), "
        f"{expected} transcription tokens; single thread (Tesseract `OMP_THREAD_LIMIT=1`, PP-OCR one ONNX "
        "Runtime thread), one page at a time; the PP-OCR model loaded before timing. Load average at the start "
        f"of this part: {os.getloadavg()[0]:.1f}.\n\n"
        + table(["reader", "token recall", "token precision", "s / page"], rows)
        + "\n"
    )


def _per_engine(dataset: Any, documents: list[Any]) -> dict[str, tuple[Any, float]]:
    """Each OCR engine's evaluation of ``documents`` (local engine, fresh store, the dataset's workflow with
    ``ocr`` set to the engine, printed mode) and its seconds per document."""
    from core.evaluation.report import evaluate
    from core.store import Store

    out = {}
    for engine in OCR_ENGINES:
        workflow = dataset.workflow.model_copy(
            update={"spec": dataset.workflow.spec.model_copy(update={"ocr": engine, "text": "printed"})}
        )
        subset = dataset.model_copy(update={"documents": documents, "workflow": workflow})
        home = Path(tempfile.mkdtemp(prefix="fieldbench-bench-ocr-e2e-"))
        store = Store(f"sqlite:///{home / 'fieldbench.sqlite'}", home / "files")
        start = time.perf_counter()
        try:
            report = evaluate(subset, engine="local", store=store, source="bench")
        finally:
            store.close()
        out[engine] = (report, (time.perf_counter() - start) / max(len(documents), 1))
    return out


def receipt_end_to_end() -> tuple[str, dict[str, float]]:
    """Micro-F1 of the fields extracted (local engine) from the sroie-dev scans alone, once per OCR engine."""
    from _common import held_apart

    from core.evaluation import load_dataset, summarize

    folder = EXTERNAL_DATASETS / "sroie-dev"
    if not _receipt_scans():
        return "", {}
    dataset = load_dataset(folder)
    scans = [d for d in dataset.documents if d.path.suffix.lower() == ".jpg"]
    held = held_apart(folder.name, [d.name for d in dataset.documents])
    rows = []
    scores: dict[str, float] = {}
    fields = [f.name for f in dataset.workflow.fields]
    for engine, (report, seconds) in _per_engine(dataset, scans).items():
        scores[engine] = report.micro_f1
        looked = summarize(
            [s for d, s in zip(scans, report.per_document, strict=True) if d.name not in held], dataset.workflow.fields
        )
        apart = summarize(
            [s for d, s in zip(scans, report.per_document, strict=True) if d.name in held], dataset.workflow.fields
        )
        by_field = {f.field: f.f1 for f in report.fields}
        rows.append(
            [
                engine,
                report.documents,
                report.failed,
                f"**{report.micro_f1:.3f}**",
                f"{looked.micro_f1:.3f} / {apart.micro_f1:.3f}",
                *(f"{by_field.get(name, 0.0):.3f}" for name in fields),
                f"{seconds:.2f}",
            ]
        )
    text = (
        "\n## Receipt scans end to end: fields extracted with each engine\n\n"
        f"The {len(scans)} sroie-dev scans alone through the pipeline (local engine, zero-shot, fresh store, the "
        "dataset's workflow with `ocr` set to each engine, printed mode); scoring by the datasets' rules. "
        f"Load average at the start of this part: {os.getloadavg()[0]:.1f}.\n\n"
        + table(
            ["engine", "scans", "failed", "micro-F1", "looked at / held apart", *fields, "s / scan (load + extract)"],
            rows,
        )
        + "\n"
    )
    return text, scores


SCAN_DPI = 200
"""Invoices "scanned" for the comparison: rendered at a common office-scanner resolution ..."""
SCAN_QUALITY = 80
"""... and saved as JPEG at a common quality, so the engines also read compression noise."""
SCANNED_INVOICES = {"invoice2data": 1, "zugferd-dev": 3}
"""The shipped invoice sets and the share of their PDFs scanned: all of invoice2data, every third e-invoice
(its generators repeat a layout; a third keeps every generator and bounds the time)."""


def _scan_pdf(source: Path, target: Path) -> None:
    """A PDF of ``source``'s pages as grayscale JPEG images only: what a scanner would give, no text layer."""
    with pymupdf.open(source) as pdf, pymupdf.open() as scan:
        for page in pdf:
            pix = page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY)
            new = scan.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, stream=pix.tobytes("jpeg", jpg_quality=SCAN_QUALITY))
        scan.save(target)


def invoice_scans_end_to_end() -> str:
    """Micro-F1 of the fields extracted from the shipped invoices as scans (``_scan_pdf``), per OCR engine."""
    from core.evaluation import load_dataset

    rows = []
    for name, step in SCANNED_INVOICES.items():
        dataset = load_dataset(DATASETS / name)
        folder = Path(tempfile.mkdtemp(prefix=f"fieldbench-bench-scans-{name}-"))
        documents = []
        for doc in dataset.documents[::step]:
            target = folder / doc.path.name
            _scan_pdf(doc.path, target)
            documents.append(doc.model_copy(update={"path": target}))
        for engine, (report, seconds) in _per_engine(dataset, documents).items():
            items = "-" if report.line_item_f1 is None else f"{report.line_item_f1:.3f}"
            rows.append([name, engine, report.documents, report.failed, f"**{report.micro_f1:.3f}**", items,
                         f"{seconds:.2f}"])  # fmt: skip
    return (
        "\n## Invoice scans end to end: fields extracted with each engine\n\n"
        f"The shipped invoice PDFs (all of invoice2data, every third of zugferd-dev) rendered at {SCAN_DPI} dpi, "
        f"grayscale, JPEG quality {SCAN_QUALITY}, as PDFs of images only; then as above (local engine, fresh "
        f"store, `ocr` set to each engine). Load average at the start of this part: {os.getloadavg()[0]:.1f}."
        "\n\n"
        + table(["dataset", "engine", "documents", "failed", "micro-F1", "line-item F1", "s / document"], rows)
        + "\n"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="OCR: core.ocr vs bare tesseract; 2 workers vs 1")
    parser.add_argument("--pages", type=int, default=4, help="pages for the throughput test (max 6)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--receipts-only", action="store_true", help="only the receipt-scan parts (printed)")
    parser.add_argument("--scans-only", action="store_true", help="only the invoice-scan part")
    args = parser.parse_args(argv)
    lang = tesseract_languages("latin", installed_languages())
    header_line = machine()
    if args.receipts_only:
        print(receipt_engines(lang))
        print(receipt_end_to_end()[0])
        return 0
    if args.scans_only:
        print(invoice_scans_end_to_end())
        return 0
    images = {name: render(DATASETS / name) for name in PAGES[: max(args.pages, 3)]}
    tmp = Path(tempfile.mkdtemp(prefix="fieldbench-bench-ocr-"))
    pngs = {}
    for name, image in images.items():
        pngs[name] = tmp / (Path(name).stem + ".png")
        image.save(pngs[name])

    # 1. Per page, three pages.
    rows = []
    ratios = []
    for name in list(images)[:3]:
        image, png = images[name], pngs[name]
        timings = interleaved(
            {
                "bare": lambda png=png: bare_tesseract(png, lang),
                "core": lambda image=image: ocr_image(image, lang=lang, text="both"),
            },
            args.repeat,
        )
        words_bare = bare_tesseract(png, lang)
        words_core = len(ocr_image(image, lang=lang, text="both").words)
        ratio = timings["core"].min / timings["bare"].min
        ratios.append(ratio)
        rows.append(
            [
                name,
                f"{image.width}x{image.height}",
                f"{timings['bare'].min:.2f} / {timings['bare'].median:.2f}",
                f"{timings['core'].min:.2f} / {timings['core'].median:.2f}",
                f"{words_bare} / {words_core}",
                f"{ratio:.3f}x",
            ]
        )
    per_page = table(
        ["page (300 dpi)", "pixels", "bare tesseract s (min / median)", "core.ocr s (min / median)",
         "words bare / core", "ratio (min)"],
        rows,
    )  # fmt: skip

    # 2. Throughput, 1 vs 2 workers.
    names = list(images)[: args.pages]
    batch = [images[name] for name in names]
    batch_pngs = [pngs[name] for name in names]
    runs: dict[str, list[float]] = {"core 1": [], "core 2": [], "bare 1": [], "bare 2": []}
    for _ in range(max(1, args.repeat - 1)):
        for workers in (1, 2):
            runs[f"core {workers}"].append(
                measure(lambda workers=workers: ocr_images(batch, lang=lang, workers=workers))
            )
            runs[f"bare {workers}"].append(measure(lambda workers=workers: bare_batch(batch_pngs, lang, workers)))
    best = {key: min(values) for key, values in runs.items()}
    one, two = best["core 1"], best["core 2"]
    bare_speedup = best["bare 1"] / best["bare 2"]
    throughput = table(
        ["", "pages", "1 at a time s (min)", "2 at a time s (min)", "pages/minute with 2", "speed-up"],
        [
            [
                "core.ocr.ocr_images (workers=1 / 2)", len(batch), f"{one:.2f}", f"{two:.2f}",
                f"{60 * len(batch) / two:.1f}", f"{one / two:.2f}x",
            ],
            [
                "bare tesseract processes (1 / 2 at a time)", len(batch), f"{best['bare 1']:.2f}",
                f"{best['bare 2']:.2f}", f"{60 * len(batch) / best['bare 2']:.1f}", f"{bare_speedup:.2f}x",
            ],
        ],
    )  # fmt: skip
    mean_ratio = sum(ratios) / len(ratios)
    report = (
        "# OCR: core.ocr vs bare tesseract, and two workers vs one\n\n"
        f"Tesseract `-l {lang} --psm 3`, `OMP_THREAD_LIMIT=1`; {header_line}; "
        f"{args.repeat} alternating runs per page. The machine is shared with other work: minimum and median "
        "are both shown; ratios use the minimum.\n\n"
        "## Per page\n\n" + per_page + f"\n\nMean ratio: **{mean_ratio:.3f}x** (aim: within {AIM_PER_PAGE}x).\n\n"
        "## Throughput\n\n" + throughput + f"\n\nSpeed-up with 2 workers: **{one / two:.2f}x** "
        f"(aim: close to {AIM_THROUGHPUT}x on two otherwise idle cores). What this machine allowed at the "
        f"same time: {bare_speedup:.2f}x for bare tesseract processes two at a time (load average now "
        f"{os.getloadavg()[0]:.1f}: other work shares the two cores).\n\n"
        "Command: `.venv/bin/python bench/bench_ocr.py`\n"
        + receipt_recall(lang)
        + receipt_engines(lang)
        + receipt_end_to_end()[0]
        + invoice_scans_end_to_end()
    )
    print(report)
    print(f"written to {write_result('ocr', report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
