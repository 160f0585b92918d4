"""The request lifecycle: every change checks who may make it, records an
event, updates the SLA clocks and queues its messages, in one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, update
from sqlalchemy.exc import IntegrityError

from bot.context import Ctx, check_text
from bot.customers import risk
from bot.customers import service as customers
from bot.delivery import reach
from bot.delivery.outbox import PERSON, TEAM, enqueue, home_refreshes
from bot.errors import UserError
from bot.i18n import format_day, format_when, t
from bot.messages import Message
from bot.people import service as people
from bot.requests import messaging, scheduled, service
from bot.requests.cards import send_cards, view_of
from bot.requests.messaging import RequestView
from bot.requests.states import (
    CLOSED,
    FLAG_AFTER_REASSIGNMENTS,
    IN_PROGRESS,
    NEW,
    OPEN,
    PRIORITIES,
    REJECTED,
    REOPEN_WINDOW_DAYS,
    RESOLVED,
    WAITING_INFO,
    WITHDRAWN,
    display_id,
)
from bot.sla import clocks
from bot.teams import service as teams
from bot.text import shorten
from storage.models import Membership, Person, Request, RequestEvent, RequestRating, Team

def _event(ctx: Ctx, request: Request, actor: Person | None, kind: str, text: str | None = None, **data) -> None:  # noqa: ANN003
    ctx.session.add(
        RequestEvent(
            request_id=request.id, actor_id=actor.id if actor else None,
            kind=kind, text=text, data=data, created_at=ctx.now,
        )
    )


def _touch(ctx: Ctx, request: Request) -> None:
    request.updated_at = ctx.now
    request.version += 1
    ctx.session.add(request)


async def publish(ctx: Ctx, view: RequestView, *, new: bool = False) -> None:
    """Queues the current team card and requester card (each edits its previous
    version), refreshes the home pages of everyone who sees the request, and
    plans the reminders its new state calls for.

    `new`: the request was created in this transaction, so no nudge about it
    was planned or sent yet: the ledger is not read for its trail or for what
    it already holds (two statements less on every new request)."""
    members = await teams.members(ctx.session, view.team.id)
    homes = await home_refreshes(ctx.session, {view.requester.id, *(person.id for person, _role in members)}, ctx.now)
    await send_cards(ctx, view, nudged=not new, before=homes)  # one INSERT for the homes and both cards
    await scheduled.plan(ctx, view, leads=[person for person, role in members if role == teams.LEAD], new=new)


def tell_requester(ctx: Ctx, view: RequestView, key: str, **values: object) -> None:
    """A message in the thread of the requester's card."""
    enqueue(
        ctx.session, recipient_kind=PERSON, recipient_id=view.requester.id, now=ctx.now,
        message=Message(text=t(view.requester.locale, key, ref=view.ref, team=view.team.name, **values)),
        thread_key=messaging.requester_card_key(view.request.id),
    )


def tell_team(ctx: Ctx, view: RequestView, key: str, **values: object) -> None:
    """A message in the thread of the team's card."""
    enqueue(
        ctx.session, recipient_kind=TEAM, recipient_id=view.team.id, now=ctx.now,
        message=Message(text=t(ctx.team_locale(view.team), key, ref=view.ref, **values)),
        thread_key=messaging.team_card_key(view.request.id),
    )


def tell_person(ctx: Ctx, person: Person, key: str, **values: object) -> None:
    enqueue(
        ctx.session, recipient_kind=PERSON, recipient_id=person.id, now=ctx.now,
        message=Message(text=t(person.locale, key, **values)),
    )


async def create(
    ctx: Ctx, requester: Person, team: Team, description: str, *,
    customer: str | None = None, priority: str = "normal", due: date | None = None, today: date | None = None,
) -> Request:
    description = check_text(description)
    if priority not in PRIORITIES:
        raise UserError("input.bad_priority", value=priority)
    if due is not None and today is not None and due < today:
        raise UserError("input.past_date", value=due.isoformat())
    request = Request(
        requester_id=requester.id, team_id=team.id, description=description,
        customer=(customer or None), priority=priority, due_date=due, status=NEW,
        created_at=ctx.now, updated_at=ctx.now,
    )
    if customer and (known := await customers.find(ctx.session, customer)):
        request.customer_id = known.id
    clocks.start(request, team, ctx.now)
    ctx.session.add(request)
    await ctx.session.flush()
    _event(ctx, request, requester, "created", description, team=team.slug, priority=priority)
    view = await view_of(ctx, request)
    await publish(ctx, view, new=True)
    if due_before_resolution(request, team):
        loc = ctx.team_locale(team)
        tell_team(ctx, view, "notice.due_before_sla", who=requester.name, day=format_day(request.due_date, loc),
                  when=format_when(request.resolution_due_at, loc, team.timezone))
    await _scan(ctx, request, description, "request", requester)
    return request


