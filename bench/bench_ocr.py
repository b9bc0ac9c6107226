"""Benchmark OCR: ``core.ocr`` against the bare ``tesseract`` command on the same page images, and the
throughput of two worker processes against one.

Run: ``.venv/bin/python bench/bench_ocr.py [--pages N] [--repeat N]``; writes ``bench/results/ocr.md``.

1. Per page: dataset PDF pages rendered at 300 dpi (grayscale) and saved as PNG. The baseline runs
   ``tesseract page.png stdout -l LANG --psm 3 tsv`` with ``OMP_THREAD_LIMIT=1`` (a subprocess, output
   read); ``core.ocr.ocr_image`` gets the same image and language and does what the loader does (write the
   image, run Tesseract through pytesseract, parse its TSV into words). Alternating runs, minimum of each.
2. Throughput: ``core.ocr.ocr_images`` over the same pages with ``workers=1`` and ``workers=2`` (two
   Tesseract processes at a time), next to the bare tesseract command run one and two at a time in the same
   loop: what the machine allows at that moment.

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

import pymupdf
from _common import DATASETS, EXTERNAL_DATASETS, interleaved, machine, measure, table, write_result
from PIL import Image

from core.documents.ocr import PRINTED_MIN_CONFIDENCE, installed_languages, ocr_image, ocr_images  # noqa: E402
from core.documents.spec import tesseract_languages  # noqa: E402

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
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", str(png), "stdout", "-l", lang, "--psm", "3", "tsv"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return sum(1 for row in done.stdout.splitlines()[1:] if row.split("\t")[-1].strip())


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


def receipt_recall(lang: str, thresholds: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.3)) -> str:
    """Token recall and precision of Tesseract's words on the receipt scans of sroie-dev (against the dataset's
    transcription in the PDFs), when words below each confidence are dropped; seconds per page. Empty when the
    set is absent."""
    folder = EXTERNAL_DATASETS / "sroie-dev"
    scans = sorted(folder.glob("*.jpg")) if folder.is_dir() else []
    if not scans:
        return ""
    hits: Counter[float] = Counter()
    predicted: Counter[float] = Counter()
    expected = 0
    seconds = 0.0
    for jpg in scans:
        with pymupdf.open(jpg.with_suffix(".pdf")) as pdf:
            ref = _tokens(" ".join(w[4] for page in pdf for w in page.get_text("words")))
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="OCR: core.ocr vs bare tesseract; 2 workers vs 1")
    parser.add_argument("--pages", type=int, default=4, help="pages for the throughput test (max 6)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    lang = tesseract_languages("latin", installed_languages())
    header_line = machine()
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
        "Command: `.venv/bin/python bench/bench_ocr.py`\n" + receipt_recall(lang)
    )
    print(report)
    print(f"written to {write_result('ocr', report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
