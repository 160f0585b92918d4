"""Who sees what on the dashboard: the chat views' rule, applied to pages.

- a member sees their teams: figures, queue, card (read only), trends;
- a lead sees their teams in full: the same, plus the card editor and the
  results of the pulses about the team (as /pulso resultados allows them);
- HR sees every team's figures and every pulse.

Request lists stay under the one request rule (bot.requests.visibility):
HR sees the count of a team's queue, not the text of requests it may not read.
Pulse results stay under bot.pulses.results' thresholds for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.teams import service as teams
from storage.models import Membership, Person, Team


@dataclass(frozen=True)
class Viewer:
    person: Person
    roles: dict[int, str] = field(default_factory=dict)  # team id -> member | lead

    @property
    def hr(self) -> bool:
        return bool(self.person.hr)

    def sees_team(self, team_id: int) -> bool:
        return self.hr or team_id in self.roles

    def leads(self, team_id: int) -> bool:
        return self.roles.get(team_id) == teams.LEAD

    def reads_pulses(self) -> bool:
        return self.hr or teams.LEAD in self.roles.values()


async def viewer(session: AsyncSession, person: Person) -> Viewer:
    rows = (await session.exec(select(Membership.team_id, Membership.role)
                               .where(Membership.person_id == person.id))).all()
    return Viewer(person, {team_id: role for team_id, role in rows})


async def visible_teams(session: AsyncSession, who: Viewer) -> list[Team]:
    query = select(Team).order_by(Team.name)
    if not who.hr:
        query = query.where(col(Team.id).in_(list(who.roles)))
    return list((await session.exec(query)).all())