def due_before_resolution(request: Request, team: Team) -> bool:
    """The requester needs it on a day before the team's own promise runs out."""
    promise = request.resolution_due_at
    if request.due_date is None or promise is None:
        return False
    return request.due_date < promise.astimezone(ZoneInfo(team.timezone)).date()


async def hold_if_unreachable(ctx: Ctx, request: Request, team: Team) -> reach.Held | None:
    """A team that cannot receive the new request yet: its card waits, its leads
    are told what to do, and the answer to the requester can say so."""
    return await reach.hold(ctx.session, team, messaging.team_card_key(request.id), ctx.channels, ctx.now)


async def _scan(ctx: Ctx, request: Request, text: str | None, source_kind: str, author: Person) -> None:
    """What is said on a customer's request may show that customer is unhappy."""
    await risk.scan(ctx, request.customer_id, text, source_kind=source_kind,
                    source_ref=display_id(request.id), author=author, team_id=request.team_id)


async def _member_request(ctx: Ctx, actor: Person, request_id: int, *, open_only: bool = True) -> Request:
    request = await service.get(ctx.session, request_id)
    if not await teams.is_member(ctx.session, actor.id, request.team_id):
        team = await teams.get(ctx.session, request.team_id)
        raise UserError("perm.not_member", ref=display_id(request.id), team=team.name)
    if open_only and request.status in CLOSED:
        raise UserError("request.closed", ref=display_id(request.id), status=request.status)
    return request


async def claim(ctx: Ctx, actor: Person, request_id: int) -> Request:
    """Exactly one of two simultaneous claims wins: the update is conditional."""
    taken = await ctx.session.exec(  # type: ignore[call-overload]
        update(Request)
        .where(
            Request.id == request_id,
            Request.owner_id.is_(None),  # type: ignore[union-attr]
            Request.status.in_(OPEN),  # type: ignore[attr-defined]
            exists().where(Membership.person_id == actor.id, Membership.team_id == Request.team_id),
        )
        .values(
            owner_id=actor.id,
            status=case((Request.status == NEW, IN_PROGRESS), else_=Request.status),
            version=Request.version + 1,
            updated_at=ctx.now,
        )
        .execution_options(synchronize_session=False)
    )
    request = await _member_request(ctx, actor, request_id)
    if taken.rowcount != 1:
        owner = await people.get(ctx.session, request.owner_id) if request.owner_id else None
        raise UserError("request.already_claimed", ref=display_id(request_id), owner=owner.name if owner else "?")
    await ctx.session.refresh(request)
    clocks.record_first_response(request, ctx.now)
    ctx.session.add(request)  # the conditional UPDATE already bumped the version
    _event(ctx, request, actor, "claimed")
    view = await view_of(ctx, request)
    await publish(ctx, view)
    tell_requester(ctx, view, "notice.claimed", owner=actor.name)
    return request


async def assign(ctx: Ctx, actor: Person, request_id: int, assignee: Person) -> Request:
    request = await service.get(ctx.session, request_id)
    team = await teams.get(ctx.session, request.team_id)
    if await teams.role_of(ctx.session, actor.id, team.id) != teams.LEAD:
        raise UserError("perm.not_lead", ref=display_id(request.id), team=team.name)
    if request.status in CLOSED:
        raise UserError("request.closed", ref=display_id(request.id), status=request.status)
    if not await teams.is_member(ctx.session, assignee.id, team.id):
        raise UserError("request.assignee_not_member", person=assignee.name, team=team.name)
    request.owner_id = assignee.id
    if request.status == NEW:
        request.status = IN_PROGRESS
    _touch(ctx, request)
    _event(ctx, request, actor, "assigned", owner=assignee.id)
    view = await view_of(ctx, request)
    await publish(ctx, view)
    if assignee.id != actor.id:
        tell_person(ctx, assignee, "notice.assigned_to_you", ref=view.ref, by=actor.name, text=shorten(request.description))
    tell_requester(ctx, view, "notice.claimed", owner=assignee.name)
    return request


async def ask_info(ctx: Ctx, actor: Person, request_id: int, question: str) -> Request:
    question = check_text(question, field="question")
    request = await _member_request(ctx, actor, request_id)
    if request.status == WAITING_INFO:
        raise UserError("request.already_waiting", ref=display_id(request.id))
    team = await teams.get(ctx.session, request.team_id)
    request.status = WAITING_INFO
    request.owner_id = request.owner_id or actor.id
    clocks.record_first_response(request, ctx.now)
    clocks.pause(request, team, ctx.now)
    _touch(ctx, request)
    _event(ctx, request, actor, "info_requested", question)
    view = await view_of(ctx, request)
    await publish(ctx, view)
    tell_requester(ctx, view, "notice.info_requested", who=actor.name, question=question)
    return request


