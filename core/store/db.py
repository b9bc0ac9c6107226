"""The database under the store: one SQLAlchemy engine, one metadata, a schema version and migrations.

SQLite (WAL mode) is the embedded default; any SQLAlchemy URL (PostgreSQL for a shared review store) works.
Every table is declared on ``metadata`` by the module of its concept (``documents``, ``workflows``, ``runs`` ...).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from core.errors import StoreError

__all__ = ["metadata", "SCHEMA_VERSION", "MIGRATIONS", "create_engine", "migrate", "schema_version", "utc"]

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


def utc(value: datetime) -> datetime:
    """A stored moment as timezone-aware UTC (SQLite hands back naive datetimes; everything written is UTC).

    >>> utc(datetime(2026, 1, 2, 3, 4)).isoformat()
    '2026-01-02T03:04:00+00:00'
    """
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
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


def migrate(engine: Engine) -> int:
    """Bring the database to ``SCHEMA_VERSION`` in one transaction; returns the version.

    Raises:
        StoreError: the database is newer than this Fieldbench, or cannot be written.
    """
    try:
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
    except StoreError:
        raise
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store: {exc.__class__.__name__}: {exc}") from exc
    return SCHEMA_VERSION
