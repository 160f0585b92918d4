"""The pulses the dashboard shows, each through bot.pulses.results: the same
threshold, suppression and closed-window rules as /pulso resultados, never
bypassed. HR reads every pulse; a lead the pulses about a team they lead
(bot.pulses.access); the team page shows everyone its team's answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.pulses import access, results
from bot.pulses.results import RoundResults
from storage.models import Person, Pulse, PulseRound, Team


@dataclass(frozen=True)
class PulseCard:
    pulse: Pulse
    subject: Team | None
    latest: RoundResults | None  # the newest round (open ones say only how many answered)
    shown: RoundResults | None  # the newest closed round, under the rules


async def readable(session: AsyncSession, person: Person, team_id: int | None = None) -> list[PulseCard]:
    """The pulses `person` may read the results of (about `team_id`, if given), newest first."""
    query = select(Pulse).order_by(col(Pulse.id).desc())
    if team_id is not None:
        query = query.where(Pulse.subject_team_id == team_id)
    cards = []
    for pulse in (await session.exec(query)).all():
        if not await access.may_read_results(session, person, pulse):
            continue
        cards.append(await _card(session, pulse))
    return cards


async def _card(session: AsyncSession, pulse: Pulse) -> PulseCard:
    subject = await session.get(Team, pulse.subject_team_id) if pulse.subject_team_id else None
    newest = await results.latest(session, pulse.id)
    closed = await results.latest_closed(session, pulse.id)
    latest = await results.round_results(session, pulse, newest) if newest else None
    shown = latest if newest and closed and newest.id == closed.id else (
        await results.round_results(session, pulse, closed) if closed else None)
    return PulseCard(pulse, subject, latest, shown)


async def team_answers(session: AsyncSession, team_id: int) -> list[tuple[Pulse, PulseRound]]:
    """The team's answers to the pulses about it, newest first: told to the audience already."""
    rows = (await session.exec(
        select(Pulse, PulseRound).join(PulseRound, col(PulseRound.pulse_id) == Pulse.id)
        .where(Pulse.subject_team_id == team_id, col(PulseRound.team_answer).is_not(None))
        .order_by(col(PulseRound.team_answer_at).desc()).limit(10)
    )).all()
    return [(pulse, round_) for pulse, round_ in rows]
