"""Setting pulses up: create one from a checked spec, pause, resume, cancel.

HR only (bot.pulses.access). Each runs in the caller's transaction; a refusal
raises before anything is written. The worker opens rounds (bot.pulses.rounds)
from `next_open_at`: these flows only move it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.context import Ctx
from bot.errors import UserError
from bot.pulses import access, audience, recurrence, timing
from bot.pulses.recurrence import Schedule
from bot.pulses.spec import AUDIENCE, SUBJECT, Audience, PulseSpec, SpecErrors
from bot.pulses.states import ACTIVE, CANCELLED, DROPPED, OPEN, PAUSED, PLANNED, display_id
from bot.teams import service as teams
from storage.models import Person, Pulse, PulseParticipation, PulseRound


async def create(ctx: Ctx, creator: Person, spec: PulseSpec, tz: str) -> Pulse:
    """A new active pulse; SpecErrors (subject, audience) when a name is unknown
    or the audience has nobody in it. `tz`: where the creator reads its dates."""
    access.require_hr(creator)
    problems, subject_id, stored = await find_names(ctx, spec.subject, spec.audience)
    if problems:
        raise SpecErrors(problems)
    first = recurrence.first_on_or_after(spec.schedule, spec.schedule.start)
    pulse = Pulse(
        created_by_id=creator.id, subject_team_id=subject_id,
        questions=[question.to_json() for question in spec.questions], comment=spec.comment,
        audience=stored, schedule=spec.schedule.to_json(), timezone=tz,
        window_days=spec.window_days, remind_after_days=spec.remind_after_days,
        anonymous=spec.anonymous, min_answers=spec.min_answers, state=ACTIVE,
        next_round_on=first, next_open_at=timing.open_moment(first, spec.schedule.at) if first else None,
        created_at=ctx.now,
    )
    ctx.session.add(pulse)
    await ctx.session.flush()
    return pulse


async def find_names(
    ctx: Ctx, subject: str | None, wanted: Audience | None,
) -> tuple[dict[str, UserError], int | None, dict[str, Any] | None]:
    """The subject team's id and the stored audience, or the problems with them
    by field: the form reports them with any others it has."""
    problems: dict[str, UserError] = {}
    subject_id = stored = None
    if subject is not None:
        try:
            subject_id = (await teams.find(ctx.session, subject)).id
        except UserError as error:
            problems[SUBJECT] = error
    if wanted is not None:
        try:
            stored = await audience.resolve(ctx.session, wanted)
            if await audience.size(ctx.session, stored) == 0:
                raise UserError("pulse.setup.audience_nobody")
        except UserError as error:
            problems[AUDIENCE] = error
    return problems, subject_id, stored


async def _managed(ctx: Ctx, actor: Person, pulse_id: int) -> Pulse:
    """The pulse, locked: a round being opened waits for the change, or the change for it."""
    access.require_hr(actor)
    pulse = (await ctx.session.exec(select(Pulse).where(Pulse.id == pulse_id).with_for_update())).first()
    if pulse is None:
        raise UserError("pulse.unknown", value=display_id(pulse_id))
    return pulse


async def pause(ctx: Ctx, actor: Person, pulse_id: int) -> Pulse:
    """No round opens while paused; a round already open goes on."""
    pulse = await _managed(ctx, actor, pulse_id)
    if pulse.state == PAUSED:
        raise UserError("pulse.setup.already_paused", ref=display_id(pulse.id))
    if pulse.state != ACTIVE:
        raise UserError(f"pulse.setup.is_{pulse.state}", ref=display_id(pulse.id))
    pulse.state = PAUSED
    pulse.version += 1
    ctx.session.add(pulse)
    return pulse


async def resume(ctx: Ctx, actor: Person, pulse_id: int) -> Pulse:
    """Active again from its next date still ahead: dates missed while paused are skipped, not sent late."""
    pulse = await _managed(ctx, actor, pulse_id)
    if pulse.state == ACTIVE:
        raise UserError("pulse.setup.not_paused", ref=display_id(pulse.id))
    if pulse.state != PAUSED:
        raise UserError(f"pulse.setup.is_{pulse.state}", ref=display_id(pulse.id))
    schedule = Schedule.from_json(pulse.schedule)
    last = (await ctx.session.exec(select(func.max(PulseRound.on_date)).where(PulseRound.pulse_id == pulse.id))).one()
    ahead = next_date_ahead(schedule, pulse.timezone, ctx.now, after=last)
    if ahead is None:
        raise UserError("pulse.setup.nothing_ahead", ref=display_id(pulse.id))
    pulse.state = ACTIVE
    pulse.next_round_on, pulse.next_open_at = ahead, timing.open_moment(ahead, schedule.at)
    pulse.version += 1
    ctx.session.add(pulse)
    return pulse


def next_date_ahead(schedule: Schedule, tz: str, now: datetime, *, after: date | None = None) -> date | None:
    """The first round date whose local time (in `tz`, the creator's) is still ahead of
    `now`, and after `after` (the last round's date: a round opens ahead of that time)."""
    day = recurrence.first_on_or_after(schedule, now.astimezone(ZoneInfo(tz)).date())
    while day is not None and (timing.local_instant(tz, day, schedule.at) <= now or (after and day <= after)):
        day = recurrence.next_after(schedule, day)
    return day


async def cancel(ctx: Ctx, actor: Person, pulse_id: int) -> int:
    """No more rounds; the open round's invitations not yet sent never will be.
    Returns how many were dropped."""
    pulse = await _managed(ctx, actor, pulse_id)
    if pulse.state == CANCELLED:
        raise UserError("pulse.setup.is_cancelled", ref=display_id(pulse.id))
    pulse.state = CANCELLED
    pulse.next_open_at = None
    pulse.version += 1
    ctx.session.add(pulse)
    open_rounds = select(PulseRound.id).where(PulseRound.pulse_id == pulse.id, PulseRound.state == OPEN)
    result = await ctx.session.exec(  # type: ignore[call-overload]
        update(PulseParticipation)
        .where(col(PulseParticipation.round_id).in_(open_rounds), PulseParticipation.state == PLANNED)
        .values(state=DROPPED, remind_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
