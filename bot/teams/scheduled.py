"""The daily digest job: at 09:00 in each team's time zone on its business
days (at its opening, if it opens later), a summary to the team's channel.

Team.digest_due_at says when the next one is due. A worker claims a team by
moving that time on with a conditional UPDATE, so of several workers one
takes it; the ledger row (subject team, kind "team.digest", window the local
date) makes a day's digest go out once even so. A tick that comes late sends
today's digest if today's moment has passed, never an earlier day's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.delivery.outbox import TEAM, enqueue
from bot.nudges.ledger import ONCE, QUEUED
from bot.sla.business_hours import BusinessHours, BusinessHoursError
from bot.sla.calendar import team_hours
from bot.teams import digest
from storage.models import Nudge, Team
from storage.upsert import insert_new

KIND, SUBJECT = "team.digest", "team"
DIGEST_AT = time(9)
LOOK_AHEAD_DAYS = 400  # past a year of holidays: a team that never opens is looked at again tomorrow
PER_TICK = 500


async def due(session: AsyncSession, now: datetime) -> Sequence[int]:
    """Teams whose digest is due, or that have no due time yet: a seek on the digest_due_at index."""
    result = await session.exec(
        select(Team.id).where(or_(Team.digest_due_at <= now, Team.digest_due_at.is_(None)))  # type: ignore[union-attr, operator]
        .order_by(Team.id).limit(PER_TICK)
    )
    return list(result.all())


async def run(ctx: Ctx, team_id: int) -> None:
    team = await ctx.session.get(Team, team_id)
    if team is None:
        return
    was, hours, tz = team.digest_due_at, team_hours(team), ZoneInfo(team.timezone)
    if was is not None and was > ctx.now:
        return  # another worker sent it and moved it on after this one asked what was due
    if not await _claim(ctx, team.id, was, next_due(team, hours, ctx.now)):
        return  # another worker took it
    today = ctx.now.astimezone(tz).date()
    todays = digest_time(hours, tz, today)
    # A first due time is only set; a day without a digest moment, or before it, sends nothing.
    if was is None or todays is None or todays > ctx.now:
        return
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), tz)
    message = await digest.compose(ctx, team, today, end_of_day)
    if message is None:
        return  # nothing to say
    if not await insert_new(ctx.session, Nudge, ONCE, dict(
        subject_kind=SUBJECT, subject_id=team.id, kind=KIND, window_key=today.isoformat(),
        recipient_kind=TEAM, recipient_id=team.id, state=QUEUED, send_at=todays, queued_at=ctx.now,
        data={"role": "team"}, snoozes=0, created_at=ctx.now,
    )):
        return  # today's went out already
    row = enqueue(ctx.session, recipient_kind=TEAM, recipient_id=team.id, now=ctx.now, message=message)
    await ctx.session.flush()
    # The confirm tick marks it sent once the outbox delivered it.
    await ctx.session.exec(update(Nudge).where(  # type: ignore[call-overload]
        Nudge.subject_kind == SUBJECT, Nudge.subject_id == team.id, Nudge.kind == KIND,
        Nudge.window_key == today.isoformat(), Nudge.recipient_kind == TEAM, Nudge.recipient_id == team.id,
    ).values(outbox_id=row.id))


async def _claim(ctx: Ctx, team_id: int, was: datetime | None, then: datetime) -> bool:
    same = Team.digest_due_at.is_(None) if was is None else Team.digest_due_at == was  # type: ignore[union-attr]
    result = await ctx.session.exec(  # type: ignore[call-overload]
        update(Team).where(Team.id == team_id, same).values(digest_due_at=then)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def digest_time(hours: BusinessHours, tz: ZoneInfo, day: date) -> datetime | None:
    """09:00 on `day` (or the first open moment after it that day; or the day's opening,
    if it closes before 09:00); None if the team does not open that day."""
    try:
        first = hours.next_open(datetime.combine(day, time(0), tz))
        if first.astimezone(tz).date() != day:
            return None  # a day off or a holiday
        at = hours.next_open(max(first, datetime.combine(day, DIGEST_AT, tz)))
    except BusinessHoursError:
        return None  # open on no day at all
    return at if at.astimezone(tz).date() == day else first


def next_due(team: Team, hours: BusinessHours, now: datetime) -> datetime:
    """The first digest moment after `now`."""
    tz = ZoneInfo(team.timezone)
    day = now.astimezone(tz).date()
    for offset in range(LOOK_AHEAD_DAYS):
        at = digest_time(hours, tz, day + timedelta(days=offset))
        if at is not None and at > now:
            return at
    return now + timedelta(days=1)
