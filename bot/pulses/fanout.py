"""Sending a round: each person's question goes to the outbox at their own
moment (bot.pulses.timing set it), in chunks, claimed so that of several
workers exactly one queues each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.scheduling import chunks
from bot.delivery.outbox import PERSON, enqueue
from bot.pulses import answering, progress
from bot.pulses.messaging import Asked, Reader, question_message
from bot.pulses.states import PLANNED, QUEUED
from storage.models import Person, PulseParticipation, PulseRound

CHUNK = 500  # messages queued per transaction
SCAN = 5000  # due rows looked at per tick: the rest wait for the next one


async def due(session: AsyncSession, now: datetime) -> list[tuple[int, ...]]:
    """Chunks of participation ids whose moment has come: a seek on (state, send_at)."""
    ids = list((await session.exec(
        select(PulseParticipation.id)
        .where(PulseParticipation.state == PLANNED, col(PulseParticipation.send_at) <= now)
        .order_by(col(PulseParticipation.send_at)).limit(SCAN)
    )).all())
    return chunks(ids, CHUNK)


async def next_at(session: AsyncSession) -> datetime | None:
    return (await session.exec(
        select(PulseParticipation.send_at).where(PulseParticipation.state == PLANNED)
        .order_by(col(PulseParticipation.send_at)).limit(1)
    )).first()


async def send(ctx: Ctx, ids: Sequence[int]) -> None:
    claimed = await claim(ctx.session, ids, PLANNED, QUEUED)
    if not claimed:
        return
    people = await _people(ctx.session, [person_id for _, _, person_id in claimed])
    rounds: dict[int, Asked] = {}
    queued = []
    for participation_id, round_id, person_id in claimed:
        if round_id not in rounds:
            rounds[round_id] = await answering.asked(ctx.session, await ctx.session.get(PulseRound, round_id))
        person = people[person_id]
        reader = Reader(person.locale or ctx.default_locale, person.timezone or ctx.timezone)
        row = enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person_id, now=ctx.now,
                      message=question_message(rounds[round_id], reader))
        queued.append((participation_id, row))
    await ctx.session.flush()  # the outbox rows get their ids
    # Bulk UPDATE by primary key: one statement for the whole chunk.
    await ctx.session.exec(update(PulseParticipation), params=[{"id": pid, "outbox_id": row.id} for pid, row in queued])  # type: ignore[call-overload]
    for asked in rounds.values():
        await progress.report(ctx, asked.round, asked.pulse)


async def claim(session: AsyncSession, ids: Sequence[int], from_state: str, to_state: str) -> list[tuple[int, int, int]]:
    """(id, round id, person id) of the rows this worker moved from one state to the next."""
    result = await session.exec(  # type: ignore[call-overload]
        update(PulseParticipation)
        # `state || ''`: SQLite would otherwise walk the state index instead of looking up these ids.
        .where(col(PulseParticipation.id).in_(list(ids)), (col(PulseParticipation.state) + "") == from_state)
        .values(state=to_state)
        .returning(PulseParticipation.id, PulseParticipation.round_id, PulseParticipation.person_id)
        .execution_options(synchronize_session=False)
    )
    return sorted(tuple(row) for row in result.all())


async def _people(session: AsyncSession, ids: list[int]) -> dict[int, Person]:
    rows = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {person.id: person for person in rows.all()}
