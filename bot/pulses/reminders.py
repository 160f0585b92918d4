"""The one reminder: to those who were sent the question and have not
answered, at the moment the creator chose, saying how answers are kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.scheduling import chunks
from bot.delivery.outbox import PERSON, enqueue
from bot.pulses import answering, service
from bot.pulses.messaging import Asked, Reader, question_message
from bot.pulses.states import SENT
from storage.models import PulseParticipation, PulseRound

CHUNK = 500
SCAN = 5000


async def due(session: AsyncSession, now: datetime) -> list[tuple[int, ...]]:
    """A seek on remind_at, which is NULL once someone answered or was reminded."""
    ids = list((await session.exec(
        select(PulseParticipation.id)
        .where(col(PulseParticipation.remind_at) <= now, PulseParticipation.state == SENT,
               PulseParticipation.answered.is_(False))  # type: ignore[attr-defined]
        .order_by(col(PulseParticipation.remind_at)).limit(SCAN)
    )).all())
    return chunks(ids, CHUNK)


async def next_at(session: AsyncSession) -> datetime | None:
    return (await session.exec(
        select(PulseParticipation.remind_at).where(col(PulseParticipation.remind_at).is_not(None))
        .order_by(col(PulseParticipation.remind_at)).limit(1)
    )).first()


async def remind(ctx: Ctx, ids: Sequence[int]) -> None:
    result = await ctx.session.exec(  # type: ignore[call-overload]
        update(PulseParticipation)
        .where(col(PulseParticipation.id).in_(list(ids)), col(PulseParticipation.remind_at).is_not(None),
               PulseParticipation.answered.is_(False))  # type: ignore[attr-defined]
        .values(remind_at=None)
        .returning(PulseParticipation.round_id, PulseParticipation.person_id)
        .execution_options(synchronize_session=False)
    )
    claimed = sorted(tuple(row) for row in result.all())
    rounds: dict[int, Asked] = {}
    people = await service.people_by_id(ctx.session, [person_id for _, person_id in claimed])
    for round_id, person_id in claimed:
        rnd = await ctx.session.get(PulseRound, round_id)
        if rnd is None or not answering.is_open(rnd, ctx):
            continue
        if round_id not in rounds:
            rounds[round_id] = await answering.asked(ctx.session, rnd)
        person = people[person_id]
        reader = Reader(person.locale or ctx.default_locale, person.timezone or ctx.timezone)
        enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person_id, now=ctx.now,
                message=question_message(rounds[round_id], reader, reminder=True))
