"""The issue lifecycle: open, post status, monitor, close, reopen, change severity,
follow and acknowledge. Each change checks who may make it, records a status
update where it says something, resets the update cadence and fans out to
every follower, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from bot.context import Ctx, check_text
from bot.customers import risk
from bot.delivery.outbox import PERSON, TEAM, enqueue, recipients_of, refresh_homes
from bot.errors import UserError
from bot.i18n import t
from bot.issues import cadence, messaging, scheduled, service
from bot.issues.cards import Follower, card_view, followers, send_card, view_of
from bot.issues.states import CLOSED, DEFAULT_SEVERITY, MONITORING, OPEN, REASSIGNED, SEVERITIES, STATUS, display_id
from bot.limits import MAX_TITLE
from bot.messages import Message
from bot.people import service as people
from bot.teams import service as teams
from storage.models import Customer, Issue, IssueFollower, Person, StatusAck, StatusUpdate, Team


async def _homes(ctx: Ctx, issue: Issue) -> None:
    """Home pages list followed issues: refresh everyone who follows, in person or by team."""
    ids = {p.id for p in await service.follower_people(ctx.session, issue.id)}
    for team in await service.follower_teams(ctx.session, issue.id):
        ids.update(person.id for person, _role in await teams.members(ctx.session, team.id))
    refresh_homes(ctx.session, ids, ctx.now)


async def owner_team_issue(ctx: Ctx, actor: Person, issue_id: int, *, active: bool = True) -> Issue:
    """The issue, if `actor` is in its owner team (and, with `active`, it is not closed)."""
    # Locked: a status posted while the issue is being closed waits for the close
    # and is then refused, instead of being recorded after it on a stale "open".
    issue = await service.get(ctx.session, issue_id, for_update=True)
    if not await teams.is_member(ctx.session, actor.id, issue.owner_team_id):
        team = await teams.get(ctx.session, issue.owner_team_id)
        raise UserError("perm.issue_owner", ref=display_id(issue.id), team=team.name)
    if active and issue.state == CLOSED:
        raise UserError("issue.closed", ref=display_id(issue.id))
    return issue


async def _add_follower(ctx: Ctx, issue: Issue, kind: str, ref_id: int, actor: Person | None) -> bool:
    """True if newly added; a repeat is harmless (the unique key says no)."""
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(IssueFollower(issue_id=issue.id, kind=kind, ref_id=ref_id,
                                          added_by_id=actor.id if actor else None, created_at=ctx.now))
    except IntegrityError:
        return False
    return True


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise UserError("input.empty.title")
    if len(title) > MAX_TITLE:
        raise UserError("input.too_long", limit=MAX_TITLE, length=len(title))
    return title


async def open_issue(
    ctx: Ctx, actor: Person, customer: Customer, team: Team, title: str, severity: str | None = None
) -> Issue:
    """A new issue: the creator, the owner team and the account manager follow it."""
    title = _check_title(title)
    severity = severity or DEFAULT_SEVERITY
    if severity not in SEVERITIES:
        raise UserError("input.bad_severity", value=severity)
    member = await teams.is_member(ctx.session, actor.id, team.id)
    issue = Issue(
        customer_id=customer.id, title=title, severity=severity, state=OPEN, owner_team_id=team.id,
        owner_id=actor.id if member else None, created_by_id=actor.id, created_at=ctx.now, updated_at=ctx.now,
        next_update_due=cadence.next_due(team, severity, ctx.now),
    )
    ctx.session.add(issue)
    await ctx.session.flush()
    await _add_follower(ctx, issue, PERSON, actor.id, actor)
    await _add_follower(ctx, issue, TEAM, team.id, actor)
    if customer.account_manager_id:
        await _add_follower(ctx, issue, PERSON, customer.account_manager_id, actor)
    view = await card_view(ctx, issue)
    for follower in await followers(ctx, issue):
        send_card(ctx, view, follower)
    await _homes(ctx, issue)
    await scheduled.plan(ctx, issue)
    await risk.scan(ctx, customer.id, title, source_kind="issue", source_ref=view.ref, author=actor, team_id=team.id)
    return issue


@dataclass
class Posted:
    update: StatusUpdate
    reached: int  # chats the update went to (people's DMs and team channels)


async def _record(ctx: Ctx, actor: Person, issue: Issue, kind: str, text: str) -> Posted:
    """Saves what was said, restarts the cadence and tells every follower."""
    update = StatusUpdate(issue_id=issue.id, author_id=actor.id, kind=kind, text=text, created_at=ctx.now)
    ctx.session.add(update)
    team = await teams.get(ctx.session, issue.owner_team_id)
    issue.last_status_at = ctx.now
    issue.updated_at = ctx.now
    issue.version += 1
    if issue.owner_id is None and await teams.is_member(ctx.session, actor.id, team.id):
        issue.owner_id = actor.id
    issue.next_update_due = None if issue.state == CLOSED else cadence.next_due(team, issue.severity, ctx.now)
    ctx.session.add(issue)
    await ctx.session.flush()
    await scheduled.plan(ctx, issue)  # a new due time: the old reminders are stale
    reached = await fan_out(ctx, issue, update, actor)
    if kind in (STATUS, MONITORING, CLOSED):  # the others carry no words of their own
        await risk.scan(ctx, issue.customer_id, text, source_kind="status", source_ref=display_id(issue.id),
                        author=actor, team_id=issue.owner_team_id)
    return Posted(update, reached)


async def fan_out(ctx: Ctx, issue: Issue, update: StatusUpdate, author: Person) -> int:
    """The update to every follower but its author, each card refreshed, and the
    author's receipt. Returns how many chats it reached."""
    view = await card_view(ctx, issue)
    reached = 0
    for follower in await followers(ctx, issue):
        send_card(ctx, view, follower)
        if follower.kind == PERSON and follower.id == author.id:
            continue
        enqueue(
            ctx.session, recipient_kind=follower.kind, recipient_id=follower.id, now=ctx.now,
            message=messaging.status_card(view, update, author, follower.locale, follower.timezone, ctx.now),
            card_key=messaging.status_card_key(update.id),
        )
        reached += 1
    await scheduled.plan_ack(ctx, issue, update, author)
    enqueue(
        ctx.session, recipient_kind=PERSON, recipient_id=author.id, now=ctx.now,
        message=messaging.receipt(view, update, reached, [], author.locale or ctx.default_locale),
        card_key=messaging.receipt_key(update.id),
    )
    await _homes(ctx, issue)
    return reached


