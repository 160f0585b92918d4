"""Who a pulse asks: the names HR typed, found in the database, and the people
they stand for now.

A pulse stores teams and people by id ({"everyone": bool, "teams": [ids],
"people": [ids]}), not the people of its teams: each round asks whoever is in
those teams on its day.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.people import service as people
from bot.pulses.spec import Audience
from bot.teams import routing
from bot.teams import service as teams
from storage.models import Membership, Person, Team


async def resolve(session: AsyncSession, audience: Audience) -> dict[str, Any]:
    """The stored form of an audience; a UserError naming the first unknown name."""
    all_teams = await teams.all_teams(session)
    team_ids: list[int] = []
    person_ids: list[int] = []
    for token in audience.teams:
        team_ids.append((await teams.find(session, token)).id)
    for email in audience.emails:
        person = await people.by_email(session, email)
        if person is None:
            raise UserError("pulse.setup.audience_unknown_person", value=email)
        person_ids.append(person.id)
    for name in audience.names:
        match = routing.resolve(name, all_teams)
        if match.team is not None:
            team_ids.append(match.team.id)
        elif (person := await people.by_handle(session, name)) is not None:
            person_ids.append(person.id)
        elif match.suggestions:
            raise UserError("pulse.setup.audience_did_you_mean", value=name,
                            choices=", ".join(f"@{team.slug}" for team in match.suggestions))
        else:
            raise UserError("pulse.setup.audience_unknown", value=name)
    return {"everyone": audience.everyone, "teams": sorted(set(team_ids)), "people": sorted(set(person_ids))}


def members_clause(stored: dict[str, Any]) -> ColumnElement[bool]:
    """Person.id is in the audience: a condition, so 10,000 people are never an id list."""
    if stored.get("everyone"):
        return col(Person.id).is_not(None)
    in_teams = select(Membership.person_id).where(col(Membership.team_id).in_(stored.get("teams") or []))
    return or_(col(Person.id).in_(stored.get("people") or []), col(Person.id).in_(in_teams))


async def size(session: AsyncSession, stored: dict[str, Any]) -> int:
    return (await session.exec(select(func.count()).select_from(Person).where(members_clause(stored)))).one()


async def summary(session: AsyncSession, stored: dict[str, Any]) -> tuple[bool, list[str], list[str]]:
    """(everyone, team names, people's names), for reading back."""
    team_names = [team.name for team in (await session.exec(
        select(Team).where(col(Team.id).in_(stored.get("teams") or [])).order_by(Team.name))).all()]
    person_names = [person.name for person in (await session.exec(
        select(Person).where(col(Person.id).in_(stored.get("people") or [])).order_by(Person.name))).all()]
    return bool(stored.get("everyone")), team_names, person_names
