"""Saved conversation references: where a platform can be written to later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConversationReference
from storage.upsert import upsert


async def save(session: AsyncSession, platform: str, key: str, reference: dict[str, Any], now: datetime) -> None:
    """Creates or refreshes the reference (one upsert, safe under concurrent turns)."""
    await upsert(session, ConversationReference, ["platform", "key"],
                 dict(platform=platform, key=key, reference=reference, updated_at=now))


async def load(session: AsyncSession, platform: str, key: str) -> dict[str, Any] | None:
    result = await session.exec(
        select(ConversationReference.reference).where(
            ConversationReference.platform == platform, ConversationReference.key == key
        )
    )
    return result.first()
