"""Persistence: documents and their files, OCR cache, workflows, runs, classifiers, templates, training data,
feedback, reviews, training runs and model versions.

``Store`` is the one entry point; each concept has its own repository module and tables. Opening a data
directory also removes what interrupted processes left in it (``core.store.files.remove_stale``).

>>> store = Store.open_memory()
>>> store.schema_version >= 1
True
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from core.config import Settings, get_settings
from core.store.classifiers import ClassifierRepo
from core.store.db import create_engine, migrate
from core.store.documents import DocumentRepo, FileStore
from core.store.feedback import FeedbackRepo
from core.store.files import remove_stale
from core.store.models import ModelRepo
from core.store.reviews import ReviewRepo
from core.store.runs import RunRepo
from core.store.templates import TemplateRepo
from core.store.training_data import TrainingDataRepo
from core.store.workflows import WorkflowRepo

__all__ = ["Store"]


class Store:
    """The store of one data directory (or one database URL).

    Args:
        url: SQLAlchemy URL of the database.
        files_dir: directory where document files are kept by content hash.
    """

    def __init__(self, url: str, files_dir: Path) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.schema_version = migrate(self.engine)
        self.files = FileStore(files_dir)
        self.documents = DocumentRepo(self.engine, self.files)
        self.workflows = WorkflowRepo(self.engine)
        self.runs = RunRepo(self.engine)
        self.classifiers = ClassifierRepo(self.engine)
        self.templates = TemplateRepo(self.engine)
        self.training = TrainingDataRepo(self.engine)
        self.feedback = FeedbackRepo(self.engine)
        self.reviews = ReviewRepo(self.engine)
        self.models = ModelRepo(self.engine)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Store:
        """The store of the configured data directory (``FIELDBENCH_HOME``), created when missing.

        Temporary files that interrupted processes left (half-written document files, half-staged models,
        page images in the system's temporary folder) are removed first, when they are provably stale.
        """
        settings = settings or get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        remove_stale(settings.files_dir, settings.models_dir)
        return cls(settings.store_url, settings.files_dir)

    @classmethod
    def open_memory(cls) -> Store:
        """A throw-away store in a temporary directory (for examples and quick experiments).

        The directory is removed when nothing uses the store's database any more (every repository holds it),
        or when the process ends.
        """
        home = Path(tempfile.mkdtemp(prefix="fieldbench-"))
        store = cls(f"sqlite:///{home / 'fieldbench.sqlite'}", home / "files")
        weakref.finalize(store.engine, shutil.rmtree, home, ignore_errors=True)
        return store

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
