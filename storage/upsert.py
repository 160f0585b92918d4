"""INSERT ... ON CONFLICT DO UPDATE / DO NOTHING, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession


async def _insert(session: AsyncSession, table: Any):  # noqa: ANN202
    """The dialect's INSERT, which knows ON CONFLICT."""
    dialect = (await session.connection()).dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


async def upsert(session: AsyncSession, table: Any, keys: list[str], values: dict[str, Any]) -> None:
    """Inserts the row, or updates its other columns when `keys` already exist:
    one statement, so two writers racing for the same row cannot both insert."""
    await upsert_rows(session, table, keys, [values])


async def upsert_rows(session: AsyncSession, table: Any, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """upsert for many rows (all with the same columns), in the given order: one
    statement compiled once, run with each row's parameters (executemany), so a
    key that comes twice is inserted, then updated."""
    if not rows:
        return
    statement = await _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in rows[0] if name not in keys})
    await session.exec(statement, params=rows)  # type: ignore[call-overload]


async def insert_new(session: AsyncSession, table: Any, keys: list[str], values: dict[str, Any]) -> bool:
    """Inserts the row unless `keys` already exist (INSERT ... ON CONFLICT DO NOTHING).
    True if this call inserted it: of two writers racing, exactly one gets True."""
    return await insert_new_rows(session, table, keys, [values]) == 1


async def insert_new_rows(session: AsyncSession, table: Any, keys: list[str], rows: list[dict[str, Any]]) -> int:
    """insert_new for many rows in one statement (all with the same columns);
    returns how many this call inserted."""
    if not rows:
        return 0
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT run this way.
    # Parameters apart from the statement: compiled once and cached, and sent
    # as one multi-row INSERT (SQLAlchemy's insertmanyvalues) all the same.
    statement = ((await _insert(session, table)).on_conflict_do_nothing(index_elements=keys)
                 .returning(*table.__table__.primary_key.columns))
    result = await session.exec(statement, params=rows)  # type: ignore[call-overload]
    return len(result.all())