async def comment(ctx: Ctx, actor: Person, request_id: int, text: str) -> Request:
    """Both sides talk on the request; the requester's answer restarts a paused clock."""
    text = check_text(text, field="comment")
    request = await service.get(ctx.session, request_id)
    is_requester = request.requester_id == actor.id
    if not is_requester and not await teams.is_member(ctx.session, actor.id, request.team_id):
        team = await teams.get(ctx.session, request.team_id)
        raise UserError("perm.not_party", ref=display_id(request.id), team=team.name)
    if request.status in CLOSED:
        raise UserError("request.closed", ref=display_id(request.id), status=request.status)
    view = await view_of(ctx, request)
    if is_requester:
        tell_team(ctx, view, "notice.comment", who=actor.name, text=text)
        if request.status == WAITING_INFO:
            request.status = IN_PROGRESS if request.owner_id else NEW
            clocks.resume(request, view.team, ctx.now)
            _event(ctx, request, actor, "info_provided", text)
            await publish(ctx, view)
        else:
            _event(ctx, request, actor, "commented", text)
    else:
        clocks.record_first_response(request, ctx.now)
        _event(ctx, request, actor, "commented", text)
        tell_requester(ctx, view, "notice.comment", who=actor.name, text=text)
    _touch(ctx, request)
    await _scan(ctx, request, text, "comment", actor)
    return request


async def _close(ctx: Ctx, actor: Person, request_id: int, status: str, text: str | None) -> RequestView:
    """Resolved or rejected: the clocks stop and the card closes."""
    request = await _member_request(ctx, actor, request_id)
    request.status = status
    request.owner_id = request.owner_id or actor.id
    request.resolved_at = ctx.now
    clocks.record_first_response(request, ctx.now)
    clocks.stop(request, ctx.now)
    _touch(ctx, request)
    _event(ctx, request, actor, status, text)
    view = await view_of(ctx, request)
    await publish(ctx, view)
    await _scan(ctx, request, text, "comment", actor)
    return view


async def resolve(ctx: Ctx, actor: Person, request_id: int, note: str | None) -> Request:
    note = check_text(note, field="note") if note and note.strip() else None
    view = await _close(ctx, actor, request_id, RESOLVED, note)
    if note:
        tell_requester(ctx, view, "notice.resolved_note", who=actor.name, note=note)
    else:
        tell_requester(ctx, view, "notice.resolved", who=actor.name)
    if await service.rating(ctx.session, request_id) is None:
        enqueue(
            ctx.session, recipient_kind=PERSON, recipient_id=view.requester.id, now=ctx.now,
            message=messaging.rating_prompt(view), thread_key=messaging.requester_card_key(request_id),
        )
    return view.request


async def reject(ctx: Ctx, actor: Person, request_id: int, reason: str) -> Request:
    reason = check_text(reason, field="reason")
    view = await _close(ctx, actor, request_id, REJECTED, reason)
    tell_requester(ctx, view, "notice.rejected", who=actor.name, reason=reason)
    return view.request


async def withdraw(ctx: Ctx, actor: Person, request_id: int, reason: str | None) -> RequestView:
    """The requester takes their request back: the clocks stop without judging
    the team, both cards close, and the team hears it in the card's thread."""
    reason = check_text(reason, field="reason") if reason and reason.strip() else None
    request = await service.get(ctx.session, request_id)
    if request.requester_id != actor.id:
        raise UserError("perm.not_requester", ref=display_id(request.id))
    if request.status in CLOSED:
        key = "request.already_withdrawn" if request.status == WITHDRAWN else "request.withdraw_closed"
        raise UserError(key, ref=display_id(request.id))
    request.status = WITHDRAWN
    request.resolved_at = ctx.now  # closed then: it stays in a customer's recent requests
    clocks.withdraw(request)
    _touch(ctx, request)
    _event(ctx, request, actor, "withdrawn", reason)
    view = await view_of(ctx, request)
    await publish(ctx, view)
    if reason:
        tell_team(ctx, view, "notice.withdrawn_reason", who=actor.name, reason=reason)
    else:
        tell_team(ctx, view, "notice.withdrawn", who=actor.name)
    await _scan(ctx, request, reason, "comment", actor)
    return view


