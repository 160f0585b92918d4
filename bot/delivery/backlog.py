"""How much the outbox still owes: what a scrape of /metrics reads.

One grouped query on the (status, next_attempt_at) index: its cost follows
the messages waiting, not the history of those delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox

UNDELIVERED = ("pending", "sending")


@dataclass
class Backlog:
    depth: dict[str, int] = field(default_factory=lambda: dict.fromkeys(UNDELIVERED, 0))  # by status
    oldest: datetime | None = None  # when the oldest undelivered message was queued

    def oldest_age(self, now: datetime) -> float:
        """Seconds the oldest undelivered message has waited; 0 when none waits."""
        return max((now - self.oldest).total_seconds(), 0.0) if self.oldest is not None else 0.0


async def backlog(session: AsyncSession) -> Backlog:
    result = await session.exec(
        select(Outbox.status, func.count(), func.min(Outbox.created_at))
        .where(col(Outbox.status).in_(UNDELIVERED)).group_by(Outbox.status)
    )
    found = Backlog()
    for status, count, oldest in result.all():
        found.depth[status] = count
        if oldest is not None:  # min() keeps the column's type: an aware UTC datetime on both databases
            found.oldest = oldest if found.oldest is None else min(found.oldest, oldest)
    return found
