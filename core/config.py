"""Settings read from the environment, typed; the app, the CLI and notebooks all go through ``Settings.from_env``."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import BaseModel, Field

from core.errors import FieldbenchError

__all__ = ["Settings", "get_settings"]


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise FieldbenchError(f"{name} must be a whole number, not {raw!r}") from None


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise FieldbenchError(f"{name} must be a number, not {raw!r}") from None


def _positive(value: float, name: str) -> float:
    # A limit of 0 or less would refuse everything (or, as a time-out, wait forever): a typo, not a wish.
    if not value > 0 or value == float("inf"):
        raise FieldbenchError(f"{name} must be a positive number, not {value:g}")
    return value


class Settings(BaseModel):
    """Everything configurable about a Fieldbench installation."""

    home: Path = Field(description="Data directory: the store, document files, models (FIELDBENCH_HOME).")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store (FIELDBENCH_DATABASE_URL); default SQLite in `home`.",
    )
    max_pages: int = Field(default=2000, description="Most pages one document may have (FIELDBENCH_MAX_PAGES).")
    max_file_mb: float = Field(
        default=256,
        description="Most megabytes one document file may have (FIELDBENCH_MAX_FILE_MB); checked before reading.",
    )
    max_image_pixels: int = Field(
        default=180_000_000,
        description="Most pixels one image page may have; guards against decompression bombs.",
    )
    max_page_mb: float = Field(
        default=1024,
        description="Most megabytes one image page may take while it is read: decoded, upright copy and gray "
        "copy for OCR (FIELDBENCH_MAX_PAGE_MB).",
    )
    ocr_workers: int = Field(default=0, description="OCR processes; 0 means one per core (FIELDBENCH_OCR_WORKERS).")
    ocr_dpi: int = Field(default=300, description="Resolution at which PDF pages without text are OCRed.")
    llm_base_url: str | None = Field(default=None, description="OPENAI_BASE_URL of an OpenAI-compatible server.")
    llm_api_key: str | None = Field(default=None, description="OPENAI_API_KEY.")
    llm_model: str | None = Field(default=None, description="FIELDBENCH_LLM_MODEL: the model name to ask for.")
    llm_timeout: float = Field(
        default=60.0,
        description="Seconds one LLM request may take, start to last byte (FIELDBENCH_LLM_TIMEOUT).",
    )
    llm_max_tokens: int = Field(
        default=0,
        description="Most tokens one LLM answer may have (FIELDBENCH_LLM_MAX_TOKENS); 0: from the schema's size.",
    )
    llm_document_timeout: float = Field(
        default=600.0,
        description="Seconds all LLM requests for one document may take together (FIELDBENCH_LLM_DOCUMENT_TIMEOUT).",
    )
    llm_price_per_1k_prompt: float = Field(
        default=0.0,
        description="USD per 1,000 prompt tokens, for cost estimates (FIELDBENCH_LLM_PRICE_PROMPT).",
    )
    llm_price_per_1k_completion: float = Field(
        default=0.0,
        description="USD per 1,000 completion tokens, for cost estimates (FIELDBENCH_LLM_PRICE_COMPLETION).",
    )
    credits_per_page: float = Field(default=80, description="Credits one processed page costs.")
    credits_per_document: float = Field(default=120, description="Credits one processed document costs.")
    monthly_page_quota: int = Field(default=100, description="Pages a month before the Usage page warns.")
    max_model_mb: float = Field(
        default=512,
        description="Most megabytes a saved model may unpack to when it is loaded (FIELDBENCH_MAX_MODEL_MB).",
    )

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of the store: the configured one, else SQLite under ``home``."""
        return self.database_url or f"sqlite:///{self.home / 'fieldbench.sqlite'}"

    @property
    def files_dir(self) -> Path:
        """Where document files are kept, one per content hash."""
        return self.home / "files"

    @property
    def models_dir(self) -> Path:
        """Where trained models and classifiers are kept."""
        return self.home / "models"

    @property
    def llm_configured(self) -> bool:
        """True when a model name and a server (or OpenAI's default with a key) are set."""
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the environment.

        >>> Settings.from_env().max_pages >= 1
        True
        """
        home = os.environ.get("FIELDBENCH_HOME") or platformdirs.user_data_dir("fieldbench", appauthor=False)
        max_tokens = _int_env("FIELDBENCH_LLM_MAX_TOKENS", 0)
        if max_tokens < 0:
            raise FieldbenchError(f"FIELDBENCH_LLM_MAX_TOKENS must be 0 (from the schema) or more, not {max_tokens}")
        return cls(
            home=Path(home).expanduser(),
            database_url=os.environ.get("FIELDBENCH_DATABASE_URL") or None,
            max_pages=_int_env("FIELDBENCH_MAX_PAGES", 2000),
            max_file_mb=_positive(_float_env("FIELDBENCH_MAX_FILE_MB", 256), "FIELDBENCH_MAX_FILE_MB"),
            max_image_pixels=_int_env("FIELDBENCH_MAX_IMAGE_PIXELS", 180_000_000),
            max_page_mb=_positive(_float_env("FIELDBENCH_MAX_PAGE_MB", 1024), "FIELDBENCH_MAX_PAGE_MB"),
            ocr_workers=_int_env("FIELDBENCH_OCR_WORKERS", 0),
            ocr_dpi=_int_env("FIELDBENCH_OCR_DPI", 300),
            llm_base_url=os.environ.get("OPENAI_BASE_URL") or None,
            llm_api_key=os.environ.get("OPENAI_API_KEY") or None,
            llm_model=os.environ.get("FIELDBENCH_LLM_MODEL") or None,
            llm_timeout=_positive(_float_env("FIELDBENCH_LLM_TIMEOUT", 60.0), "FIELDBENCH_LLM_TIMEOUT"),
            llm_max_tokens=max_tokens,
            llm_document_timeout=_positive(
                _float_env("FIELDBENCH_LLM_DOCUMENT_TIMEOUT", 600.0), "FIELDBENCH_LLM_DOCUMENT_TIMEOUT"
            ),
            llm_price_per_1k_prompt=_float_env("FIELDBENCH_LLM_PRICE_PROMPT", 0.0),
            llm_price_per_1k_completion=_float_env("FIELDBENCH_LLM_PRICE_COMPLETION", 0.0),
            credits_per_page=_float_env("FIELDBENCH_CREDITS_PER_PAGE", 80),
            credits_per_document=_float_env("FIELDBENCH_CREDITS_PER_DOCUMENT", 120),
            monthly_page_quota=_int_env("FIELDBENCH_MONTHLY_PAGE_QUOTA", 100),
            max_model_mb=_positive(_float_env("FIELDBENCH_MAX_MODEL_MB", 512), "FIELDBENCH_MAX_MODEL_MB"),
        )


def get_settings() -> Settings:
    """The settings of this process, read from the environment each call (cheap; tests change it)."""
    return Settings.from_env()