async def reassign(ctx: Ctx, actor: Person, request_id: int, to_team: Team, reason: str) -> Request:
    reason = check_text(reason, field="reason")
    request = await _member_request(ctx, actor, request_id)
    if to_team.id == request.team_id:
        raise UserError("request.same_team", team=to_team.name)
    old_view = await view_of(ctx, request)
    request.team_id, request.owner_id, request.status = to_team.id, None, NEW
    request.reassign_count += 1
    clocks.start(request, to_team, ctx.now)
    _touch(ctx, request)
    _event(ctx, request, actor, "reassigned", reason, from_team=old_view.team.slug, to_team=to_team.slug)
    view = await view_of(ctx, request)
    await publish(ctx, view)
    # The old team's card stays, closed for them, saying where the request went.
    enqueue(
        ctx.session, recipient_kind=TEAM, recipient_id=old_view.team.id, now=ctx.now,
        message=Message(
            title=t(ctx.team_locale(old_view.team), "card.team.title", ref=view.ref, team=old_view.team.name),
            text=request.description,
            context=t(ctx.team_locale(old_view.team), "card.reassigned_away", team=to_team.name, reason=reason),
        ),
        card_key=messaging.team_card_key(request.id),
    )
    tell_requester(ctx, view, "notice.reassigned", from_team=old_view.team.name, reason=reason)
    if request.reassign_count >= FLAG_AFTER_REASSIGNMENTS and not request.flagged:
        request.flagged = True
        _event(ctx, request, None, "flagged", reassignments=request.reassign_count)
        for lead in {p.id: p for p in await teams.leads(ctx.session, old_view.team.id) + await teams.leads(ctx.session, to_team.id)}.values():
            tell_person(ctx, lead, "notice.flagged", ref=view.ref, count=request.reassign_count,
                        from_team=old_view.team.name, to_team=to_team.name)
    return request


async def reopen(ctx: Ctx, actor: Person, request_id: int) -> Request:
    request = await service.get(ctx.session, request_id)
    if request.requester_id != actor.id:
        raise UserError("perm.not_requester", ref=display_id(request.id))
    if request.status == REJECTED:
        raise UserError("request.reopen_rejected", ref=display_id(request.id))
    if request.status in OPEN:
        raise UserError("request.still_open", ref=display_id(request.id))
    if request.status != RESOLVED:
        raise UserError("request.not_resolved", ref=display_id(request.id))
    if request.resolved_at and ctx.now - request.resolved_at > timedelta(days=REOPEN_WINDOW_DAYS):
        raise UserError("request.reopen_expired", ref=display_id(request.id), days=REOPEN_WINDOW_DAYS)
    team = await teams.get(ctx.session, request.team_id)
    request.status = IN_PROGRESS if request.owner_id else NEW
    request.resolved_at = None
    clocks.start(request, team, ctx.now, first_response=False)
    _touch(ctx, request)
    _event(ctx, request, actor, "reopened")
    view = await view_of(ctx, request)
    await publish(ctx, view)
    tell_team(ctx, view, "notice.reopened", who=actor.name)
    return request


async def rate(ctx: Ctx, actor: Person, request_id: int, score: int, comment_text: str | None = None) -> Request:
    request = await service.get(ctx.session, request_id)
    if request.requester_id != actor.id:
        raise UserError("perm.not_requester", ref=display_id(request.id))
    if request.status != RESOLVED:
        raise UserError("request.not_resolved", ref=display_id(request.id))
    if not 1 <= score <= 5:
        raise UserError("input.bad_rating")
    comment_text = check_text(comment_text, field="comment") if comment_text and comment_text.strip() else None
    if await service.rating(ctx.session, request.id) is not None:
        raise UserError("request.already_rated", ref=display_id(request.id))
    try:
        # A savepoint: a double click racing this one hits the unique index, not a 500.
        async with ctx.session.begin_nested():
            ctx.session.add(RequestRating(request_id=request.id, score=score, comment=comment_text, created_at=ctx.now))
    except IntegrityError:
        raise UserError("request.already_rated", ref=display_id(request.id)) from None
    _event(ctx, request, actor, "rated", comment_text, score=score)
    view = await view_of(ctx, request)
    stars = messaging.stars(score)
    tell_team(ctx, view, "notice.rated", stars=f"{stars} — {comment_text}" if comment_text else stars)
    return request


async def add_rating_comment(ctx: Ctx, actor: Person, request_id: int, comment_text: str) -> Request:
    comment_text = check_text(comment_text, field="comment")
    request = await service.get(ctx.session, request_id)
    if request.requester_id != actor.id:
        raise UserError("perm.not_requester", ref=display_id(request.id))
    rating = await service.rating(ctx.session, request.id)
    if rating is None:
        raise UserError("request.not_rated", ref=display_id(request.id))
    if rating.comment:
        raise UserError("request.already_rated", ref=display_id(request.id))
    rating.comment = comment_text
    ctx.session.add(rating)
    _event(ctx, request, actor, "rating_comment", comment_text)
    view = await view_of(ctx, request)
    tell_team(ctx, view, "notice.rating_comment", comment=comment_text)
    return request


async def members_for_assign(ctx: Ctx, request_id: int) -> list[Person]:
    request = await service.get(ctx.session, request_id)
    return [person for person, _role in await teams.members(ctx.session, request.team_id)]
