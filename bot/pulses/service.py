"""Queries about pulses and their rounds; every function takes the session."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.pulses.states import display_id
from storage.models import Person, Pulse, PulseRound


async def require(session: AsyncSession, pulse_id: int) -> Pulse:
    pulse = await session.get(Pulse, pulse_id)
    if pulse is None:
        raise UserError("pulse.unknown", value=display_id(pulse_id))
    return pulse


async def require_round(session: AsyncSession, round_id: int) -> PulseRound:
    found = await session.get(PulseRound, round_id)
    if found is None:
        raise UserError("pulse.unknown", value=str(round_id))
    return found


async def rounds(session: AsyncSession, pulse_id: int, *, limit: int | None = None) -> list[PulseRound]:
    """The pulse's rounds, latest first."""
    stmt = select(PulseRound).where(PulseRound.pulse_id == pulse_id).order_by(col(PulseRound.number).desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.exec(stmt)).all())


async def round_number(session: AsyncSession, pulse_id: int, number: int) -> PulseRound | None:
    return (await session.exec(
        select(PulseRound).where(PulseRound.pulse_id == pulse_id, PulseRound.number == number)
    )).first()


async def people_by_id(session: AsyncSession, ids: list[int]) -> dict[int, Person]:
    """A chunk's recipients in one query, not one each."""
    rows = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {person.id: person for person in rows.all()}
