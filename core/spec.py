"""The document specification of a workflow: cropping, character set, printed or handwritten text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Charset", "TextMode", "DocumentSpec", "LATIN_LANGUAGES", "tesseract_languages"]

Charset = Literal["latin", "japanese"]
TextMode = Literal["printed", "handwritten", "both"]

# Tesseract codes of the Latin-script languages the reference lists, in its order.
LATIN_LANGUAGES: tuple[str, ...] = (
    "eng", "deu", "fra", "spa", "slk", "ces", "pol", "ita", "nld", "slv", "hrv", "por", "fin", "swe", "dan", "nor",
)


class DocumentSpec(BaseModel):
    """How documents of a workflow are read before anything is extracted."""

    cropping: bool = Field(
        default=False,
        description="Remove the background around photographed or scanned documents; several small documents "
        "scanned onto one page become one page each. Not needed for digitally born PDFs.",
    )
    charset: Charset = Field(
        default="latin",
        description="Latin for English, German, French, Spanish and the other Latin-script languages; "
        "Japanese for documents with Japanese characters.",
    )
    text: TextMode = Field(
        default="printed",
        description="Which text OCR should read: printed only, handwritten only, or both.",
    )


def tesseract_languages(charset: Charset, installed: set[str] | None = None) -> str:
    """The Tesseract ``lang`` argument for a character set, limited to the installed languages.

    Args:
        charset: ``latin`` or ``japanese``.
        installed: the installed Tesseract languages; None keeps the full list.

    Returns:
        A ``+``-joined language string such as ``eng+deu``.

    >>> tesseract_languages("japanese", {"eng", "jpn"})
    'jpn+eng'
    """
    wanted: tuple[str, ...] = ("jpn", "eng") if charset == "japanese" else LATIN_LANGUAGES
    langs = [code for code in wanted if installed is None or code in installed]
    return "+".join(langs or ["eng"])
