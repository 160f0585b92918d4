"""When a recipient may be reached: nothing reaches a person outside their
working hours (their time zone, their team's days and holidays), and a team's
channel follows the team's hours."""

from __future__ import annotations

from bot.context import Ctx
from bot.delivery.outbox import TEAM
from bot.nudges.kinds import Reader
from bot.sla.business_hours import BusinessHours
from bot.sla.calendar import person_hours, team_hours
from bot.teams import service as teams
from storage.models import Person, Team


async def hours_of(ctx: Ctx, recipient_kind: str, recipient_id: int) -> BusinessHours:
    if recipient_kind == TEAM:
        return team_hours(await ctx.session.get(Team, recipient_id))
    person = await ctx.session.get(Person, recipient_id)
    return person_hours(person, await teams.teams_of(ctx.session, recipient_id), ctx.timezone)


async def reader(ctx: Ctx, recipient_kind: str, recipient_id: int) -> Reader:
    if recipient_kind == TEAM:
        team = await ctx.session.get(Team, recipient_id)
        return Reader(ctx.team_locale(team), team.timezone, team.name)
    person = await ctx.session.get(Person, recipient_id)
    return Reader(person.locale or ctx.default_locale, person.timezone or ctx.timezone, person.name)
