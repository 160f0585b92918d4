"""Sending a round: each person's question goes to the outbox at their own
moment (bot.pulses.timing set it), in chunks, claimed so that of several
workers exactly one queues each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.scheduling import chunks
from bot.delivery.outbox import PERSON, enqueue_many, row_values
from bot.pulses import answering, progress, service
from bot.pulses.messaging import Asked, Reader, question_message
from bot.pulses.states import PLANNED, QUEUED
from storage.models import Outbox, PulseParticipation, PulseRound

CHUNK = 500  # messages queued per transaction
SCAN = 5000  # due rows queued per tick: the rest wait for the next one
# A round's questions in the outbox at once (the job ticks every 10 s: up to
# 200 a second, twice Slack's workspace pace), so messages queued after them,
# such as the creator's progress, wait seconds rather than the whole round.
QUEUED_AHEAD = 2000


async def due(session: AsyncSession, now: datetime) -> list[tuple[int, ...]]:
    """Chunks of participation ids whose moment has come, at most QUEUED_AHEAD
    per round in the outbox at once: the rest wait for a later tick, so the
    creator's progress message is never stuck behind a whole round."""
    rounds = (await session.exec(
        select(PulseParticipation.round_id)
        .where(PulseParticipation.state == PLANNED, col(PulseParticipation.send_at) <= now).distinct()
    )).all()
    ids: list[int] = []
    for round_id in sorted(rounds):
        # Still in the outbox: those delivered count as gone even before pulses.progress records it.
        queued = (await session.exec(
            select(func.count()).select_from(PulseParticipation)
            .join(Outbox, col(Outbox.id) == PulseParticipation.outbox_id)
            .where(PulseParticipation.round_id == round_id, PulseParticipation.state == QUEUED,
                   col(Outbox.status).in_(("pending", "sending"))))).one()
        room = min(QUEUED_AHEAD - queued, SCAN - len(ids))
        if room > 0:
            ids += (await session.exec(
                select(PulseParticipation.id)
                .where(PulseParticipation.round_id == round_id, PulseParticipation.state == PLANNED,
                       col(PulseParticipation.send_at) <= now)
                .order_by(col(PulseParticipation.send_at)).limit(room)
            )).all()
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
    people = await service.people_by_id(ctx.session, [person_id for _, _, person_id in claimed])
    rounds: dict[int, Asked] = {}
    # The question reads the same to everyone with the same language and time
    # zone (the receipt comes with the answer): rendered once for each.
    payloads: dict[tuple[int, Reader], dict] = {}
    rows = []
    for _, round_id, person_id in claimed:
        if round_id not in rounds:
            rounds[round_id] = await answering.asked(ctx.session, await ctx.session.get(PulseRound, round_id))
        person = people[person_id]
        reader = Reader(person.locale or ctx.default_locale, person.timezone or ctx.timezone)
        if (round_id, reader) not in payloads:
            payloads[round_id, reader] = question_message(rounds[round_id], reader).model_dump(mode="json")
        rows.append(row_values(PERSON, person_id, payloads[round_id, reader], ctx.now))
    outbox_ids = await enqueue_many(ctx.session, rows)
    # Bulk UPDATE by primary key: one statement for the whole chunk.
    await ctx.session.exec(update(PulseParticipation), params=[  # type: ignore[call-overload]
        {"id": participation_id, "outbox_id": outbox_id} for (participation_id, _, _), outbox_id in zip(claimed, outbox_ids)])
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
