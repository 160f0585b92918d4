"""INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession


async def upsert(session: AsyncSession, table: Any, keys: list[str], values: dict[str, Any]) -> None:
    """Inserts the row, or updates its other columns when `keys` already exist:
    one statement, so two writers racing for the same row cannot both insert."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(**values)
    await session.exec(statement.on_conflict_do_update(  # type: ignore[call-overload]
        index_elements=keys,
        set_={name: statement.excluded[name] for name in values if name not in keys},
    ))
