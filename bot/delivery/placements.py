"""Where cards were posted, and which card a platform message belongs to."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CardPlacement


async def card_at(session: AsyncSession, platform: str, external_id: str) -> str | None:
    result = await session.exec(
        select(CardPlacement.card_key).where(
            CardPlacement.platform == platform, CardPlacement.external_id == external_id
        )
    )
    return result.first()

