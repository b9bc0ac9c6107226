"""What Fieldbench sees of a document: pages with words, lines and blocks in points, top-left origin."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from core.documents.formats import Kind

__all__ = ["BBox", "Word", "Line", "Page", "Document", "PageCache", "DocumentInfo"]

BBox = tuple[float, float, float, float]
"""A box ``(x0, y0, x1, y1)`` in points with the origin at the top-left of the page."""


class Word(BaseModel):
    """One word on a page."""

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: BBox = Field(description="(x0, y0, x1, y1) in points, top-left origin.")
    confidence: float | None = Field(default=None, description="Recognition confidence 0-1; 1.0 for a text layer.")
    line: int = Field(default=0, description="Index of the word's line in Page.lines.")
    block: int = Field(default=0, description="Index of the word's block (paragraph or text block) on the page.")


class Line(BaseModel):
    """A line of words, in reading order."""

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: BBox
    words: list[int] = Field(description="Indexes of the line's words in Page.words.")
    block: int = 0


class Page(BaseModel):
    """One page: its size in points, where its text came from, and its words grouped into lines."""

    number: int = Field(description="1-based page number in the document (after cropping splits).")
    width: float = Field(description="Width in points.")
    height: float = Field(description="Height in points.")
    source: Literal["text", "ocr"] = Field(description="'text' for a PDF text layer, 'ocr' for Tesseract.")
    words: list[Word] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    seconds: float = Field(default=0.0, description="Time spent reading this page (text layer or OCR).")
    source_page: int = Field(default=0, description="0-based index of the page in the original file.")
    crop: BBox | None = Field(
        default=None, description="Region of the original page this page was cropped from, in its points."
    )
    rotation: int = Field(default=0, description="Degrees the page image was turned before reading.")
    cached: bool = Field(
        default=False,
        description="True when the page came from the OCR cache (`seconds` is what the original OCR took).",
    )

    @property
    def text(self) -> str:
        """The page's text, one line per line."""
        return "\n".join(line.text for line in self.lines)

    @property
    def source_name(self) -> str:
        """Where the words came from, for people: ``text layer`` or ``OCR (Tesseract)``."""
        return "text layer" if self.source == "text" else "OCR (Tesseract)"

    @property
    def mean_confidence(self) -> float | None:
        """The mean recognition confidence of the words (0-1); None when no word has one.

        >>> Page(number=1, width=10, height=10, source="ocr", words=[Word(text="a", bbox=(0, 0, 1, 1),
        ...     confidence=0.5), Word(text="b", bbox=(1, 0, 2, 1), confidence=1.0)]).mean_confidence
        0.75
        """
        confidences = [w.confidence for w in self.words if w.confidence is not None]
        return sum(confidences) / len(confidences) if confidences else None


class Document(BaseModel):
    """A loaded document. ``id`` is the SHA-256 of its bytes, so the same file is always the same document."""

    id: str = Field(description="SHA-256 hex digest of the file's bytes.")
    name: str = Field(default="document", description="Display name (never used as a path).")
    kind: Kind
    pages: list[Page] = Field(default_factory=list)
    _data: bytes = PrivateAttr(default=b"")
    _password: str | None = PrivateAttr(default=None)

    @property
    def text(self) -> str:
        """The whole document's text, pages separated by a form feed."""
        return "\f".join(page.text for page in self.pages)

    @property
    def data(self) -> bytes:
        """The original file bytes (kept so pages can be rendered)."""
        return self._data


class PageCache(Protocol):
    """Where OCR results are kept per document, source page and options (``DocumentRepo.page_cache``).

    ``options`` is a key of everything that changes the OCR output (``ocr_options``). A list of pages, because
    cropping can split one source page into several.
    """

    def get(self, document_id: str, source_page: int, options: str) -> list[Page] | None: ...

    def put(self, document_id: str, source_page: int, options: str, pages: list[Page]) -> None: ...


class DocumentInfo(BaseModel):
    """What the header of a file says: its format, page count and SHA-256 (see ``inspect_bytes``)."""

    id: str
    kind: Kind
    pages: int
    size: int
