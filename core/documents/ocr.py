"""Tesseract OCR (the ``tesseract`` command: page image in on stdin, TSV out on stdout, no files written):
words with pixel boxes and confidences, pages spread over processes.

Tesseract always runs with ``OMP_THREAD_LIMIT=1`` (its own threads make it several times slower on small
machines); parallelism comes from one Tesseract process per page instead (``map_pages``, ``ocr_images``).

Text modes (``DocumentSpec.text``). Tesseract has no handwriting model: it reads print far better than
handwriting, and what it makes of handwriting is mostly low-confidence guesses. The modes therefore filter
by how sure Tesseract is:

- ``printed``: automatic page layout (``--psm 3``); words read with confidence below
  ``PRINTED_MIN_CONFIDENCE`` are dropped (typically handwriting, stamps and scribbles).
- ``handwritten``: sparse-text layout (``--psm 11``, tolerant of irregular text), and only the words read with
  confidence below ``HANDWRITTEN_MAX_CONFIDENCE`` are kept: confidently read print is dropped, what remains
  is what Tesseract found hard to read, which on a mixed page is mostly the handwriting.
- ``both``: automatic page layout, every word kept.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from PIL import Image

from core.documents.spec import TextMode
from core.errors import OCRError

__all__ = [
    "OcrWord",
    "OcrPage",
    "PRINTED_MIN_CONFIDENCE",
    "HANDWRITTEN_MAX_CONFIDENCE",
    "INSTALL_HINT",
    "installed_languages",
    "tesseract_config",
    "text_mode_effect",
    "ocr_image",
    "ocr_images",
    "map_pages",
    "default_workers",
]

PRINTED_MIN_CONFIDENCE = 0.30
"""``printed`` drops words Tesseract read with less confidence than this (0-1). Chosen end to end on the 21
receipt scans of sroie-dev (``bench/bench_ocr.py``): a floor of 0.10 keeps more words (token recall 0.788
against 0.773) but the extra noise lowers the micro-F1 of the extracted fields (0.51 against 0.56 looked-at)."""
HANDWRITTEN_MAX_CONFIDENCE = 0.80
"""``handwritten`` keeps only words Tesseract read with less confidence than this (0-1)."""
INSTALL_HINT = (
    "Install it with: sudo apt-get install -y tesseract-ocr tesseract-ocr-deu tesseract-ocr-jpn "
    "tesseract-ocr-script-latn tesseract-ocr-script-jpan (or run `make setup`)."
)


T = TypeVar("T")


@dataclass(frozen=True)
class OcrWord:
    """One word Tesseract read, in pixels of the image it was given.

    ``block`` is Tesseract's block number; ``line_key`` = (block, paragraph, line) is unique per line.
    """

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    block: int
    line_key: tuple[int, int, int]


@dataclass
class OcrPage:
    """The words of one image, its size in pixels and the seconds Tesseract took."""

    width: int
    height: int
    words: list[OcrWord] = field(default_factory=list)
    seconds: float = 0.0


@lru_cache(maxsize=1)
def _tesseract_cmd() -> str:
    # pytesseract's own setting when it is already imported; not imported just for this, since it imports
    # pandas (about a second) and a document whose pages all have a text layer or are blank never needs it.
    module = sys.modules.get("pytesseract")
    cmd = module.pytesseract.tesseract_cmd if module is not None else "tesseract"
    if shutil.which(cmd) is None:
        raise OCRError("Tesseract is not installed", hint=INSTALL_HINT)
    return cmd


def installed_languages() -> set[str]:
    """The language and script models Tesseract has here (``eng``, ``deu``, ``Latin`` ...; ``osd`` excluded).

    Asked once per process and language directory (``TESSDATA_PREFIX``).

    Raises:
        OCRError: Tesseract is not installed.

    >>> "eng" in installed_languages()
    True
    """
    return set(_languages(_tesseract_cmd(), os.environ.get("TESSDATA_PREFIX", "")))


@lru_cache(maxsize=8)
def _languages(cmd: str, tessdata: str) -> frozenset[str]:
    # Not pytesseract.get_languages: its name pattern drops the script models (``Latin``, ``Japanese``).
    try:
        done = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OCRError("Tesseract is not installed", hint=INSTALL_HINT) from exc
    # The first line is a header ("List of available languages in ..."); the rest are names, one per line.
    names = [line.strip() for line in done.stdout.splitlines()[1:] if line.strip() and " " not in line.strip()]
    return frozenset({name.removeprefix("script/") for name in names} - {"osd"})


def tesseract_config(text: TextMode) -> str:
    """The Tesseract command-line options for a text mode (page segmentation).

    >>> tesseract_config("handwritten")
    '--psm 11'
    """
    return "--psm 11" if text == "handwritten" else "--psm 3"


def text_mode_effect(text: TextMode) -> str:
    """What OCR keeps of a page in a text mode, with the confidence limit it applies (for a user choosing one).

    >>> text_mode_effect("printed").split(";")[0]
    'Printed: keeps the words Tesseract reads with at least 30 % confidence'
    """
    if text == "printed":
        return (
            f"Printed: keeps the words Tesseract reads with at least {PRINTED_MIN_CONFIDENCE * 100:.0f} % "
            "confidence; faint marks and most handwriting are dropped."
        )
    if text == "handwritten":
        return (
            "Handwritten: reads sparse, irregular text and keeps only the words read with less than "
            f"{HANDWRITTEN_MAX_CONFIDENCE * 100:.0f} % confidence, so confidently read print is dropped. "
            "Tesseract reads print far better than handwriting: expect rough results."
        )
    return "Both: keeps every word Tesseract reads."


def _keep(confidence: float, text: TextMode) -> bool:
    if text == "printed":
        return confidence >= PRINTED_MIN_CONFIDENCE
    if text == "handwritten":
        return confidence < HANDWRITTEN_MAX_CONFIDENCE
    return True


def _parse_tsv(data: dict[str, list], text: TextMode) -> list[OcrWord]:
    words: list[OcrWord] = []
    for i, raw in enumerate(data["text"]):
        word = str(raw).strip()
        # Whole percents, as the page cache has always held them (Tesseract prints six decimals).
        conf = float(int(float(data["conf"][i])))
        if not word or conf < 0:  # conf -1 marks page/block/line rows, not words
            continue
        confidence = conf / 100.0
        if not _keep(confidence, text):
            continue
        block = int(data["block_num"][i])
        words.append(
            OcrWord(
                text=word,
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                confidence=confidence,
                block=block,
                line_key=(block, int(data["par_num"][i]), int(data["line_num"][i])),
            )
        )
    return words


def ocr_image(image: Image.Image, *, lang: str, text: TextMode = "printed", page: int | None = None) -> OcrPage:
    """Read one image with Tesseract.

    Args:
        image: the page image (any mode; it is converted to grayscale).
        lang: Tesseract ``-l`` argument, e.g. ``Latin`` or ``jpn+eng`` (``core.spec.tesseract_languages``).
        text: ``printed``, ``handwritten`` or ``both`` (see the module docstring for what each keeps).
        page: 1-based page number, only used in error messages.

    Returns:
        An OcrPage with the words in pixels of ``image``, in Tesseract's reading order.

    Raises:
        OCRError: Tesseract is missing, or failed on this image (``err.page`` is ``page``).
    """
    cmd = _tesseract_cmd()
    gray = image if image.mode == "L" else image.convert("L")
    start = time.perf_counter()
    darkest = gray.getextrema()[0]
    if isinstance(darkest, (int, float)) and darkest >= 250:  # blank: nothing to read, skip Tesseract
        return OcrPage(width=gray.width, height=gray.height, seconds=time.perf_counter() - start)
    # The page goes in on stdin and the TSV comes back on stdout: no file is written, so a process killed
    # mid-page leaves nothing behind.
    png = io.BytesIO()
    gray.save(png, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    args = [cmd, "stdin", "stdout", "-l", lang, "-c", "tessedit_create_tsv=1", *tesseract_config(text).split()]
    try:
        # Why the environment: Tesseract's OpenMP threads fight each other on small machines (6-7x slower).
        done = subprocess.run(args, input=png.getvalue(), capture_output=True, env={**os.environ, **_ENV})
    except OSError as exc:
        raise OCRError("Tesseract is not installed", page=page, hint=INSTALL_HINT) from exc
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]
        raise OCRError(f"Tesseract failed: {message or f'exit status {done.returncode}'}", page=page)
    words = _parse_tsv(_read_tsv(done.stdout.decode("utf-8", "replace")), text)
    return OcrPage(width=gray.width, height=gray.height, words=words, seconds=time.perf_counter() - start)


_ENV = {"OMP_THREAD_LIMIT": "1"}
PNG_COMPRESS_LEVEL = 1
"""How the page image is sent to Tesseract: PNG at zlib's fastest level. Measured on a 300-dpi A4 page,
Tesseract reads PGM from stdin about 0.25 s slower than PNG (its PNM reader), while this PNG takes 0.05 s to
write; higher levels cost more time and save only pipe bytes."""


def _read_tsv(tsv: str) -> dict[str, list[str]]:
    """Tesseract's TSV output as columns by header name (a word's text is the last column; it may be empty).

    >>> _read_tsv("level\\tconf\\ttext\\n5\\t96.1\\tTotal\\n4\\t-1")["text"]
    ['Total', '']
    """
    lines = tsv.strip("\n").split("\n")
    header = lines[0].split("\t") if lines[0] else ["text"]
    columns: dict[str, list[str]] = {name: [] for name in header}
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))  # a row with empty text may end without its last cell
        for name, cell in zip(header, cells[: len(header)], strict=True):
            columns[name].append(cell)
    return columns


def _ocr_job(image: Image.Image, lang: str, text: TextMode, page: int | None) -> OcrPage:
    return ocr_image(image, lang=lang, text=text, page=page)


def default_workers(workers: int = 0) -> int:
    """``workers`` when positive, else the CPUs this process may use.

    >>> default_workers(3)
    3
    """
    if workers > 0:
        return workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def map_pages(
    func: Callable[..., T],
    jobs: Iterable[tuple[Any, ...]],
    *,
    total: int,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
    on_result: Callable[[int, T], None] | None = None,
) -> list[T]:
    """Run ``func(*job)`` for every job, ``workers`` at a time, results in job order.

    Each OCR job runs its own Tesseract process, so the work is spread over processes (one per page in
    flight) while this process only waits: the jobs are driven from threads. Why not a process pool: a
    spawned or fork-server worker re-imports the caller's main script (which breaks scripts without a
    ``__main__`` guard and code read from stdin), forking the threaded Streamlit server is unsafe, and page
    images would be pickled across; the Python side of a job (writing the image, parsing Tesseract's TSV,
    OpenCV cropping) is small, and mostly releases the GIL.

    Jobs are drawn lazily from ``jobs`` and at most two per worker are in flight, so a long document's page
    images are never all in memory at once. One job (or one worker) runs in the calling thread.

    Args:
        func: the job function (e.g. ``core.page_reading.read_image_page``).
        jobs: argument tuples, one per page.
        total: how many jobs there are (for ``progress`` and the number of workers).
        workers: pages read at the same time; 0 means one per CPU.
        progress: called with (jobs done, total) after each job, in the calling thread.
        on_result: called with (job index, result) as each job finishes, in the calling thread, so results
            can be kept (cached) even when a later job fails.

    Returns:
        ``func``'s results in the order of ``jobs``.

    Raises:
        OCRError: a job raised it (the earliest failing job in order wins); other failures become OCRError.
    """
    workers = min(default_workers(workers), max(total, 1))
    if workers <= 1 or total <= 1:
        results = []
        for i, job in enumerate(jobs):
            results.append(func(*job))
            if on_result:
                on_result(i, results[-1])
            if progress:
                progress(i + 1, total)
        return results
    out: dict[int, T] = {}
    errors: dict[int, Exception] = {}
    job_iter = iter(enumerate(jobs))
    done = 0
    with cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fieldbench-ocr") as pool:
        pending: dict[cf.Future[T], int] = {}

        def submit_next() -> None:
            for index, job in job_iter:
                pending[pool.submit(func, *job)] = index
                return

        for _ in range(2 * workers):
            submit_next()
        while pending:
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                try:
                    result = future.result()
                except OCRError as exc:
                    errors[index] = exc
                except Exception as exc:  # noqa: BLE001 - any failure of a page job is an OCR failure of it
                    errors[index] = OCRError(f"reading the page failed: {exc}")
                else:
                    out[index] = result
                    if on_result:
                        on_result(index, result)
                done += 1
                if progress:
                    progress(done, total)
                if not errors:
                    submit_next()
    if errors:
        raise errors[min(errors)]
    return [out[i] for i in sorted(out)]


def ocr_images(
    images: Sequence[Image.Image],
    *,
    lang: str,
    text: TextMode = "printed",
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
    pages: Sequence[int] | None = None,
) -> list[OcrPage]:
    """Read several images, spread over processes (see ``map_pages``).

    Args:
        images: page images.
        lang: Tesseract languages.
        text: text mode.
        workers: processes to use; 0 means one per CPU. One image (or one worker) runs in this process.
        progress: called with (pages done, pages total) after each page.
        pages: 1-based page numbers of the images, for error messages (default 1, 2, ...).

    Returns:
        One OcrPage per image, in the order given.

    Raises:
        OCRError: Tesseract is missing or failed on a page (the first failing page in order).
    """
    numbers = list(pages) if pages is not None else list(range(1, len(images) + 1))
    if not images:
        return []
    _tesseract_cmd()
    jobs = ((image, lang, text, numbers[i]) for i, image in enumerate(images))
    return map_pages(_ocr_job, jobs, total=len(images), workers=workers, progress=progress)
