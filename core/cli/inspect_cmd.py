"""``fieldbench inspect PATH``: what Fieldbench sees of a document, page by page (size, source, words).

The document goes through the store, so OCR results are cached in FIELDBENCH_HOME: inspecting the same file
again never runs OCR again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.config import get_settings
from core.documents import CHARSETS, OCR_ENGINES, TEXT_MODES, Document, DocumentSpec, Page, read_source
from core.errors import DocumentError

__all__ = ["register", "inspect_command", "document_json"]


def register(subparsers: Any) -> None:
    """Add the ``inspect`` sub-command."""
    parser = subparsers.add_parser(
        "inspect",
        help="show the pages and words Fieldbench reads from a PDF or image",
        description="Show per page its size, source (text layer or OCR), timing and words.",
    )
    parser.add_argument("path", type=Path, help="a PDF, PNG, JPEG or TIFF file")
    parser.add_argument("--json", action="store_true", help="print the pages and words as JSON")
    parser.add_argument("--cropping", choices=["on", "off"], default="off", help="crop background (default off)")
    parser.add_argument("--charset", choices=CHARSETS, default="latin", help="OCR character set")
    parser.add_argument("--text", choices=TEXT_MODES, default="printed", help="which text OCR keeps")
    parser.add_argument("--ocr", choices=OCR_ENGINES, default=None, help=f"OCR engine (default {DocumentSpec().ocr})")
    parser.add_argument("--password", default=None, help="password of an encrypted PDF")
    parser.add_argument("--dpi", type=int, default=None, help="resolution for OCR of PDF pages (default 300)")
    parser.set_defaults(func=inspect_command)


def document_json(document: Document) -> dict[str, Any]:
    """The ``--json`` shape: ``{"pages": [{"number", "width", "height", "source", "words": [...]}]}``."""
    return {
        "pages": [
            {
                "number": page.number,
                "width": round(page.width, 2),
                "height": round(page.height, 2),
                "source": page.source,
                "words": [
                    {
                        "text": word.text,
                        "bbox": [round(v, 2) for v in word.bbox],
                        "confidence": word.confidence,
                    }
                    for word in page.words
                ],
            }
            for page in document.pages
        ]
    }


def _header(page: Page) -> str:
    origin = "text layer" if page.source == "text" else "OCR"
    timing = f"{page.seconds:.2f} s" + (" (cached)" if page.cached else "")
    crop = f", cropped from page {page.source_page + 1}" if page.crop is not None else ""
    return (
        f"=== page {page.number}: {page.width:.0f} x {page.height:.0f} pt, {origin}, "
        f"{len(page.words)} words, {timing}{crop} ==="
    )


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():  # a live counter for people; nothing in logs or pipes
        sys.stderr.write(f"\rreading page {done}/{total}")
        sys.stderr.flush()


def inspect_command(args: argparse.Namespace) -> int:
    """Load the file through the store and print what was read."""
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    path: Path = args.path
    settings = get_settings()
    if args.dpi is not None:
        if not 50 <= args.dpi <= 1200:
            raise DocumentError(f"--dpi must be between 50 and 1200, not {args.dpi}", source=str(path))
        settings = settings.model_copy(update={"ocr_dpi": args.dpi})
    spec = DocumentSpec(cropping=args.cropping == "on", charset=args.charset, text=args.text)
    if args.ocr is not None:
        spec = spec.model_copy(update={"ocr": args.ocr})
    data, name = read_source(path, settings=settings)  # before the store opens: a refused file costs nothing
    store = Store.open(settings)
    try:
        document = store.documents.add_and_load(
            data,
            name,
            spec=spec,
            password=args.password,
            settings=settings,
            progress=_progress,
        )
    finally:
        store.close()
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
    if args.json:
        json.dump(document_json(document), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for page in document.pages:
        print(_header(page))
        print(page.text)
    return 0
