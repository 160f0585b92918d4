"""Answers to /incidencia, /incidencias, /estado and /cliente, inside the caller's transaction."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from bot.commands import issue_parser as p
from bot.commands import replies as r
from bot.commands.handlers import Caller, find_team
from bot.customers import risk
from bot.customers import service as customers
from bot.customers import view as customer_view
from bot.errors import UserError
from bot.i18n import format_when, t
from bot.issues import flows, messaging, service
from bot.issues.states import CLOSED, DEFAULT_SEVERITY, display_id
from bot.messages import Action, Message, Reply
from bot.people import service as people
from bot.requests.flows import Ctx
from bot.teams import routing
from bot.teams import service as teams
from storage.models import Customer, Person, Team

HISTORY_LENGTH = 5
ISSUE_COMMANDS = (
    p.IssueHelp, p.IssueNew, p.IssueView, p.IssueClose, p.IssueFollow, p.IssueUnfollow, p.IssueAdd,
    p.IssueRemove, p.IssueMonitor, p.IssueReopen, p.IssueSeverity, p.IssueList, p.StatusPost,
    p.CustomerView, p.CustomerList, p.CustomerNew,
)
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def handles(cmd: object) -> bool:
    return isinstance(cmd, ISSUE_COMMANDS)


async def handle(ctx: Ctx, caller: Caller, cmd: object) -> Reply:
    me, loc = caller.person, caller.locale
    match cmd:
        case p.IssueHelp():
            return Reply.text(t(loc, "help.issues"))
        case p.IssueNew():
            return await open_issue(ctx, caller, cmd)
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
            return await listing(ctx, caller, token)
        case p.CustomerView(customer=token):
            customer = await customers.require(ctx.session, token)
            return Reply(message=await customer_view.render(ctx, customer, loc, caller.timezone))
        case p.CustomerList():
            return await list_customers(ctx, caller)
        case p.CustomerNew(slug=slug, name=name):
            return await new_customer(ctx, caller, slug, name)
    raise TypeError(f"not an issue command: {cmd!r}")


def _posted(ctx: Ctx, caller: Caller, key: str, posted: flows.Posted) -> Reply:
    issue = posted.update.issue_id
    if posted.reached == 1:
        key += "_one"  # "1 chat", not "1 chats"
    text = t(caller.locale, key, ref=display_id(issue), count=posted.reached)
    return Reply.text(text)


async def open_issue(ctx: Ctx, caller: Caller, cmd: p.IssueNew) -> Reply:
    customer = await customers.require(ctx.session, cmd.customer)
    if cmd.team:
        team = await find_team(ctx, cmd.team)
    else:
        own = await teams.teams_of(ctx.session, caller.person.id)
        if not own:
            raise UserError("issue.need_team")
        team = own[0]
    issue = await flows.open_issue(ctx, caller.person, customer, team, cmd.title, cmd.severity)
    loc = caller.locale
    due = format_when(issue.next_update_due, loc, caller.timezone) if issue.next_update_due else "—"
    names = await service.follower_names(ctx.session, issue.id)
    text = t(loc, "reply.issue_opened", ref=display_id(issue.id), customer=customer.name,
             severity=issue.severity.upper(), team=team.name, followers=", ".join(names), when=due)
    if cmd.severity is None:
        text += "\n" + t(loc, "reply.issue_default_severity", severity=DEFAULT_SEVERITY.upper(),
                         ref=display_id(issue.id))
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
        card.actions = [Action(id="issue.follow", label=t(loc, "action.follow"), value=str(issue.id))]
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
            raise UserError("input.unknown_stakeholder", value=token)
        persons.append(person)
    return persons, groups


async def listing(ctx: Ctx, caller: Caller, token: str | None) -> Reply:
    loc, tz = caller.locale, caller.timezone
    customer: Customer | None = await customers.require(ctx.session, token) if token else None
    found = await service.active(ctx.session, customer.id if customer else None)
    if not found:
        key = "reply.issues.empty_customer" if customer else "reply.issues.empty"
        return Reply.text(t(loc, key, customer=customer.name if customer else ""))
    lines = [messaging.summary_line(await flows.view_of(ctx, issue), loc, tz, ctx.now) for issue in found]
    title = (t(loc, "reply.issues.title_customer", customer=customer.name, count=len(found)) if customer
             else t(loc, "reply.issues.title", count=len(found)))
    return r.listing(title, lines)


async def list_customers(ctx: Ctx, caller: Caller) -> Reply:
    loc = caller.locale
    rows = await customers.all_customers(ctx.session)
    if not rows:
        return Reply.text(t(loc, "reply.customers.empty"))
    since = ctx.now - customer_view.RECENT
    lines = []
    for customer in rows:
        line = f"#{customer.slug} · {customer.name}"
        if count := await service.count_active(ctx.session, customer.id):
            line += " · " + t(loc, "reply.customers.issues", count=count)
        if await risk.active_flags(ctx.session, customer.id, since):
            line += " · ⚠ " + t(loc, "customer.at_risk")
        lines.append(line)
    return r.listing(t(loc, "reply.customers.title", count=len(rows)), lines)


async def new_customer(ctx: Ctx, caller: Caller, slug: str, name: str) -> Reply:
    slug = slug.lower()
    if not SLUG.match(slug):
        raise UserError("input.bad_customer_slug", value=slug)
    existing = await customers.all_customers(ctx.session)
    if (same := customers.match(slug, existing)) is not None:
        raise UserError("customer.exists", customer=same.name, slug=same.slug)
    name = " ".join(name.split())[:200] or slug
    customer = Customer(slug=slug, name=name, created_at=ctx.now)
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(customer)
    except IntegrityError:  # created by someone else a moment ago
        raise UserError("customer.exists", customer=name, slug=slug) from None
    await customers.link_requests(ctx.session, customer)
    return Reply(message=Message(text=t(caller.locale, "reply.customer_created", customer=name, slug=slug)))
