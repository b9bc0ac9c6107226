"""The database under the store: one SQLAlchemy engine, one metadata, a schema version and migrations.

SQLite (WAL mode) is the embedded default; any SQLAlchemy URL (PostgreSQL for a shared review store) works.
Every table is declared on ``metadata`` by the module of its concept (``documents``, ``workflows``, ``runs`` ...).

Creation and migration are serialised: several processes opening a new data directory at once take turns on
a lock file beside the SQLite database (``fieldbench.sqlite.lock``), and a migration that still meets a
concurrent one (another database, or no file locks) is tried again, since the other one's work is then done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from core.errors import StoreError, one_line

try:
    import fcntl
except ImportError:  # not on POSIX: no lock file, the retries of ``migrate`` alone tolerate a concurrent first run
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "metadata",
    "SCHEMA_VERSION",
    "MIGRATIONS",
    "LOCK_WAIT_SECONDS",
    "MIGRATE_ATTEMPTS",
    "create_engine",
    "migrate",
    "migration_lock",
    "schema_version",
    "utc",
]

metadata = sa.MetaData()

schema_info = sa.Table(
    "schema_info",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)


def _add_column(conn: Connection, table: str, column: str, definition: str) -> None:
    """``ALTER TABLE table ADD COLUMN column definition`` unless the table lacks or already has it."""
    inspector = sa.inspect(conn)
    if inspector.has_table(table) and column not in {c["name"] for c in inspector.get_columns(table)}:
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))


def _runs_workflow_draft(conn: Connection) -> None:
    # 1 → 2: whether a run used unsaved edits of its workflow version (runs before it did not).
    _add_column(conn, "runs", "workflow_draft", "BOOLEAN NOT NULL DEFAULT FALSE")


# Migrations that change tables existing stores already have; new tables come from metadata.create_all.
# MIGRATIONS[n] takes a store at version n+1 to n+2. Append, never edit.
MIGRATIONS: list[Callable[[Connection], None]] = [_runs_workflow_draft]
SCHEMA_VERSION = 1 + len(MIGRATIONS)

LOCK_WAIT_SECONDS = 60.0
"""Most seconds to wait for another process creating or migrating the store (it takes well under one)."""
MIGRATE_ATTEMPTS = 3
"""Tries of a migration that failed because another process was migrating the same database at once."""


def utc(value: datetime) -> datetime:
    """A stored moment as timezone-aware UTC (SQLite hands back naive datetimes; everything written is UTC).

    >>> utc(datetime(2026, 1, 2, 3, 4)).isoformat()
    '2026-01-02T03:04:00+00:00'
    """
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The busy timeout first: switching a new database to WAL needs a moment's lock another process may hold.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys and a busy timeout.

    >>> create_engine("sqlite://").dialect.name
    'sqlite'
    """
    try:
        engine = sa.create_engine(url, future=True)
    except Exception as exc:  # noqa: BLE001 - any URL problem is the user's to fix
        raise StoreError(f"cannot use store URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def schema_version(conn: Connection) -> int:
    """The version recorded in the store, 0 for an empty database."""
    if not sa.inspect(conn).has_table("schema_info"):
        return 0
    row = conn.execute(sa.select(schema_info.c.version).where(schema_info.c.id == 1)).first()
    return int(row[0]) if row else 0


def _lock_path(engine: Engine) -> Path | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(Path(database).name + ".lock")


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the store's lock file (SQLite databases in a file; nothing for other databases).

    Raises:
        StoreError: another process held it for more than ``LOCK_WAIT_SECONDS``.
    """
    path = _lock_path(engine)
    if path is None or fcntl is None:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115 - closed below, after the lock is released
    except OSError:  # a data directory we may not write to: no lock (the database says what it allows)
        yield
        return
    with handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"another process has been creating or upgrading the store for over {LOCK_WAIT_SECONDS:g} s",
                        hint=f"Check for a stuck fieldbench process; {path} is its lock.",
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: Engine) -> int:
    """Bring the database to ``SCHEMA_VERSION`` in one transaction; returns the version.

    Processes migrating at once take turns (``migration_lock``); a migration that fails while another one ran
    is tried again (``MIGRATE_ATTEMPTS``), and finds the work done.

    Raises:
        StoreError: the database is newer than this Fieldbench, or cannot be written.
    """
    with migration_lock(engine):
        attempt = 1
        while True:
            try:
                return _migrate_once(engine)
            except sa.exc.SQLAlchemyError as exc:
                if attempt >= MIGRATE_ATTEMPTS:
                    raise StoreError(f"cannot open the store: {exc.__class__.__name__}: {one_line(exc)}") from exc
                time.sleep(0.1 * attempt)  # the other migration is committing: its tables are there next time
                attempt += 1


def _migrate_once(engine: Engine) -> int:
    with engine.begin() as conn:
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the store is at schema version {current}, newer than this Fieldbench ({SCHEMA_VERSION})",
                hint="Upgrade Fieldbench, or point FIELDBENCH_HOME at another data directory.",
            )
        for step in MIGRATIONS[max(current - 1, 0) :] if current else []:
            step(conn)
        metadata.create_all(conn)
        if current == 0:
            conn.execute(schema_info.insert().values(id=1, version=SCHEMA_VERSION))
        elif current != SCHEMA_VERSION:
            conn.execute(schema_info.update().where(schema_info.c.id == 1).values(version=SCHEMA_VERSION))
    return SCHEMA_VERSION
