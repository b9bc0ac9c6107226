"""The one error hierarchy of Fieldbench: every error a user can cause or meet is a FieldbenchError.

Each error carries one readable line (``str(err)``) and, where it helps, a ``hint`` saying what to do.
The app shows them with ``st.error``, the CLI prints them on one line of stderr and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FieldbenchError",
    "DocumentError",
    "EmptyDocumentError",
    "UnsupportedFormatError",
    "CorruptDocumentError",
    "EncryptedDocumentError",
    "TooManyPagesError",
    "FileTooLargeError",
    "ImageTooLargeError",
    "OCRError",
    "SchemaProblem",
    "SchemaError",
    "NotFoundError",
    "StoreError",
    "ConflictError",
    "EngineUnavailableError",
    "ExtractionError",
    "LLMError",
    "TrainingError",
    "AnnotationError",
    "TrainingCancelled",
    "ClassifierError",
    "one_line",
]


class FieldbenchError(Exception):
    """Base of every error Fieldbench raises on purpose.

    Args:
        message: one line saying what went wrong.
        hint: optional one line saying what the user can do about it.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        """``"message. Hint."``: one sentence each, so the two never run together."""
        return _sentence(self.message) + (" " + _sentence(self.hint) if self.hint else "")


def one_line(text: object, limit: int = 300) -> str:
    """``text`` (or an error's message) on one line, cut to ``limit`` characters: what may go into a message.

    >>> one_line("a\\n  b"), one_line("x" * 10, limit=5)
    ('a b', 'xxxx…')
    """
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _sentence(text: str) -> str:
    """``text`` ending in a full stop (or its own ``?``, ``!`` or ``.``).

    >>> _sentence("the file is empty"), _sentence("Is the server running?"), _sentence("(known: a, b)")
    ('the file is empty.', 'Is the server running?', '(known: a, b).')
    """
    text = text.rstrip()
    return text if not text or text[-1] in ".?!" else text + "."


class DocumentError(FieldbenchError, ValueError):
    """A document could not be read. ``source`` names the file (or ``<bytes>``)."""

    def __init__(self, message: str, *, source: str = "<bytes>", hint: str | None = None) -> None:
        super().__init__(f"{source}: {message}", hint=hint)
        self.source = source


class EmptyDocumentError(DocumentError):
    """The file has no bytes."""


class UnsupportedFormatError(DocumentError):
    """The bytes are not a PDF, PNG, JPEG or TIFF (whatever the file name says)."""


class CorruptDocumentError(DocumentError):
    """The bytes look like a supported format but cannot be decoded (truncated, damaged)."""


class EncryptedDocumentError(DocumentError):
    """The PDF is encrypted and no (or a wrong) password was given."""


class TooManyPagesError(DocumentError):
    """The document has more pages than the configured limit."""

    def __init__(self, *, pages: int, limit: int, source: str = "<bytes>") -> None:
        super().__init__(
            f"{pages} pages is more than the limit of {limit}",
            source=source,
            hint="Split the document, or raise FIELDBENCH_MAX_PAGES.",
        )
        self.pages = pages
        self.limit = limit


class FileTooLargeError(DocumentError):
    """The file has more bytes than the configured limit (checked before it is read whole)."""


class ImageTooLargeError(DocumentError):
    """An image (or a decompression bomb) has more pixels than the configured limit."""


class OCRError(FieldbenchError):
    """The OCR engine (Tesseract or PP-OCR) failed or is missing. ``page`` is the 1-based page number when known."""

    def __init__(self, message: str, *, page: int | None = None, hint: str | None = None) -> None:
        prefix = f"page {page}: " if page is not None else ""
        super().__init__(prefix + message, hint=hint)
        self.page = page


@dataclass(frozen=True)
class SchemaProblem:
    """One problem in a schema: where (a JSON path such as ``$.properties.total``) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class SchemaError(FieldbenchError, ValueError):
    """A schema or a field definition is invalid; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[SchemaProblem], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid schema"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"invalid schema: {first}{more}", hint=hint)


class NotFoundError(FieldbenchError, KeyError):
    """Something asked for by id does not exist (a workflow, a document, a run, a model)."""

    def __init__(self, kind: str, key: str, *, hint: str | None = None) -> None:
        super().__init__(f"no {kind} with id {key!r}", hint=hint)
        self.kind = kind
        self.key = key

    def __str__(self) -> str:  # KeyError would quote the message
        return FieldbenchError.__str__(self)


class StoreError(FieldbenchError):
    """The store could not be opened, migrated or written."""


class ConflictError(StoreError):
    """A save was made from an older copy of something another process (or session) has changed since."""


class EngineUnavailableError(FieldbenchError):
    """An extraction engine was asked for but cannot run here (no LLM configured, no trained model)."""

    def __init__(self, engine: str, reason: str) -> None:
        super().__init__(f"engine {engine!r} is not available: {reason}")
        self.engine = engine
        self.reason = reason


class ExtractionError(FieldbenchError):
    """Extraction failed for a reason other than the document or the engine's availability."""


class LLMError(ExtractionError):
    """The LLM server failed: time-out, rate limit, server error or an answer that never fit the schema.

    ``prompt_tokens`` and ``completion_tokens`` are what the server reported for the requests made before the
    failure (re-asks and answers that were refused included): a failed run costs them too.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        hint: str | None = None,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.attempts = attempts
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


class TrainingError(FieldbenchError):
    """A model could not be trained (too little data, no annotated documents) or loaded."""


class AnnotationError(FieldbenchError, ValueError):
    """Expected values, feedback or an annotation do not fit the workflow; ``problems`` lists every one.

    Each problem names the field path (``total``, ``line_items[2].quantity``) and what is wrong with it.
    """

    def __init__(self, problems: list[SchemaProblem], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid values"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}", hint=hint)


class TrainingCancelled(TrainingError):
    """A training run was stopped on request (its ``should_stop`` said so); nothing was saved."""


class ClassifierError(FieldbenchError):
    """A document classifier could not be trained, loaded or applied."""
