"""Closing a round: the last ballots are mixed in, the round is closed, and
the creator and the subject team's leads hear the results (or that too few
answered). Results never show before this."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.delivery.outbox import PERSON, enqueue
from bot.pulses import ballots, service, tally
from bot.pulses.commands.respond import respond_action
from bot.pulses.commands.results import results_message
from bot.pulses.states import CLOSED, OPEN
from bot.teams import service as teams
from storage.models import Person, PulseRound

# A click checked against closes_at a moment before it may still be committing:
# the round is closed, and its ballots counted, only once that moment has passed.
GRACE = timedelta(minutes=1)


async def due(session: AsyncSession, now: datetime) -> list[int]:
    return list((await session.exec(
        select(PulseRound.id).where(PulseRound.state == OPEN, col(PulseRound.closes_at) <= now - GRACE)
        .order_by(col(PulseRound.closes_at))
    )).all())


async def next_at(session: AsyncSession) -> datetime | None:
    closes_at = (await session.exec(
        select(PulseRound.closes_at).where(PulseRound.state == OPEN).order_by(col(PulseRound.closes_at)).limit(1)
    )).first()
    return closes_at + GRACE if closes_at else None


async def close(ctx: Ctx, round_id: int) -> None:
    result = await ctx.session.exec(  # type: ignore[call-overload]
        update(PulseRound).where(PulseRound.id == round_id, PulseRound.state == OPEN)
        .values(state=CLOSED, closed_at=ctx.now).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return  # another worker closed it
    await ballots.mix(ctx.session, round_id, everything=True)
    await tally.record(ctx.session, round_id)  # its answers are final: counted once, read ever after
    rnd = await service.require_round(ctx.session, round_id)
    await ctx.session.refresh(rnd)
    pulse = await service.require(ctx.session, rnd.pulse_id)
    leads = {lead.id for lead in await teams.leads(ctx.session, pulse.subject_team_id)} \
        if pulse.subject_team_id is not None else set()
    for person_id in sorted(leads | {pulse.created_by_id}):
        person = await ctx.session.get(Person, person_id)
        if person is None:
            continue
        locale = person.locale or ctx.default_locale
        message = await results_message(ctx.session, pulse, rnd, locale, ctx.now)
        if person_id in leads:  # the loop closes where the results are read
            message.actions.append(respond_action(locale, pulse.id))
        enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person_id, now=ctx.now, message=message)


async def mix_due(session: AsyncSession, _now: datetime) -> list[int]:
    return await ballots.staged_rounds(session)


async def mix(ctx: Ctx, round_id: int) -> None:
    """Mixes a round's waiting ballots once there are enough of them (all, if it has closed)."""
    rnd = await service.require_round(ctx.session, round_id)
    await ballots.mix(ctx.session, round_id, everything=rnd.state == CLOSED)
