"""Opening an issue, and which team owns it: the one named (@soporte), else the
creator's own team when what they wrote points nowhere else, else Pedir asks,
suggesting teams from their routing keywords as /pedir does.

An SEV1 about e-invoicing typed by someone in RRHH is not RRHH's to own: its
words point to Facturación, so the creator is asked, with a button per team.
"""

from __future__ import annotations

import uuid

from bot.context import Caller, Ctx
from bot.customers import service as customers
from bot.errors import UserError
from bot.i18n import format_when, t
from bot.interaction import Interaction, make
from bot.issues import flows, service
from bot.issues.commands import parser as p
from bot.issues.states import DEFAULT_SEVERITY, DRAFT, display_id
from bot.messages import Action, Message, Reply
from bot.teams import routing
from bot.teams import service as teams
from storage.models import Customer, Draft, Team

PICK = "issue.pick_team"
DRAFT_KIND = "issue"  # Draft.payload["kind"]: a new issue waiting for its owner team


async def open_issue(ctx: Ctx, caller: Caller, cmd: p.IssueNew) -> Reply:
    customer = await customers.require(ctx.session, cmd.customer)  # a typo is answered before any question
    if cmd.team:
        return await create(ctx, caller, customer, await teams.find(ctx.session, cmd.team), cmd.title, cmd.severity)
    all_teams = await teams.all_teams(ctx.session)
    suggested = routing.suggest_by_keywords(cmd.title, all_teams)
    own = await teams.teams_of(ctx.session, caller.person.id)
    if len(own) == 1 and (not suggested or own[0] in suggested):
        return await create(ctx, caller, customer, own[0], cmd.title, cmd.severity)
    choices = suggested + [team for team in own if team not in suggested]
    key = "issue.suggest_teams" if suggested else "issue.choose_team"
    draft = Draft(id=str(uuid.uuid4()), person_id=caller.person.id, created_at=ctx.now, payload={
        "kind": DRAFT_KIND, "customer": customer.slug, "severity": cmd.severity, "title": cmd.title})
    ctx.session.add(draft)
    return Reply(message=Message(text=t(caller.locale, key), actions=[
        Action(id=PICK, label=f"@{team.slug} · {team.name}", value=make(PICK, DRAFT, draft.id, team.slug))
        for team in choices or all_teams
    ]))


async def pick_team(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """The owner team chosen for an issue that named none: the draft becomes the issue."""
    draft = await ctx.session.get(Draft, i.id)
    if draft is None or draft.person_id != caller.person.id or draft.payload.get("kind") != DRAFT_KIND:
        raise UserError("reply.draft_gone")
    data = draft.payload
    team = await teams.find(ctx.session, i.arg or "")
    customer = await customers.require(ctx.session, data["customer"])
    await ctx.session.delete(draft)
    return await create(ctx, caller, customer, team, data["title"], data.get("severity"))


async def create(ctx: Ctx, caller: Caller, customer: Customer, team: Team, title: str, severity: str | None) -> Reply:
    issue = await flows.open_issue(ctx, caller.person, customer, team, title, severity)
    loc = caller.locale
    due = format_when(issue.next_update_due, loc, caller.timezone, home_tz=team.timezone) \
        if issue.next_update_due else "—"
    names = await service.follower_names(ctx.session, issue.id)
    text = t(loc, "reply.issue_opened", ref=display_id(issue.id), customer=customer.name,
             severity=issue.severity.upper(), team=team.name, followers=", ".join(names), when=due)
    if severity is None:
        text += "\n" + t(loc, "reply.issue_default_severity", severity=DEFAULT_SEVERITY.upper(),
                         ref=display_id(issue.id))
    return Reply.text(text)
