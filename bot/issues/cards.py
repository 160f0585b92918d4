"""An issue's card as each follower sees it, and where it goes.

Apart from flows so that the issue's nudges (scheduled.py), which flows
plans, can re-render the cards with their trail without importing flows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Ctx
from bot.delivery.outbox import PERSON, TEAM, enqueue
from bot.issues import messaging, service
from bot.issues.messaging import IssueView
from bot.issues.states import NUDGE_SUBJECT
from bot.nudges import trail
from bot.people import service as people
from bot.teams import service as teams
from storage.models import Customer, Issue


@dataclass
class Follower:
    """Where an issue's news goes: a person's DM or a team's channel."""

    kind: str  # PERSON | TEAM
    id: int
    locale: str
    timezone: str
    owner_team: bool = False


async def view_of(ctx: Ctx, issue: Issue) -> IssueView:
    customer = await ctx.session.get(Customer, issue.customer_id)
    assert customer is not None  # a foreign key
    team = await teams.get(ctx.session, issue.owner_team_id)
    owner = await people.get(ctx.session, issue.owner_id) if issue.owner_id else None
    manager = await people.get(ctx.session, customer.account_manager_id) if customer.account_manager_id else None
    latest = await service.latest_status(ctx.session, issue.id)
    author = await people.get(ctx.session, latest.author_id) if latest else None
    return IssueView(issue, customer, team, owner, manager, latest, author)


async def card_view(ctx: Ctx, issue: Issue) -> IssueView:
    """The view a card is drawn from: with what the bot already did about the issue
    (lists need no trail: only cards read it)."""
    view = await view_of(ctx, issue)
    view.trail = await trail.entries(ctx, NUDGE_SUBJECT, issue.id)
    return view


async def followers(ctx: Ctx, issue: Issue) -> list[Follower]:
    out = [
        Follower(PERSON, person.id, person.locale or ctx.default_locale, person.timezone or ctx.timezone)
        for person in await service.follower_people(ctx.session, issue.id)
    ]
    out += [
        Follower(TEAM, team.id, ctx.team_locale(team), team.timezone, owner_team=team.id == issue.owner_team_id)
        for team in await service.follower_teams(ctx.session, issue.id)
    ]
    return out


def send_card(ctx: Ctx, view: IssueView, follower: Follower) -> None:
    enqueue(
        ctx.session, recipient_kind=follower.kind, recipient_id=follower.id, now=ctx.now,
        message=messaging.issue_card(view, follower.locale, follower.timezone, ctx.now, owner_team=follower.owner_team),
        card_key=messaging.card_key(view.issue.id),
    )


async def refresh(ctx: Ctx, issue: Issue) -> None:
    """Every follower's card again (each edits the one they have)."""
    view = await card_view(ctx, issue)
    for follower in await followers(ctx, issue):
        send_card(ctx, view, follower)
