"""Saved conversation references: where a platform can be written to later."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConversationReference
from storage.upsert import upsert


def channel_key(channel_id: str) -> str:
    """The key of a team channel's reference (also its delivery address)."""
    return f"channel:{channel_id}"


def person_key(person_id: int) -> str:
    """The key of a person's personal-chat reference (also its delivery address)."""
    return f"person:{person_id}"


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


async def stored(session: AsyncSession, platform: str, keys: Iterable[str]) -> set[str]:
    """Which of these keys have a saved reference: one query for them all."""
    wanted = list(keys)
    if not wanted:
        return set()
    result = await session.exec(
        select(ConversationReference.key).where(
            ConversationReference.platform == platform,
            ConversationReference.key.in_(wanted),  # type: ignore[attr-defined]
        )
    )
    return set(result.all())
