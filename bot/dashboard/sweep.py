"""The sweep: sign-in links past their time and sessions idle too long are
deleted on a schedule (the worker's "dashboard.sweep" job), not only when
someone asks for a new link.

Neither can open anything any more (bot.dashboard.access refuses them), so
this is housekeeping: the tables keep only what may still be used. What is
due is a range seek on expires_at and last_seen_at; each chunk is deleted in
its own transaction, and the DELETE checks the time again, so a session used
between the question and the deletion stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.dashboard import access
from bot.scheduling import chunks
from storage.models import DashboardLink, DashboardSession

EVERY_SECONDS = 300
PER_TICK = 2000
CHUNK = 500
LINKS, SESSIONS = "links", "sessions"


def expired_link(now: datetime) -> ColumnElement[bool]:
    """A link that can no longer sign anyone in: past its time (used or not), or never given one."""
    return or_(col(DashboardLink.expires_at) <= now, col(DashboardLink.expires_at).is_(None))


def idle_session(now: datetime) -> ColumnElement[bool]:
    """A session bot.dashboard.access.signed_in would refuse: idle for IDLE_LIMIT or more."""
    return or_(col(DashboardSession.last_seen_at) <= now - access.IDLE_LIMIT,
               col(DashboardSession.last_seen_at).is_(None))


async def due(session: AsyncSession, now: datetime) -> Sequence[tuple[str, tuple[str, ...]]]:
    links = (await session.exec(select(DashboardLink.token_hash).where(expired_link(now)).limit(PER_TICK))).all()
    idle = (await session.exec(select(DashboardSession.token_hash).where(idle_session(now)).limit(PER_TICK))).all()
    return [(LINKS, part) for part in chunks(list(links), CHUNK)] + \
           [(SESSIONS, part) for part in chunks(list(idle), CHUNK)]


async def run(ctx: Ctx, item: tuple[str, tuple[str, ...]]) -> None:
    kind, hashes = item
    if kind == LINKS:
        await ctx.session.exec(delete(DashboardLink).where(  # type: ignore[call-overload]
            col(DashboardLink.token_hash).in_(hashes), expired_link(ctx.now)))
    else:
        await ctx.session.exec(delete(DashboardSession).where(  # type: ignore[call-overload]
            col(DashboardSession.token_hash).in_(hashes), idle_session(ctx.now)))
