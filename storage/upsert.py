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


async def insert_new(session: AsyncSession, table: Any, keys: list[str], values: dict[str, Any]) -> bool:
    """Inserts the row unless `keys` already exist (INSERT ... ON CONFLICT DO NOTHING).
    True if this call inserted it: of two writers racing, exactly one gets True."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT run this way.
    statement = (insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
                 .returning(*table.__table__.primary_key.columns))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return result.first() is not None


async def insert_new_rows(session: AsyncSession, table: Any, keys: list[str], rows: list[dict[str, Any]]) -> int:
    """insert_new for many rows in one statement (all with the same columns);
    returns how many this call inserted."""
    if not rows:
        return 0
    dialect = (await session.connection()).dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # Parameters apart from the statement: compiled once and cached, and sent
    # as one multi-row INSERT (SQLAlchemy's insertmanyvalues) all the same.
    statement = (insert(table).on_conflict_do_nothing(index_elements=keys)
                 .returning(*table.__table__.primary_key.columns))
    result = await session.exec(statement, params=rows)  # type: ignore[call-overload]
    return len(result.all())
