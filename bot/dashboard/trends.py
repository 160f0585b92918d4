"""Trend series for the charts: requests opened and resolved, and the share of
SLAs met, per day (7 and 30 days) or per week (90 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard import counted
from storage.models import Request

WEEKLY_FROM_DAYS = 60


@dataclass(frozen=True)
class Trend:
    labels: list[date]  # each bucket's first day
    opened: list[int]
    resolved: list[int]
    sla_share: list[float | None]  # None: nothing closed with an SLA in that bucket


async def requests_trend(session: AsyncSession, team_ids: list[int], now: datetime, days: int, tz: str) -> Trend:
    zone = ZoneInfo(tz)
    step = 7 if days >= WEEKLY_FROM_DAYS else 1
    buckets = (days + step - 1) // step
    # The last bucket ends today (local): today's requests show at once.
    first = now.astimezone(zone).date() - timedelta(days=buckets * step - 1)
    since = datetime.combine(first, time(0), zone)
    labels = [first + timedelta(days=i * step) for i in range(buckets)]

    def bucket(moment: datetime | None) -> int | None:
        if moment is None:
            return None
        index = (moment.astimezone(zone).date() - first).days // step
        return index if 0 <= index < buckets else None

    opened, resolved, met, closed = [0] * buckets, [0] * buckets, [0] * buckets, [0] * buckets
    if team_ids:
        mine = col(Request.team_id).in_(team_ids)
        for created_at in (await session.exec(select(Request.created_at).where(mine, col(Request.created_at) >= since))).all():
            if (i := bucket(created_at)) is not None:
                opened[i] += 1
        rows = (await session.exec(select(Request.resolved_at, Request.resolution_met)
                                   .where(mine, counted.request_clause("resolution", since)))).all()
        for resolved_at, kept in rows:
            if (i := bucket(resolved_at)) is not None:
                resolved[i] += 1
                if kept is not None:
                    closed[i] += 1
                    met[i] += bool(kept)
    shares = [round(100 * m / c, 1) if c else None for m, c in zip(met, closed)]
    return Trend(labels, opened, resolved, shares)
