"""Opening rounds: the `pulses.open` job.

When a pulse's `next_open_at` comes (the first moment anywhere on Earth
reaches the round's local date and time), the round is opened: one
participation per person in the audience as it is now, each `planned` with
its own send moment (bot.pulses.timing), or `unreachable` when no platform
Pedir runs reaches them. The fan-out (bot.pulses.fanout) sends each planned
one when its moment comes; nothing is sent to recipients here.

Several workers may run this at once: the pulse is claimed by a conditional
UPDATE on its version (a row lock on PostgreSQL, the write lock on SQLite),
so only one of them opens the round; (pulse_id, number) is unique besides.
Everything for one pulse is one transaction (bot.scheduling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.delivery.outbox import PERSON, enqueue
from bot.i18n import format_day, normalize_locale, t
from bot.messages import Message
from bot.pulses import audience, recurrence, timing
from bot.pulses.recurrence import Schedule
from bot.pulses.states import ACTIVE, FINISHED, OPEN, PLANNED, UNREACHABLE, display_id
from storage.models import Membership, PlatformAccount, Person, Pulse, PulseParticipation, PulseRound, Team

PER_TICK = 50  # pulses opened per tick; a large round takes a while, the rest wait a minute
NO_ACCOUNT = "no_account"
Key = tuple[str, int | None]  # (time zone, first team): everyone with the same key shares a calendar


async def due(session: AsyncSession, now: datetime) -> Sequence[int]:
    """Active pulses whose round is due: a seek on ix_pulse_state_next_open_at."""
    result = await session.exec(
        select(Pulse.id).where(Pulse.state == ACTIVE, col(Pulse.next_open_at) <= now)
        .order_by(col(Pulse.next_open_at)).limit(PER_TICK)
    )
    return list(result.all())


async def next_at(session: AsyncSession) -> datetime | None:
    return (await session.exec(select(func.min(Pulse.next_open_at)).where(Pulse.state == ACTIVE))).one()


async def run(ctx: Ctx, pulse_id: int) -> None:
    await open_round(ctx, pulse_id)


async def open_round(ctx: Ctx, pulse_id: int) -> PulseRound | None:
    """The pulse's due round, opened; None if it was not due, another worker
    opened it, or nobody is in the audience today (the creator is told)."""
    pulse = await ctx.session.get(Pulse, pulse_id)
    if pulse is None or pulse.state != ACTIVE or pulse.next_open_at is None or pulse.next_open_at > ctx.now:
        return None
    schedule, day = Schedule.from_json(pulse.schedule), pulse.next_round_on
    if not await _claim(ctx, pulse, following(schedule, day, ctx.now)):
        return None  # another worker took it, or HR changed it meanwhile
    people = await _audience(ctx.session, pulse.audience)
    if not people:
        await _tell_creator(ctx, pulse, day)
        return None
    plans = _plan(ctx, pulse, schedule, day, people, await _reachable(ctx, pulse.audience, [p for p, _ in people]))
    reachable = [plan.moments for plan in plans if plan.moments is not None]
    moments = reachable or [plan.fallback for plan in plans]
    found = PulseRound(
        pulse_id=pulse.id, number=pulse.rounds + 1, on_date=day, questions=pulse.questions, comment=pulse.comment,
        opens_at=min(m.send_at for m in moments), closes_at=max(m.closes_at for m in moments), state=OPEN,
        audience_size=len(people), created_at=ctx.now,
    )
    ctx.session.add(found)
    await ctx.session.flush()
    connection = await ctx.session.connection()
    await connection.execute(insert(PulseParticipation), [plan.row(found.id) for plan in plans])
    await ctx.session.exec(  # type: ignore[call-overload]
        update(Pulse).where(Pulse.id == pulse.id).values(rounds=Pulse.rounds + 1)
        .execution_options(synchronize_session=False)
    )
    return found


def following(schedule: Schedule, day: date, now: datetime) -> date | None:
    """The round after `day`: the first date whose opening is still ahead. A worker
    that was down catches up with one round, not with every date it missed."""
    nxt = recurrence.next_after(schedule, day)
    while nxt is not None and timing.open_moment(nxt, schedule.at) <= now:
        nxt = recurrence.next_after(schedule, nxt)
    return nxt


async def _claim(ctx: Ctx, pulse: Pulse, nxt: date | None) -> bool:
    at = Schedule.from_json(pulse.schedule).at
    result = await ctx.session.exec(  # type: ignore[call-overload]
        update(Pulse).where(Pulse.id == pulse.id, Pulse.version == pulse.version, Pulse.state == ACTIVE)
        .values(next_round_on=nxt if nxt else pulse.next_round_on,
                next_open_at=timing.open_moment(nxt, at) if nxt else None,
                state=ACTIVE if nxt else FINISHED, version=Pulse.version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def _audience(session: AsyncSession, stored: dict[str, Any]) -> list[tuple[Person, Team | None]]:
    """Everyone in the audience now, each with their first team (by name, as
    bot.teams.service.teams_of orders them): the team whose calendar they keep."""
    people = (await session.exec(select(Person).where(audience.members_clause(stored)).order_by(Person.id))).all()
    first: dict[int, Team] = {}
    memberships = await session.exec(
        select(Membership.person_id, Team).join(Team, col(Team.id) == Membership.team_id)
        .where(col(Membership.person_id).in_(select(Person.id).where(audience.members_clause(stored))))
        .order_by(Team.name)
    )
    for person_id, team in memberships.all():
        first.setdefault(person_id, team)
    return [(person, first.get(person.id)) for person in people]


async def _reachable(ctx: Ctx, stored: dict[str, Any], people: list[Person]) -> set[int]:
    """Who of `people` (the audience) some platform Pedir runs reaches; with none
    known here, anyone with an account."""
    accounts: dict[int, list[PlatformAccount]] = {}
    rows = await ctx.session.exec(select(PlatformAccount).where(
        col(PlatformAccount.person_id).in_(select(Person.id).where(audience.members_clause(stored)))))
    for account in rows.all():
        accounts.setdefault(account.person_id, []).append(account)
    if not ctx.channels:
        return set(accounts)
    return {person.id for person in people
            if any(channel.address_person(person, accounts.get(person.id, [])) for channel in ctx.channels)}


@dataclass
class _Plan:
    person_id: int
    moments: timing.Moments | None  # None: unreachable
    fallback: timing.Moments  # their moments all the same, for a round nobody can be reached in

    def row(self, round_id: int) -> dict[str, Any]:
        if self.moments is None:
            return dict(round_id=round_id, person_id=self.person_id, state=UNREACHABLE, reason=NO_ACCOUNT,
                        send_at=None, remind_at=None, answered=False)
        return dict(round_id=round_id, person_id=self.person_id, state=PLANNED, reason=None,
                    send_at=self.moments.send_at, remind_at=self.moments.remind_at, answered=False)


def _plan(ctx: Ctx, pulse: Pulse, schedule: Schedule, day: date, people: list[tuple[Person, Team | None]],
          reachable: set[int]) -> list[_Plan]:
    """Each person's moments; computed once per calendar, however many share it."""
    cache: dict[Key, timing.Moments] = {}
    plans = []
    for person, team in people:
        teams = [team] if team is not None else []
        key = (timing.zone_of(person, teams, ctx.timezone), team.id if team is not None else None)
        if key not in cache:
            cal = timing.calendar_of(person, teams, ctx.timezone)
            cache[key] = timing.moments(cal, day, schedule.at, pulse.window_days, pulse.remind_after_days, now=ctx.now)
        plans.append(_Plan(person.id, cache[key] if person.id in reachable else None, cache[key]))
    return plans


async def _tell_creator(ctx: Ctx, pulse: Pulse, day: date) -> None:
    """Once per date: the claim moved the pulse on, so the next tick does not come back."""
    creator = await ctx.session.get(Person, pulse.created_by_id)
    locale = normalize_locale(creator.locale if creator else None, ctx.default_locale)
    text = t(locale, "pulse.setup.round_nobody", ref=display_id(pulse.id), day=format_day(day, locale))
    enqueue(ctx.session, recipient_kind=PERSON, recipient_id=pulse.created_by_id, now=ctx.now,
            message=Message(text=text))