async def post_status(ctx: Ctx, actor: Person, issue_id: int, text: str) -> Posted:
    text = check_text(text, field="status")
    issue = await owner_team_issue(ctx, actor, issue_id)
    return await _record(ctx, actor, issue, STATUS, text)


async def monitor(ctx: Ctx, actor: Person, issue_id: int, note: str | None) -> Posted:
    issue = await owner_team_issue(ctx, actor, issue_id)
    if issue.state == MONITORING:
        raise UserError("issue.already_monitoring", ref=display_id(issue.id))
    issue.state = MONITORING
    note = check_text(note, field="note") if note and note.strip() else None
    return await _record(ctx, actor, issue, MONITORING, note or "")


async def close(ctx: Ctx, actor: Person, issue_id: int, note: str | None) -> Posted:
    issue = await owner_team_issue(ctx, actor, issue_id)
    note = check_text(note, field="note") if note and note.strip() else None
    issue.state, issue.closed_at = CLOSED, ctx.now
    return await _record(ctx, actor, issue, CLOSED, note or "")


async def reopen(ctx: Ctx, actor: Person, issue_id: int) -> Posted:
    issue = await owner_team_issue(ctx, actor, issue_id, active=False)
    if issue.state == OPEN:
        raise UserError("issue.already_open", ref=display_id(issue.id))
    issue.state, issue.closed_at = OPEN, None
    return await _record(ctx, actor, issue, "reopened", "")


async def set_severity(ctx: Ctx, actor: Person, issue_id: int, severity: str) -> Posted:
    if severity not in SEVERITIES:
        raise UserError("input.bad_severity", value=severity)
    issue = await owner_team_issue(ctx, actor, issue_id)
    if issue.severity == severity:
        raise UserError("issue.same_severity", ref=display_id(issue.id), severity=severity.upper())
    before, issue.severity = issue.severity, severity
    return await _record(ctx, actor, issue, "severity", f"{before.upper()} → {severity.upper()}")


async def reassign(ctx: Ctx, actor: Person, issue_id: int, to_team: Team, reason: str | None) -> Posted:
    """The owner team (or the account manager) hands the issue to another team.

    The new team follows it and owes the next update; the old one keeps
    following until the new owners remove it; the trail (an update every
    follower gets) says who passed it on, from which team to which, and why.
    """
    reason = check_text(reason, field="reason") if reason and reason.strip() else None
    issue = await service.get(ctx.session, issue_id, for_update=True)
    from_team = await teams.get(ctx.session, issue.owner_team_id)
    customer = await ctx.session.get(Customer, issue.customer_id)
    in_charge = (await teams.is_member(ctx.session, actor.id, from_team.id)
                 or (customer is not None and customer.account_manager_id == actor.id))
    if not in_charge:
        raise UserError("perm.issue_reassign", ref=display_id(issue.id), team=from_team.name)
    if issue.state == CLOSED:
        raise UserError("issue.closed", ref=display_id(issue.id))
    if to_team.id == from_team.id:
        raise UserError("issue.same_team", ref=display_id(issue.id), team=to_team.name)
    issue.owner_team_id, issue.owner_id = to_team.id, None
    await _add_follower(ctx, issue, TEAM, to_team.id, actor)
    trail = f"{from_team.name} → {to_team.name}" + (f": {reason}" if reason else "")
    return await _record(ctx, actor, issue, REASSIGNED, trail)


