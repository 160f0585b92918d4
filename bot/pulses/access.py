"""Who may do what with pulses, checked here and nowhere else.

HR (the org file's `hr = true`) creates and manages pulses and reads every
result; the subject team's leads read the results about their team and
answer them. The anonymity threshold applies to everyone, HR included
(bot.pulses.results).
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.teams import service as teams
from storage.models import Person, Pulse


def require_hr(person: Person) -> None:
    if not person.hr:
        raise UserError("pulse.hr_only")


async def leads_subject(session: AsyncSession, person: Person, pulse: Pulse) -> bool:
    """Whether the person leads the team the pulse asks about."""
    if pulse.subject_team_id is None or person.id is None:
        return False
    return await teams.role_of(session, person.id, pulse.subject_team_id) == "lead"


async def may_read_results(session: AsyncSession, person: Person, pulse: Pulse) -> bool:
    return person.hr or await leads_subject(session, person, pulse)


async def require_results_reader(session: AsyncSession, person: Person, pulse: Pulse) -> None:
    if not await may_read_results(session, person, pulse):
        raise UserError("pulse.results_not_yours")


async def require_subject_lead(session: AsyncSession, person: Person, pulse: Pulse) -> None:
    if not await leads_subject(session, person, pulse):
        raise UserError("pulse.respond_not_yours")
