"""An issue's reminders: planned whenever its update cadence restarts or a
status goes out (flows), and checked again when their moment comes.

- update overdue: at next_update_due the owner (or, with nobody owning it, the
  owner team's channel); half a cadence later (business minutes of the owner
  team) its leads, and every stakeholder outside the owner team hears that the
  update is late and that the owner was told;
- status not acknowledged: one business day (the reader's) after a status
  went out, one reminder to each person following who has not said "Entendido".

Windows are the due time (a new update is a new window) and the status
update's id; a newer update, an ack or closing the issue makes them stale.
"""

from __future__ import annotations

from bot.context import Ctx
from bot.delivery.outbox import PERSON, TEAM
from bot.i18n import format_when, t
from bot.interaction import make
from bot.issues import cadence, cards, messaging, service
from bot.issues.states import CLOSED, ISSUE, NUDGE_SUBJECT, STATUS_UPDATE, display_id
from bot.messages import Action
from bot.nudges.kinds import NudgeKind, Reader, Said
from bot.nudges.ledger import Planned, Target, in_window, plan as plan_nudge, plan_all, window_of
from bot.people import service as people
from bot.sla.calendar import add_business_days, person_hours, team_hours
from bot.teams import service as teams
from bot.text import shorten
from storage.models import Issue, Nudge, Person, StatusUpdate

OVERDUE, LATE = "issue.update.overdue", "issue.update.late"
ACK = "issue.status.ack"
STATUS_SUBJECT = "status"  # an ack reminder is about one status update, not the issue's cadence


async def plan(ctx: Ctx, issue: Issue) -> None:
    """The reminder and the escalation for the update now due; a repeat plans nothing new,
    but a follower added since gets their part."""
    due = issue.next_update_due
    if due is None or issue.state == CLOSED:
        return
    team = await teams.get(ctx.session, issue.owner_team_id)
    doer = Target(PERSON, issue.owner_id, "owner") if issue.owner_id else Target(TEAM, team.id, "team")
    window = window_of(due)
    members = await teams.members(ctx.session, team.id)
    # Leads first: one who also follows keeps the lead's role. An owner who leads is not told twice.
    leads = [Target(PERSON, person.id, "lead") for person, role in members
             if role == teams.LEAD and person.id != issue.owner_id]
    grace = cadence.minutes(team, issue.severity) // 2
    late_at = team_hours(team).add(due, grace)
    stakeholders = await _stakeholders(ctx, issue, {person.id for person, _role in members})
    await plan_all(ctx, subject_kind=NUDGE_SUBJECT, subject_id=issue.id, nudges=[
        Planned(OVERDUE, window, (doer,), due), Planned(LATE, window, tuple(leads + stakeholders), late_at)])


async def _stakeholders(ctx: Ctx, issue: Issue, members: set[int]) -> list[Target]:
    """Followers outside the owner team (`members`): the owner team owes the update, the others wait for it."""
    out = [Target(PERSON, person.id, "stakeholder") for person in await service.follower_people(ctx.session, issue.id)
           if person.id not in members and person.id != issue.owner_id]
    out += [Target(TEAM, team.id, "stakeholder") for team in await service.follower_teams(ctx.session, issue.id)
            if team.id != issue.owner_team_id]
    return out


async def plan_ack(ctx: Ctx, issue: Issue, update: StatusUpdate, author: Person) -> None:
    """A reminder to each person following but the author, a business day (theirs) after the update."""
    if update.kind == CLOSED:
        return  # closing ends the issue: nothing to acknowledge any more
    for person in await service.follower_people(ctx.session, issue.id):
        if person.id == author.id:
            continue
        hours = person_hours(person, await teams.teams_of(ctx.session, person.id), ctx.timezone)
        await plan_nudge(ctx, subject_kind=STATUS_SUBJECT, subject_id=update.id, kind=ACK, window=str(update.id),
                         targets=[Target(PERSON, person.id, "follower")],
                         at=add_business_days(hours, update.created_at, 1))



def _post_status(locale: str, issue_id: int) -> Action:
    """The issue card's own button: it opens the status form."""
    return Action(id="issue.post_status", label=t(locale, "action.post_status"),
                  value=make("issue.post_status", ISSUE, issue_id), style="primary")


async def describe(ctx: Ctx, nudge: Nudge, reader: Reader) -> Said | None:
    if nudge.kind == ACK:
        return await _describe_ack(ctx, nudge, reader)
    issue = await ctx.session.get(Issue, nudge.subject_id)
    if issue is None or issue.state == CLOSED or not in_window(issue.next_update_due, nudge.window_key):
        return None  # closed, or a status was posted since: a new due time, a new window
    role, loc = nudge.data.get("role"), reader.locale
    # The owner's reminder is still theirs; the channel's goes to nobody once someone owns the issue.
    if (role == "owner" and issue.owner_id != nudge.recipient_id) or (role == "team" and issue.owner_id is not None):
        return None
    if role == "stakeholder" and not await service.is_follower(ctx.session, issue.id, nudge.recipient_kind,
                                                               nudge.recipient_id):
        return None  # no longer follows it
    view = await cards.view_of(ctx, issue)
    when = format_when(issue.next_update_due, loc, reader.timezone, home_tz=view.team.timezone)
    values = dict(ref=view.ref, customer=view.customer.name, when=when)
    if nudge.kind == OVERDUE:
        return Said(t(loc, "nudge.issue.update.overdue", **values), [_post_status(loc, issue.id)])
    owner = view.owner.name if view.owner else view.team.name
    if role == "lead":
        return Said(t(loc, "nudge.issue.update.late.lead", owner=owner, severity=issue.severity.upper(), **values),
                    [_post_status(loc, issue.id)])
    # Stakeholders are told, not asked: nothing to put off.
    return Said(t(loc, "nudge.issue.update.late.stakeholder", owner=owner, **values), snooze=False)


async def _describe_ack(ctx: Ctx, nudge: Nudge, reader: Reader) -> Said | None:
    update = await ctx.session.get(StatusUpdate, nudge.subject_id)
    if update is None:
        return None
    issue = await ctx.session.get(Issue, update.issue_id)
    if (issue is None or issue.state == CLOSED
            or await service.newest_update_id(ctx.session, issue.id) != update.id
            or await service.has_acknowledged(ctx.session, update.id, nudge.recipient_id)
            or not await service.is_follower(ctx.session, issue.id, PERSON, nudge.recipient_id)):
        return None
    view = await cards.view_of(ctx, issue)
    author = await people.get(ctx.session, update.author_id)
    loc = reader.locale
    text = shorten(update.text, 200) or messaging.status_title(view, update, loc)
    ack = Action(id="status.ack", label=t(loc, "action.ack"), value=make("status.ack", STATUS_UPDATE, update.id),
                 style="primary")
    # Once: a snooze would be a second reminder.
    return Said(t(loc, "nudge.issue.status.ack", ref=display_id(issue.id), customer=view.customer.name, who=author.name,
                  when=format_when(update.created_at, loc, reader.timezone, home_tz=view.team.timezone), text=text), [ack], snooze=False)


async def refresh(ctx: Ctx, nudge: Nudge) -> None:
    """The issue's cards again, now with this nudge in their trail."""
    issue = await ctx.session.get(Issue, nudge.subject_id)
    if issue is not None:
        await cards.refresh(ctx, issue)


KINDS = (
    NudgeKind(OVERDUE, describe, refresh=refresh),
    NudgeKind(LATE, describe, refresh=refresh),
    NudgeKind(ACK, describe),
)
