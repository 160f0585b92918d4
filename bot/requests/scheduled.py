"""A request's reminders and escalations: planned whenever the request
changes (flows.publish), and checked again when their moment comes.

- first response: at 75 % of the promise the team's channel, at breach the leads;
- resolution: at 75 % the owner, at breach the owner and the leads;
- waiting for the requester: a reminder after 1 business day, and after 5 the
  owner is asked whether to close it;
- resolved without a rating: one reminder the next business day, never again;
- bounced between teams (flagged): the leads, if nobody took it within a business day.

Each nudge's window is the moment it is about (a due time, when the wait
began): a new promise is a new window, and acting on the request makes the
old ones stale, so they are never sent.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Ctx
from bot.delivery.outbox import PERSON, TEAM
from bot.i18n import format_when, t
from bot.nudges.kinds import NudgeKind, Reader, Said
from bot.nudges.ledger import Planned, Target, in_window, plan_all, window_of
from bot.requests import cards, messaging, service
from bot.requests.messaging import RequestView
from bot.requests.states import FLAG_AFTER_REASSIGNMENTS, NEW, NUDGE_SUBJECT, OPEN, RESOLVED, WAITING_INFO, display_id
from bot.sla.calendar import add_business_days, team_hours
from bot.text import shorten
from storage.models import Nudge, Person, Request, Team

FR_WARN, FR_BREACH = "request.first_response.warn", "request.first_response.breach"
RES_WARN, RES_BREACH = "request.resolution.warn", "request.resolution.breach"
WAIT_REMIND, WAIT_CLOSE = "request.waiting.remind", "request.waiting.close"
RATING, PINGPONG = "request.rating.remind", "request.pingpong.remind"
CLOSE_AFTER_DAYS = 5


async def plan(ctx: Ctx, view: RequestView, leads: list[Person], *, new: bool = False) -> None:
    """Everything this request may need to say later, from its state now
    (`leads`: the team's, which the caller has already read; `new`: the request
    was created in this transaction, so the ledger holds nothing about it yet)."""
    request, team = view.request, view.team
    leads = [Target(PERSON, lead.id, "lead") for lead in leads]
    owner = [Target(PERSON, request.owner_id, "owner")] if request.owner_id else []
    doer = owner or [Target(TEAM, team.id, "team")]
    requester = [Target(PERSON, request.requester_id, "requester")]

    nudges: list[Planned] = []

    def at(kind: str, moment: datetime | None, targets: list[Target], window: datetime | str) -> None:
        if moment is not None and targets:
            window_key = window if isinstance(window, str) else window_of(window)
            nudges.append(Planned(kind, window_key, tuple(targets), moment))

    if request.status in OPEN:
        if (due := request.first_response_due_at) is not None:
            at(FR_WARN, request.first_response_warn_at, [Target(TEAM, team.id, "team")], due)
            at(FR_BREACH, due, leads, due)
        if (due := request.resolution_due_at) is not None:
            at(RES_WARN, request.resolution_warn_at, doer, due)
            at(RES_BREACH, due, owner + leads, due)
        if request.status == WAITING_INFO and (since := request.waiting_since) is not None:
            hours = team_hours(team)
            at(WAIT_REMIND, add_business_days(hours, since, 1), requester, since)
            at(WAIT_CLOSE, add_business_days(hours, since, CLOSE_AFTER_DAYS), doer, since)
        if request.status == NEW and request.flagged and request.reassign_count >= FLAG_AFTER_REASSIGNMENTS:
            at(PINGPONG, add_business_days(team_hours(team), ctx.now, 1), leads, str(request.reassign_count))
    elif request.status == RESOLVED and (resolved := request.resolved_at) is not None:
        at(RATING, add_business_days(team_hours(team), resolved, 1), requester, resolved)
    await plan_all(ctx, subject_kind=NUDGE_SUBJECT, subject_id=request.id, nudges=nudges, data={"team": team.id},
                   fresh=new)


async def _current(ctx: Ctx, nudge: Nudge) -> tuple[Request, Team] | None:
    request = await ctx.session.get(Request, nudge.subject_id)
    if request is None or request.team_id != nudge.data.get("team"):
        return None  # gone, or passed to another team since: that team has its own nudges
    return request, await ctx.session.get(Team, request.team_id)



def _for_owner_role(request: Request, nudge: Nudge) -> bool:
    """An owner's nudge is still theirs; the team's goes to nobody once someone owns it."""
    role = nudge.data.get("role")
    if role == "owner":
        return request.owner_id == nudge.recipient_id
    if role == "team":
        return request.owner_id is None
    return True


async def describe(ctx: Ctx, nudge: Nudge, reader: Reader) -> Said | None:
    found = await _current(ctx, nudge)
    if found is None:
        return None
    request, team = found
    loc, tz, w = reader.locale, reader.timezone, nudge.window_key
    ref, text = display_id(request.id), shorten(request.description)
    key = f"nudge.{nudge.kind}"
    if nudge.kind in (FR_WARN, FR_BREACH):
        if request.status not in OPEN or request.first_response_at is not None or not in_window(request.first_response_due_at, w):
            return None
        if nudge.kind == FR_WARN and ctx.now >= request.first_response_due_at:
            return None  # the breach says it now
        when = format_when(request.first_response_due_at, loc, tz, home_tz=team.timezone)
        action = "claim" if nudge.kind == FR_WARN else "assign"
        return Said(t(loc, key, ref=ref, team=team.name, when=when, text=text), [messaging.button(loc, action, request.id)])
    if nudge.kind in (RES_WARN, RES_BREACH):
        if request.status not in OPEN or not in_window(request.resolution_due_at, w) or not _for_owner_role(request, nudge):
            return None
        if nudge.kind == RES_WARN and ctx.now >= request.resolution_due_at:
            return None
        owner = await ctx.session.get(Person, request.owner_id) if request.owner_id else None
        when = format_when(request.resolution_due_at, loc, tz, home_tz=team.timezone)
        if owner is None and nudge.kind == RES_BREACH:
            key += ".unowned"
        buttons = {"lead": ["assign"], "team": ["claim"]}.get(nudge.data.get("role", ""), ["resolve", "comment"])
        return Said(t(loc, key, ref=ref, team=team.name, owner=owner.name if owner else "", when=when),
                    [messaging.button(loc, name, request.id) for name in buttons])
    if nudge.kind in (WAIT_REMIND, WAIT_CLOSE):
        if request.status != WAITING_INFO or not in_window(request.waiting_since, w) or not _for_owner_role(request, nudge):
            return None
        requester = await ctx.session.get(Person, request.requester_id)
        when = format_when(request.waiting_since, loc, tz, home_tz=team.timezone)
        buttons = ["comment"] if nudge.kind == WAIT_REMIND else ["resolve", "reject"]
        return Said(t(loc, key, ref=ref, team=team.name, when=when, requester=requester.name, days=CLOSE_AFTER_DAYS),
                    [messaging.button(loc, name, request.id) for name in buttons])
    if nudge.kind == PINGPONG:
        if request.status != NEW or request.owner_id is not None or str(request.reassign_count) != w.split("~")[0]:
            return None
        return Said(t(loc, key, ref=ref, team=team.name, count=request.reassign_count),
                    [messaging.button(loc, "assign", request.id)])
    if nudge.kind == RATING:
        if request.status != RESOLVED or not in_window(request.resolved_at, w):
            return None
        if await service.rating(ctx.session, request.id) is not None:
            return None
        view = RequestView(request, team, await ctx.session.get(Person, request.requester_id), None)
        # Once and never again: no snooze, which would be a second reminder.
        return Said(t(loc, key, ref=ref, team=team.name), messaging.rating_prompt(view).actions, snooze=False)
    return None


KINDS = tuple(NudgeKind(name, describe, refresh=cards.refresh)
              for name in (FR_WARN, FR_BREACH, RES_WARN, RES_BREACH, WAIT_REMIND, WAIT_CLOSE, RATING, PINGPONG))
