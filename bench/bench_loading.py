"""Benchmark text-layer loading: ``core.documents.load_document`` against bare PyMuPDF on the same PDFs.

Run: ``.venv/bin/python bench/bench_loading.py [--repeat N]``; writes ``bench/results/loading.md``.

The baseline opens each PDF from bytes and calls ``page.get_text("words")`` on every page; a second row adds
the SHA-256 of the bytes (the document id, which the loader must compute) to show what that alone costs. The
loader does all that, plus what makes a Document: format sniffing, the text-layer check, clipping, line and
block grouping, Word/Line/Page objects. Only PDFs whose every page has a text layer are used (a page without
one goes to OCR, which ``bench_ocr.py`` measures). All run in this process, alternately, ``repeat`` times;
the minimum of each is compared (the machine is shared, so the minimum is the least disturbed run).
"""

from __future__ import annotations

import argparse
import hashlib
import sys

import pymupdf
from _common import DATASETS, interleaved, machine, table, write_result

from core.documents import load_document  # noqa: E402
from core.documents.pdf import usable_text_layer  # noqa: E402

AIM = 1.5


def bare(data: bytes) -> int:
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        return sum(len(page.get_text("words")) for page in pdf)


def text_layer_pdfs() -> list[tuple[str, bytes]]:
    files = []
    for path in sorted(DATASETS.glob("*/*.pdf")):
        data = path.read_bytes()
        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            if all(usable_text_layer(page.get_text("words")) for page in pdf):
                files.append((f"{path.parent.name}/{path.name}", data))
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    files = text_layer_pdfs()
    if not files:
        print(f"no PDFs under {DATASETS}", file=sys.stderr)
        return 1
    pages = sum(len(load_document(data).pages) for _, data in files)
    words = sum(bare(data) for _, data in files)
    for _, data in files:  # warm both paths (imports, font caches) before timing
        bare(data)
        load_document(data)

    def run_bare() -> None:
        for _, data in files:
            bare(data)

    def run_bare_hash() -> None:
        for _, data in files:
            hashlib.sha256(data).hexdigest()
            bare(data)

    def run_loader() -> None:
        for _, data in files:
            load_document(data)

    timings = interleaved(
        {
            "bare PyMuPDF get_text('words')": run_bare,
            "bare + SHA-256 of the bytes (the document id)": run_bare_hash,
            "core load_document": run_loader,
        },
        args.repeat,
    )
    base = timings["bare PyMuPDF get_text('words')"]
    rows = []
    for name, timing in timings.items():
        rows.append(
            [
                name,
                f"{timing.min * 1000:.0f}",
                f"{timing.median * 1000:.0f}",
                f"{timing.min * 1000 / pages:.2f}",
                f"{timing.min / base.min:.2f}x",
            ]
        )
    ratio = timings["core load_document"].min / base.min
    megabytes = sum(len(data) for _, data in files) / 1e6
    header = ["", "total ms (min)", "total ms (median)", "ms/page (min)", "ratio (min)"]
    report = (
        "# Text-layer loading: load_document vs bare PyMuPDF\n\n"
        f"{len(files)} dataset PDFs ({megabytes:.0f} MB) with a text layer on every page, {pages} pages, "
        f"{words} words; "
        f"{args.repeat} alternating runs each; {machine()}.\n\n"
        + table(header, rows)
        + f"\n\nRatio (min/min): **{ratio:.2f}x** (aim: within {AIM}x). "
        f"Median/median: {timings['core load_document'].median / base.median:.2f}x.\n\n"
        "Command: `.venv/bin/python bench/bench_loading.py`\n"
    )
    print(report)
    print(f"written to {write_result('loading', report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