async def follow(ctx: Ctx, actor: Person, issue_id: int) -> bool:
    """Anyone may follow; they get the card as it stands. False if already following."""
    issue = await service.get(ctx.session, issue_id)
    if not await _add_follower(ctx, issue, PERSON, actor.id, actor):
        return False
    send_card(ctx, await card_view(ctx, issue), Follower(
        PERSON, actor.id, actor.locale or ctx.default_locale, actor.timezone or ctx.timezone))
    refresh_homes(ctx.session, {actor.id}, ctx.now)
    await scheduled.plan(ctx, issue)  # a new stakeholder hears if the update is late
    return True


async def unfollow(ctx: Ctx, actor: Person, issue_id: int) -> bool:
    issue = await service.get(ctx.session, issue_id)
    removed = await service.remove_follower(ctx.session, issue.id, PERSON, actor.id)
    refresh_homes(ctx.session, {actor.id}, ctx.now)
    return removed


async def add_stakeholders(
    ctx: Ctx, actor: Person, issue_id: int, persons: list[Person], groups: list[Team]
) -> list[str]:
    """Anyone may bring people and teams in; each new one gets the card and a notice."""
    issue = await service.get(ctx.session, issue_id)
    if issue.state == CLOSED:
        raise UserError("issue.closed", ref=display_id(issue.id))
    view = await card_view(ctx, issue)
    added = []
    for person in persons:
        if await _add_follower(ctx, issue, PERSON, person.id, actor):
            added.append(person.name)
            locale = person.locale or ctx.default_locale
            follower = Follower(PERSON, person.id, locale, person.timezone or ctx.timezone)
            if person.id != actor.id:
                enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person.id, now=ctx.now,
                        message=_notice(locale, "notice.issue_added_you", ref=view.ref, who=actor.name))
            send_card(ctx, view, follower)
    for team in groups:
        if await _add_follower(ctx, issue, TEAM, team.id, actor):
            added.append(team.name)
            send_card(ctx, view, Follower(TEAM, team.id, ctx.team_locale(team), team.timezone,
                                           owner_team=team.id == issue.owner_team_id))
    await _homes(ctx, issue)
    if added:
        await scheduled.plan(ctx, issue)  # new stakeholders hear if the update is late
    return added


async def remove_stakeholders(
    ctx: Ctx, actor: Person, issue_id: int, persons: list[Person], groups: list[Team]
) -> list[str]:
    """The owner team and the account manager decide who else follows; anyone may leave."""
    issue = await service.get(ctx.session, issue_id)
    customer = await ctx.session.get(Customer, issue.customer_id)
    in_charge = (await teams.is_member(ctx.session, actor.id, issue.owner_team_id)
                 or (customer is not None and customer.account_manager_id == actor.id))
    if not in_charge and (groups or any(p.id != actor.id for p in persons)):
        team = await teams.get(ctx.session, issue.owner_team_id)
        raise UserError("perm.issue_remove", ref=display_id(issue.id), team=team.name)
    if any(team.id == issue.owner_team_id for team in groups):
        raise UserError("issue.owner_team_stays", ref=display_id(issue.id))
    await _homes(ctx, issue)  # before: those removed must see the issue leave their page
    removed = []
    for kind, rows in ((PERSON, persons), (TEAM, groups)):
        for row in rows:
            if await service.remove_follower(ctx.session, issue.id, kind, row.id):
                removed.append(row.name)
    return removed


async def acknowledge(ctx: Ctx, actor: Person, status_id: int) -> tuple[StatusUpdate, bool]:
    """"Entendido": recorded once per person; the cards that show it are refreshed."""
    # Locked: acks made at the same moment queue their cards one after the
    # other, so the newest version, the one delivered, lists every ack.
    update = await service.status_update_locked(ctx.session, status_id)
    if update is None:
        raise UserError("status.unknown")
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(StatusAck(status_update_id=update.id, person_id=actor.id, created_at=ctx.now))
    except IntegrityError:
        return update, False
    issue = await service.get(ctx.session, update.issue_id)
    view = await view_of(ctx, issue)
    author = await people.get(ctx.session, update.author_id)
    acked = await service.acknowledged_by(ctx.session, update.id)
    key = messaging.status_card_key(update.id)
    for kind, recipient_id in await recipients_of(ctx.session, key):
        if kind == PERSON and recipient_id != actor.id:
            continue  # another person's copy does not change
        if kind == PERSON:
            locale, tz = actor.locale or ctx.default_locale, actor.timezone or ctx.timezone
            message = messaging.status_card(view, update, author, locale, tz, ctx.now, you_acked=True)
        else:
            team = await teams.get(ctx.session, recipient_id)
            message = messaging.status_card(view, update, author, ctx.team_locale(team), team.timezone,
                                            ctx.now, acked=acked)
        enqueue(ctx.session, recipient_kind=kind, recipient_id=recipient_id, now=ctx.now, message=message, card_key=key)
    reached = len(await recipients_of(ctx.session, key))
    enqueue(ctx.session, recipient_kind=PERSON, recipient_id=author.id, now=ctx.now,
            message=messaging.receipt(view, update, reached, acked, author.locale or ctx.default_locale),
            card_key=messaging.receipt_key(update.id))
    return update, True


def _notice(locale: str, key: str, **values: object) -> Message:
    return Message(text=t(locale, key, **values))
