"""Schema migrations: Alembic, driven from code.

The migration scripts live in the package (storage/migrations), and the
Alembic Config is built here rather than read from an alembic.ini, so
`upgrade()` works the same from a checkout and from an installed wheel.
Alembic always runs on the sync driver (sqlite / postgresql+psycopg).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import storage
from storage.engine import is_sqlite, sync_url
from storage.models import UTCDateTime

MIGRATIONS_DIR = Path(storage.__file__).parent / "migrations"


def make_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = sync_url(database_url).render_as_string(hide_password=False)
    # Config values go through ConfigParser interpolation: a URL-encoded
    # "%3D" (e.g. ?options=-csearch_path%3Dx) must be escaped as "%%".
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file, if the URL names one on disk."""
    if not is_sqlite(database_url):
        return None
    path = sync_url(database_url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        return Path(path)
    return None


def upgrade(database_url: str, revision: str = "head") -> None:
    # SQLite creates the file but not its directory (e.g. a fresh volume).
    if (path := _sqlite_file(database_url)) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(make_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(make_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """For callers already inside an event loop: Alembic is sync and blocking.
    Alembic's `context` is process-global, so run one migration at a time."""
    await asyncio.to_thread(upgrade, database_url, revision)


def _sync_engine(database_url: str) -> sa.Engine:
    return sa.create_engine(sync_url(database_url), poolclass=sa.pool.NullPool)


def current(database_url: str) -> str | None:
    """The revision the database is at; None for an unmigrated database."""
    if (path := _sqlite_file(database_url)) is not None and not path.exists():
        return None  # don't let the check itself create an empty file
    engine = _sync_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def check_no_drift(database_url: str) -> list[Any]:
    """Autogenerate's diffs between the database and the models; empty means
    in sync. Non-empty after `upgrade()` means a model changed without a
    migration: run scripts/new_migration.sh."""
    engine = _sync_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": compare_type})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


# --- Hooks shared by env.py (autogenerate) and check_no_drift -------------


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write UTCDateTime as plain sa.DateTime(timezone=True), so revision
    scripts never import model code (which keeps changing after them)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # Alembic's default rendering


def compare_type(
    context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """UTCDateTime is stored as DateTime(timezone=True): compare it as that."""
    if not isinstance(metadata_type, UTCDateTime):
        return None  # Alembic's default comparison
    if not isinstance(inspected_type, sa.DateTime):
        return True
    # SQLite reflects no timezone flag; PostgreSQL must be timestamptz.
    return context.dialect.name != "sqlite" and not inspected_type.timezone
