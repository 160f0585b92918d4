"""Trend series for the charts: requests opened and resolved, and the share of
SLAs met, per day (7 and 30 days) or per week (90 days)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard import counted
from bot.dashboard.figures import FEW_TEAMS
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
    # Where each bucket starts (local midnight), and where the last one ends, as instants:
    # a moment's bucket is a bisection among them, not a time zone conversion per row.
    edges = [datetime.combine(first + timedelta(days=i * step), time(0), zone).astimezone(timezone.utc)
             for i in range(buckets + 1)]

    def bucket(moment: datetime | None) -> int | None:
        if moment is None:
            return None
        index = bisect_right(edges, moment) - 1
        return index if 0 <= index < buckets else None

    opened, resolved, met, closed = [0] * buckets, [0] * buckets, [0] * buckets, [0] * buckets
    if team_ids:
        wanted = set(team_ids)
        # As the overview's figures: the team filter in SQL for a few teams only (bot.dashboard.figures),
        # else the period's range on the covering index, and the teams kept here. Core tuples, not ORM rows.
        mine = col(Request.team_id).in_(team_ids) if len(team_ids) <= FEW_TEAMS else true()
        connection = await session.connection()
        for team_id, created_at in (await connection.execute(
                select(Request.team_id, Request.created_at).where(mine, col(Request.created_at) >= since))).all():
            if team_id in wanted and (i := bucket(created_at)) is not None:
                opened[i] += 1
        rows = (await connection.execute(select(Request.team_id, Request.resolved_at, Request.resolution_met)
                                         .where(mine, counted.request_clause("resolution", since)))).all()
        for team_id, resolved_at, kept in rows:
            if team_id in wanted and (i := bucket(resolved_at)) is not None:
                resolved[i] += 1
                if kept is not None:
                    closed[i] += 1
                    met[i] += bool(kept)
    shares = [round(100 * m / c, 1) if c else None for m, c in zip(met, closed)]
    return Trend(labels, opened, resolved, shares)
