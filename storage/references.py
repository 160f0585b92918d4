"""Saved conversation references: where a platform can be written to later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConversationReference


async def save(session: AsyncSession, platform: str, key: str, reference: dict[str, Any], now: datetime) -> None:
    """Creates or refreshes the reference (one upsert, safe under concurrent turns)."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ConversationReference).values(platform=platform, key=key, reference=reference, updated_at=now)
    await session.exec(statement.on_conflict_do_update(  # type: ignore[call-overload]
        index_elements=["platform", "key"],
        set_={"reference": statement.excluded.reference, "updated_at": statement.excluded.updated_at},
    ))


async def load(session: AsyncSession, platform: str, key: str) -> dict[str, Any] | None:
    result = await session.exec(
        select(ConversationReference.reference).where(
            ConversationReference.platform == platform, ConversationReference.key == key
        )
    )
    return result.first()
