"""Queries about teams and who belongs to them."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.teams import routing
from storage.models import Membership, Person, Team

LEAD = "lead"
MEMBER = "member"


async def all_teams(session: AsyncSession) -> list[Team]:
    return list((await session.exec(select(Team).order_by(Team.name))).all())


async def get(session: AsyncSession, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise LookupError(f"team {team_id} does not exist")
    return team


async def role_of(session: AsyncSession, person_id: int, team_id: int) -> str | None:
    result = await session.exec(
        select(Membership.role).where(Membership.person_id == person_id, Membership.team_id == team_id)
    )
    return result.first()


async def is_member(session: AsyncSession, person_id: int, team_id: int) -> bool:
    return await role_of(session, person_id, team_id) is not None


async def members(session: AsyncSession, team_id: int) -> list[tuple[Person, str]]:
    result = await session.exec(
        select(Person, Membership.role)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.team_id == team_id)
        .order_by(Membership.role.desc(), Person.name)  # leads first
    )
    return [(person, role) for person, role in result.all()]


async def leads(session: AsyncSession, team_id: int) -> list[Person]:
    return [person for person, role in await members(session, team_id) if role == LEAD]


async def teams_of(session: AsyncSession, person_id: int) -> list[Team]:
    result = await session.exec(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.person_id == person_id)
        .order_by(Team.name)
    )
    return list(result.all())


async def find(session: AsyncSession, token: str) -> Team:
    """The team a user named, or a UserError with the closest names."""
    everyone = await all_teams(session)
    match = routing.resolve(token, everyone)
    if match.team:
        return match.team
    if match.suggestions:
        raise UserError("reply.did_you_mean", team=token, choices=", ".join(f"@{s.slug}" for s in match.suggestions))
    # No buttons go with this error, so the list must be in the text itself.
    raise UserError("reply.unknown_team_list", team=token, choices=", ".join(f"@{s.slug}" for s in everyone))
