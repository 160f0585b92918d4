"""Answers to /incidencia, /incidencias and /estado, inside the caller's transaction."""

from __future__ import annotations

from bot.commands.replies import listing
from bot.context import Caller, Ctx
from bot.customers import service as customers
from bot.errors import UserError
from bot.i18n import format_when, t
from bot.interaction import make
from bot.issues import flows, messaging, service
from bot.issues.commands import opening
from bot.issues.commands import parser as p
from bot.issues.states import CLOSED, ISSUE, display_id
from bot.messages import Action, Reply
from bot.people import service as people
from bot.teams import routing
from bot.teams import service as teams
from storage.models import Customer, Person, Team

HISTORY_LENGTH = 5


async def handle(ctx: Ctx, caller: Caller, cmd: object) -> Reply:
    me, loc = caller.person, caller.locale
    match cmd:
        case p.IssueHelp():
            return Reply.text(t(loc, "help.issues"))
        case p.IssueNew():
            return await opening.open_issue(ctx, caller, cmd)
        case p.IssueView(issue_id=iid):
            return await show(ctx, caller, iid)
        case p.StatusPost(issue_id=iid, text=text):
            return _posted(ctx, caller, "reply.status_posted", await flows.post_status(ctx, me, iid, text))
        case p.IssueMonitor(issue_id=iid, note=note):
            return _posted(ctx, caller, "reply.issue_monitoring", await flows.monitor(ctx, me, iid, note))
        case p.IssueClose(issue_id=iid, note=note):
            return _posted(ctx, caller, "reply.issue_closed", await flows.close(ctx, me, iid, note))
        case p.IssueReopen(issue_id=iid):
            return _posted(ctx, caller, "reply.issue_reopened", await flows.reopen(ctx, me, iid))
        case p.IssueSeverity(issue_id=iid, severity=severity):
            return _posted(ctx, caller, "reply.issue_severity", await flows.set_severity(ctx, me, iid, severity))
        case p.IssueReassign(issue_id=iid, team=token, reason=reason):
            await service.get(ctx.session, iid)  # an unknown issue first, then the team
            team = await teams.find(ctx.session, token)
            posted = await flows.reassign(ctx, me, iid, team, reason)
            key = "reply.issue_reassigned_one" if posted.reached == 1 else "reply.issue_reassigned"
            return Reply.text(t(loc, key, ref=display_id(iid), team=team.name, count=posted.reached))
        case p.IssueFollow(issue_id=iid):
            key = "reply.following" if await flows.follow(ctx, me, iid) else "reply.already_following"
            return Reply.text(t(loc, key, ref=display_id(iid)))
        case p.IssueUnfollow(issue_id=iid):
            key = "reply.unfollowed" if await flows.unfollow(ctx, me, iid) else "reply.not_following"
            return Reply.text(t(loc, key, ref=display_id(iid)))
        case p.IssueAdd(issue_id=iid, targets=targets):
            await service.get(ctx.session, iid)  # an unknown issue first, then the names
            persons, groups = await stakeholders(ctx, targets)
            added = await flows.add_stakeholders(ctx, me, iid, persons, groups)
            key = "reply.stakeholders_added" if added else "reply.stakeholders_already"
            return Reply.text(t(loc, key, ref=display_id(iid), names=", ".join(added)))
        case p.IssueRemove(issue_id=iid, targets=targets):
            await service.get(ctx.session, iid)
            persons, groups = await stakeholders(ctx, targets)
            removed = await flows.remove_stakeholders(ctx, me, iid, persons, groups)
            key = "reply.stakeholders_removed" if removed else "reply.stakeholders_none_removed"
            return Reply.text(t(loc, key, ref=display_id(iid), names=", ".join(removed)))
        case p.IssueList(customer=token):
            return await list_issues(ctx, caller, token)
    raise TypeError(f"not an issue command: {cmd!r}")


def _posted(ctx: Ctx, caller: Caller, key: str, posted: flows.Posted) -> Reply:
    issue = posted.update.issue_id
    if posted.reached == 1:
        key += "_one"  # "1 chat", not "1 chats"
    text = t(caller.locale, key, ref=display_id(issue), count=posted.reached)
    return Reply.text(text)


async def show(ctx: Ctx, caller: Caller, issue_id: int) -> Reply:
    """Anyone may look: issues are how the company keeps each other informed."""
    loc, tz = caller.locale, caller.timezone
    issue = await service.get(ctx.session, issue_id)
    view = await flows.view_of(ctx, issue)
    card = messaging.issue_card(view, loc, tz, ctx.now)
    names = await service.follower_names(ctx.session, issue.id)
    lines = []
    for update in await service.history(ctx.session, issue.id, HISTORY_LENGTH):
        author = await people.get(ctx.session, update.author_id)
        acked = len(await service.acknowledged_by(ctx.session, update.id))
        lines.append(t(loc, "reply.issue_history_line", when=format_when(update.created_at, loc, tz), who=author.name,
                       kind=t(loc, f"status_kind_short.{update.kind}"), text=update.text or "—", count=acked))
    card.text += f"\n\n*{t(loc, 'reply.issue_followers')}:* {', '.join(names) or '—'}"
    if lines:
        card.text += f"\n\n*{t(loc, 'reply.issue_history')}*\n" + "\n".join(lines)
    if issue.state != CLOSED and not await service.follows(ctx.session, caller.person.id, issue.id):
        card.actions = [Action(id="issue.follow", label=t(loc, "action.follow"),
                               value=make("issue.follow", ISSUE, issue.id))]
    return Reply(message=card)


async def stakeholders(ctx: Ctx, targets: tuple[str, ...]) -> tuple[list[Person], list[Team]]:
    """'@facturacion' is a team, 'ana.garcia' or 'ana@x.com' a person: teams are tried first."""
    all_teams = await teams.all_teams(ctx.session)
    persons: list[Person] = []
    groups: list[Team] = []
    for token in targets:
        team = None if "@" in token else routing.resolve(token, all_teams).team
        if team is not None:
            groups.append(team)
            continue
        person = await people.by_handle(ctx.session, token)
        if person is None:
            raise unknown_stakeholder(token, all_teams)
        persons.append(person)
    return persons, groups


def unknown_stakeholder(token: str, all_teams: list[Team]) -> UserError:
    """Neither a team nor a person: the teams it may be, or all of them."""
    if "@" in token or "." in token:  # an email or a handle (ana.garcia): a person was meant
        return UserError("input.unknown_stakeholder", value=token)
    if near := routing.resolve(token, all_teams).suggestions:
        return UserError("input.unknown_stakeholder_team", value=f"@{token}",
                         choices=", ".join(f"@{team.slug}" for team in near))
    return UserError("input.unknown_stakeholder_any", value=f"@{token}",
                     teams=", ".join(f"@{team.slug}" for team in all_teams))


async def list_issues(ctx: Ctx, caller: Caller, token: str | None) -> Reply:
    loc, tz = caller.locale, caller.timezone
    customer: Customer | None = await customers.require(ctx.session, token) if token else None
    found = await service.active(ctx.session, customer.id if customer else None)
    if not found:
        key = "reply.issues.empty_customer" if customer else "reply.issues.empty"
        return Reply.text(t(loc, key, customer=customer.name if customer else ""))
    lines = [messaging.summary_line(await flows.view_of(ctx, issue), loc, tz, ctx.now) for issue in found]
    title = (t(loc, "reply.issues.title_customer", customer=customer.name, count=len(found)) if customer
             else t(loc, "reply.issues.title", count=len(found)))
    return listing(title, lines)
