"""Answers to parsed commands. Each handler runs inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.commands import forms, parser
from bot.commands import replies as r
from bot.errors import UserError
from bot.i18n import format_share, format_when, t
from bot.messages import Fact, Message, Reply
from bot.people import service as people
from bot.requests import flows, messaging, service
from bot.requests.states import PRIORITIES, display_id
from bot.sla import clocks
from bot.teams import routing
from bot.teams import service as teams
from storage.models import Draft, Person, Team

# ParseError code -> catalog key of the message shown.
PARSE_ERROR_KEYS = {
    "empty_description": "input.empty.description",
    "too_long": "input.too_long",
    "bad_date": "input.bad_date",
    "past_date": "input.past_date",
    "bad_request_id": "input.bad_request_id",
    "bad_rating": "input.bad_rating",
    "bad_assignee": "input.unknown_person",
    "bad_team": "input.missing_argument",
    "missing_argument": "input.missing_argument",
    "unknown_command": "input.unknown_command",
    "bad_issue_id": "input.bad_issue_id",
    "bad_severity": "input.bad_severity",
    "missing_customer": "input.missing_customer",
    "empty_title": "input.empty.title",
    "empty_status": "input.empty.status",
}
TIMELINE_LENGTH = 10


@dataclass
class Caller:
    """The person acting, with the language and time zone their answers use."""

    person: Person
    locale: str
    timezone: str

    def today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.timezone)).date()


def parse_error(caller: Caller, error: parser.ParseError) -> UserError:
    key = PARSE_ERROR_KEYS.get(error.code, "input.unknown_command")
    if error.code == "too_long":
        length, _, limit = error.detail.partition("/")
        return UserError(key, limit=limit or parser.MAX_TEXT, length=length or "?")
    return UserError(key, value=error.detail)


async def find_team(ctx: flows.Ctx, token: str) -> Team:
    """The team a user named, or a UserError with the closest names."""
    all_teams = await teams.all_teams(ctx.session)
    match = routing.resolve(token, all_teams)
    if match.team:
        return match.team
    if match.suggestions:
        raise UserError("reply.did_you_mean", team=token, choices=", ".join(f"@{s.slug}" for s in match.suggestions))
    # No buttons go with this error, so the list must be in the text itself.
    raise UserError("reply.unknown_team_list", team=token, choices=", ".join(f"@{s.slug}" for s in all_teams))


async def new_request(ctx: flows.Ctx, caller: Caller, cmd: parser.NewRequest) -> Reply:
    all_teams = await teams.all_teams(ctx.session)
    if cmd.team:
        match = routing.resolve(cmd.team, all_teams)
        if match.team:
            return await create(ctx, caller, match.team, cmd)
        if match.suggestions:
            text = r.did_you_mean(caller.locale, f"@{cmd.team}", match.suggestions)
            return r.team_choices(caller.locale, text, match.suggestions, await save_draft(ctx, caller, cmd))
        text = t(caller.locale, "reply.unknown_team", team=f"@{cmd.team}")
        return r.team_choices(caller.locale, text, all_teams, await save_draft(ctx, caller, cmd))
    suggested = routing.suggest_by_keywords(cmd.description, all_teams)
    text = t(caller.locale, "reply.suggest_teams" if suggested else "reply.choose_team")
    return r.team_choices(caller.locale, text, suggested or all_teams, await save_draft(ctx, caller, cmd))


async def save_draft(ctx: flows.Ctx, caller: Caller, cmd: parser.NewRequest) -> str:
    draft = Draft(
        id=str(uuid.uuid4()), person_id=caller.person.id, created_at=ctx.now,
        payload={"description": cmd.description, "customer": cmd.customer, "priority": cmd.priority,
                 "due": cmd.due.isoformat() if cmd.due else None},
    )
    ctx.session.add(draft)
    return draft.id


async def create(ctx: flows.Ctx, caller: Caller, team: Team, cmd: parser.NewRequest) -> Reply:
    request = await flows.create(
        ctx, caller.person, team, cmd.description, customer=cmd.customer,
        priority=cmd.priority, due=cmd.due, today=caller.today(ctx.now),
    )
    sla = ""
    if request.first_response_due_at:
        sla = t(caller.locale, "sla.first_response_by",
                when=format_when(request.first_response_due_at, caller.locale, caller.timezone))
    return Reply.text(t(caller.locale, "reply.created", ref=display_id(request.id), team=team.name, sla=sla).strip())


async def mine(ctx: flows.Ctx, caller: Caller) -> Reply:
    requests = await service.open_by_requester(ctx.session, caller.person.id)
    if not requests:
        return Reply.text(t(caller.locale, "reply.mine.empty"))
    lines = [messaging.summary_line(await flows.view_of(ctx, req), caller.locale, ctx.now) for req in requests]
    return r.listing(t(caller.locale, "reply.mine.title", count=len(requests)), lines)


async def queue(ctx: flows.Ctx, caller: Caller, team_token: str | None) -> Reply:
    if team_token:
        team = await find_team(ctx, team_token)
    else:
        own = await teams.teams_of(ctx.session, caller.person.id)
        if not own:
            raise UserError("input.queue_team")
        team = own[0]
    if not await teams.is_member(ctx.session, caller.person.id, team.id):
        raise UserError("perm.queue", team=team.name, slug=team.slug)
    requests = await service.queue(ctx.session, team.id)
    if not requests:
        return Reply.text(t(caller.locale, "reply.queue.empty", team=team.name))
    lines = [messaging.summary_line(await flows.view_of(ctx, req), caller.locale, ctx.now) for req in requests]
    return r.listing(t(caller.locale, "reply.queue.title", team=team.name, count=len(requests)), lines)


async def view(ctx: flows.Ctx, caller: Caller, request_id: int) -> Reply:
    request = await service.get(ctx.session, request_id)
    if request.requester_id != caller.person.id and not await teams.is_member(
        ctx.session, caller.person.id, request.team_id
    ):
        team = await teams.get(ctx.session, request.team_id)
        raise UserError("perm.not_party", ref=display_id(request.id), team=team.name)
    v = await flows.view_of(ctx, request)
    names: dict[int, str] = {}
    lines = []
    for event in (await service.timeline(ctx.session, request.id))[-TIMELINE_LENGTH:]:
        if event.actor_id and event.actor_id not in names:
            names[event.actor_id] = (await people.get(ctx.session, event.actor_id)).name
        who = names.get(event.actor_id or 0, "Pedir")
        when = format_when(event.created_at, caller.locale, caller.timezone)
        detail = f": {messaging.shorten(event.text, 120)}" if event.text and event.kind != "created" else ""
        lines.append(f"{when} · {who} {t(caller.locale, 'event.' + event.kind)}{detail}")
    card = messaging.team_card(v, caller.locale, ctx.now)
    card.actions = []  # buttons belong to the cards in the channel and the DM
    card.text += f"\n\n*{t(caller.locale, 'reply.view.timeline')}*\n" + "\n".join(lines)
    return Reply(message=card)


async def list_teams(ctx: flows.Ctx, caller: Caller) -> Reply:
    all_teams = await teams.all_teams(ctx.session)
    lines = [f"@{team.slug} · {team.name} — {messaging.shorten(team.what_we_do, 100)}" for team in all_teams]
    return r.listing(t(caller.locale, "reply.teams.title", count=len(all_teams)), lines)


async def show_team(ctx: flows.Ctx, caller: Caller, token: str) -> Reply:
    team = await find_team(ctx, token)
    loc = caller.locale
    lead = ", ".join(p.name for p in await teams.leads(ctx.session, team.id)) or "—"
    promise = []
    for priority in PRIORITIES:
        first, resolution = clocks.targets(team, priority)
        promise.append(t(loc, "reply.team.promise_line", priority=t(loc, f"priority.{priority}"),
                         first=r.duration(loc, first), resolution=r.duration(loc, resolution)))
    record = await service.sla_record(ctx.session, team.id, ctx.now)
    if record.resolution_share is None:
        record_text = t(loc, "reply.team.record_none")
    else:
        key = "reply.team.record_line_one" if record.closed == 1 else "reply.team.record_line"
        record_text = t(loc, key, share=format_share(record.resolution_share, loc), count=record.closed)
    fields = [
        Fact(label=t(loc, "reply.team.customers"), value=team.our_customers or "—"),
        Fact(label=t(loc, "reply.team.ask"), value=team.ask_us_for or "—"),
        Fact(label=t(loc, "reply.team.needs"), value=team.we_need_from_you or "—"),
        Fact(label=t(loc, "reply.team.lead"), value=lead),
        Fact(label=t(loc, "reply.team.promise"), value="\n".join(promise)),
        Fact(label=t(loc, "reply.team.record"), value=record_text),
    ]
    return Reply(message=Message(title=f"@{team.slug} · {team.name}", text=team.what_we_do, fields=fields))


async def lifecycle(ctx: flows.Ctx, caller: Caller, cmd: object) -> Reply:
    """The text forms of the card buttons: /pedir tomar PED-12, /pedir resolver PED-12 nota…"""
    me, loc = caller.person, caller.locale
    match cmd:
        case parser.Claim(request_id=rid):
            await flows.claim(ctx, me, rid)
            return Reply.text(t(loc, "reply.claimed", ref=display_id(rid)))
        case parser.Assign(request_id=rid, assignee=handle):
            assignee = await people.by_handle(ctx.session, handle)
            if assignee is None:
                raise UserError("input.unknown_person", value=handle)
            await flows.assign(ctx, me, rid, assignee)
            return Reply.text(t(loc, "reply.assigned", ref=display_id(rid), person=assignee.name))
        case parser.AskInfo(request_id=rid, question=question):
            request = await flows.ask_info(ctx, me, rid, question)
            requester = await people.get(ctx.session, request.requester_id)
            return Reply.text(t(loc, "reply.info_requested", ref=display_id(rid), person=requester.name))
        case parser.Comment(request_id=rid, text=text):
            await flows.comment(ctx, me, rid, text)
            return Reply.text(t(loc, "reply.commented", ref=display_id(rid)))
        case parser.Resolve(request_id=rid, note=note):
            await flows.resolve(ctx, me, rid, note)
            return Reply.text(t(loc, "reply.resolved", ref=display_id(rid)))
        case parser.Reject(request_id=rid, reason=reason):
            await flows.reject(ctx, me, rid, reason)
            return Reply.text(t(loc, "reply.rejected", ref=display_id(rid)))
        case parser.Reassign(request_id=rid, team=token, reason=reason):
            team = await find_team(ctx, token)
            await flows.reassign(ctx, me, rid, team, reason)
            return Reply.text(t(loc, "reply.reassigned", ref=display_id(rid), team=team.name))
        case parser.Reopen(request_id=rid):
            await flows.reopen(ctx, me, rid)
            return Reply.text(t(loc, "reply.reopened", ref=display_id(rid)))
        case parser.Rate(request_id=rid, score=score, comment=comment):
            await flows.rate(ctx, me, rid, score, comment)
            return Reply.text(t(loc, "reply.rated", ref=display_id(rid)))
    raise TypeError(f"not a lifecycle command: {cmd!r}")


async def handle(ctx: flows.Ctx, caller: Caller, cmd: object) -> Reply:
    match cmd:
        case parser.ParseError():
            raise parse_error(caller, cmd)
        case parser.NewRequest():
            return await new_request(ctx, caller, cmd)
        case parser.OpenForm():
            return Reply(form=forms.new_request(caller.locale, await teams.all_teams(ctx.session)))
        case parser.Help():
            return Reply.text(t(caller.locale, "help.text"))
        case parser.Mine():
            return await mine(ctx, caller)
        case parser.Queue(team=token):
            return await queue(ctx, caller, token)
        case parser.View(request_id=rid):
            return await view(ctx, caller, rid)
        case parser.ListTeams():
            return await list_teams(ctx, caller)
        case parser.ShowTeam(team=token):
            return await show_team(ctx, caller, token)
    from bot.commands import issue_handlers  # it builds on Caller and find_team, defined here

    if issue_handlers.handles(cmd):
        return await issue_handlers.handle(ctx, caller, cmd)
    return await lifecycle(ctx, caller, cmd)
