"""Loading documents: PDF, PNG, JPEG and TIFF bytes (the format sniffed from the bytes) into a Document.

PDF pages with a text layer use it (PyMuPDF, ``core.documents.pdf``); other pages and images go through OCR,
Tesseract or PP-OCRv5 as the specification's ``ocr`` says (``core.documents.scanned``), page by page, spread
over workers, cached per page when a ``PageCache`` is given.

Image sizes in points: an image's DPI metadata is trusted when it is between 100 and 1200 dpi (72 and 96 are
usually software defaults, not a scan resolution); otherwise 300 dpi is assumed. JPEG orientation (EXIF) is
applied first.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

from core.config import Settings, get_settings
from core.documents.elements import Document, DocumentInfo, Page, PageCache
from core.documents.formats import Kind, Source, detect_kind, read_source
from core.documents.image import image_dpi, image_frame, open_image
from core.documents.ocr import installed_languages, map_pages
from core.documents.pdf import open_pdf, render_gray, text_page, usable_text_layer
from core.documents.scanned import Region, ocr_to_pages, read_image_page
from core.documents.spec import DocumentSpec, tesseract_languages
from core.errors import CorruptDocumentError, TooManyPagesError

__all__ = ["page_count", "inspect_bytes", "ocr_options", "load_document"]


def page_count(kind: Kind, handle: Any) -> int:
    """Pages of an open PDF, or frames of an open image."""
    return int(handle.page_count) if kind == "pdf" else int(getattr(handle, "n_frames", 1))


def inspect_bytes(
    data: bytes,
    *,
    name: str = "document",
    password: str | None = None,
    settings: Settings | None = None,
    digest: str | None = None,
) -> DocumentInfo:
    """Check a file's header without reading its pages: format, encryption, page count and size limits.

    Args:
        data: the file's bytes.
        name: shown in error messages.
        password: for an encrypted PDF.
        settings: limits (max_pages, max_image_pixels); default from the environment.
        digest: the SHA-256 of ``data`` when the caller has it already (a loaded Document's id), so large
            files are not hashed again.

    Returns:
        DocumentInfo with the SHA-256, format and page count.

    Raises:
        DocumentError: the bytes are empty, not a supported format, damaged, encrypted without the right
            password, or over a limit (see ``core.errors``).
    """
    settings = settings or get_settings()
    kind = detect_kind(data, name)
    handle: Any = open_pdf(data, password, name) if kind == "pdf" else open_image(data, name, settings)
    count = page_count(kind, handle)
    if count > settings.max_pages:
        raise TooManyPagesError(pages=count, limit=settings.max_pages, source=name)
    sha = digest or hashlib.sha256(data).hexdigest()
    return DocumentInfo(id=sha, kind=kind, pages=count, size=len(data))


def ocr_options(spec: DocumentSpec, dpi: int | str) -> str:
    """The cache key of everything that changes OCR output.

    The character set stands for its Tesseract languages (``core.spec.tesseract_languages``), so cached pages
    can be read on a machine without Tesseract, and the installed models are only asked for on a cache miss.
    The engine is part of the key, so switching engines reads the pages again, and so is its revision
    (``OCR_REVISIONS``), so pages an older version read are read again.

    >>> ocr_options(DocumentSpec(ocr="tesseract"), 300), ocr_options(DocumentSpec(ocr="ppocr"), 300)[:17]
    ('ocr1|engine=tesseract|charset=latin|text=printed|crop=0|dpi=300', 'ocr1|engine=ppocr')
    """
    engine = spec.ocr + OCR_REVISIONS.get(spec.ocr, "")
    return f"ocr1|engine={engine}|charset={spec.charset}|text={spec.text}|crop={int(spec.cropping)}|dpi={dpi}"


OCR_REVISIONS: dict[str, str] = {"ppocr": ".2"}
"""Bumped when an engine reads the same image into other words: PP-OCR's revision 2 splits words at the
recognizer's character positions and detects text on pages up to ``ocr_paddle.DETECTOR_MAX_SIDE`` pixels."""


# ------------------------------------------------------------------------------------------------ loading


class _Digest:
    """The SHA-256 of a file, computed on a thread while the pages are read.

    hashlib releases the GIL on large buffers, so on two cores the id of a large PDF costs no time while
    MuPDF extracts its words (hashing was most of the loader's overhead over bare PyMuPDF).
    """

    _THREAD_ABOVE = 1 << 18  # bytes; smaller files are hashed at once (a thread would cost more)

    def __init__(self, data: bytes) -> None:
        self._hex = ""
        self._thread: threading.Thread | None = None
        if len(data) < self._THREAD_ABOVE:
            self._hex = hashlib.sha256(data).hexdigest()
        else:
            self._thread = threading.Thread(target=self._run, args=(data,), daemon=True)
            self._thread.start()

    def _run(self, data: bytes) -> None:
        self._hex = hashlib.sha256(data).hexdigest()

    def hexdigest(self) -> str:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self._hex


def load_document(
    source: Source,
    *,
    name: str | None = None,
    spec: DocumentSpec | None = None,
    password: str | None = None,
    settings: Settings | None = None,
    cache: PageCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Document:
    """Read a PDF, PNG, JPEG or TIFF file into a Document.

    Args:
        source: the file's bytes, or a path to it.
        name: display name (default: the path's file name, or ``document``); never used as a path.
        spec: how to read pages without a text layer (cropping, character set, text mode).
        password: for an encrypted PDF.
        settings: limits, OCR resolution and workers; default from the environment.
        cache: where OCR results are looked up and kept (``store.documents``); None OCRs every time.
        progress: called with (source pages done, source pages total) as pages are read.

    Returns:
        The Document, its pages numbered from 1 (a cropped source page may give several pages).

    Raises:
        DocumentError: empty, unsupported, damaged, encrypted (no or wrong password), too many pages, an
            image too large (see ``core.errors``).
        OCRError: the OCR engine is missing or failed on a page.

    >>> import pymupdf
    >>> pdf = pymupdf.open(); pdf.new_page().insert_text((72, 72), "Invoice 42")
    1
    >>> doc = load_document(pdf.tobytes(), name="x.pdf")
    >>> doc.pages[0].source, doc.text
    ('text', 'Invoice 42')
    """
    settings = settings or get_settings()
    data, label = read_source(source, name, settings=settings)
    kind = detect_kind(data, label)
    handle: Any = open_pdf(data, password, label) if kind == "pdf" else open_image(data, label, settings)
    count = page_count(kind, handle)
    if count > settings.max_pages:
        raise TooManyPagesError(pages=count, limit=settings.max_pages, source=label)
    reading = _Reading(kind, handle, label, count, _Digest(data), spec or DocumentSpec(), settings, cache, progress)
    pending = reading.text_layers_and_cache()
    if pending:
        reading.ocr(pending)
    document = Document(id=reading.digest.hexdigest(), name=label, kind=kind)
    document.pages = reading.pages()  # assigned, not validated: built from already valid values
    document._data = data
    document._password = password
    return document


class _Reading:
    """One document being read: its pages by source page, from the text layer, the OCR cache or OCR."""

    def __init__(
        self,
        kind: Kind,
        handle: Any,
        label: str,
        count: int,
        digest: _Digest,
        spec: DocumentSpec,
        settings: Settings,
        cache: PageCache | None,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.kind, self.handle, self.label, self.count, self.digest = kind, handle, label, count, digest
        self.spec, self.settings, self.cache, self.progress = spec, settings, cache, progress
        self.by_source: dict[int, list[Page]] = {}
        self.done = 0
        dpi: int | str = settings.ocr_dpi if kind == "pdf" else "native"
        self.options = ocr_options(spec, dpi)

    def _read(self, index: int, pages: list[Page]) -> None:
        self.by_source[index] = pages
        self.done += 1
        if self.progress:
            self.progress(self.done, self.count)

    def text_layers_and_cache(self) -> list[int]:
        """Pages with a usable text layer, then cached OCR; returns the source pages left to OCR."""
        pending: list[int] = []
        for index in range(self.count):
            if self.kind == "pdf":
                start = time.perf_counter()
                try:
                    pdf_page = self.handle.load_page(index)
                    raw = pdf_page.get_text("words")
                except Exception as exc:  # noqa: BLE001 - a damaged page object or content stream
                    raise CorruptDocumentError(f"page {index + 1} cannot be read ({exc})", source=self.label) from None
                if usable_text_layer(raw):
                    self._read(index, [text_page(pdf_page, raw, index, time.perf_counter() - start)])
                    continue
            cached = self.cache.get(self.digest.hexdigest(), index, self.options) if self.cache is not None else None
            if cached is not None:
                self._read(index, [page.model_copy(update={"cached": True}) for page in cached])
            else:
                pending.append(index)
        return pending

    def _image(self, index: int, scales: dict[int, tuple[float, float]]) -> Any:
        """Source page ``index`` as an image for OCR, and its points per pixel into ``scales``."""
        if self.kind == "pdf":
            try:
                pdf_page = self.handle.load_page(index)
                image = render_gray(pdf_page, self.settings.ocr_dpi, self.settings.max_image_pixels)
            except Exception as exc:  # noqa: BLE001 - a damaged page that cannot be drawn
                raise CorruptDocumentError(f"page {index + 1} cannot be rendered ({exc})", source=self.label) from None
            scales[index] = (pdf_page.rect.width / image.width, pdf_page.rect.height / image.height)
            return image
        image = image_frame(self.handle, index, self.label, self.settings)
        dx, dy = image_dpi(self.handle)
        scales[index] = (72.0 / dx, 72.0 / dy)
        return image

    def ocr(self, pending: list[int]) -> None:
        """OCR the pending source pages over processes, each result cached and kept as it comes."""
        spec = self.spec
        # PP-OCR has one model for both character sets: Tesseract's languages are asked for only when it reads.
        lang = tesseract_languages(spec.charset, installed_languages()) if spec.ocr == "tesseract" else ""
        scales: dict[int, tuple[float, float]] = {}
        jobs = ((self._image(index, scales), lang, spec.text, spec.cropping, index + 1, spec.ocr) for index in pending)

        def keep(position: int, result: list[Region]) -> None:
            index = pending[position]
            pages = ocr_to_pages(result, index, *scales[index])
            if self.cache is not None:
                self.cache.put(self.digest.hexdigest(), index, self.options, pages)
            self.by_source[index] = pages

        base = self.done

        def report(finished: int, _total: int) -> None:
            if self.progress:
                self.progress(base + finished, self.count)

        map_pages(
            read_image_page,
            jobs,
            total=len(pending),
            workers=self.settings.ocr_workers,
            progress=report,
            on_result=keep,
        )

    def pages(self) -> list[Page]:
        """Every page in source order, numbered from 1 (a cropped source page may give several)."""
        out: list[Page] = []
        for index in range(self.count):
            for page in self.by_source[index]:
                page.number = len(out) + 1
                out.append(page)
        return out
