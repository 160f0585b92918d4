"""Answers to /pedir. Each handler runs inside the caller's transaction."""

from __future__ import annotations

from bot.commands.replies import listing
from bot.context import Caller, Ctx
from bot.customers import service as customers
from bot.dashboard import panel
from bot.errors import UserError
from bot.i18n import format_when, t
from bot.interaction import make
from bot.messages import Action, Message, Reply
from bot.people import language
from bot.people import service as people
from bot.requests import flows, messaging, service, visibility
from bot.requests.commands import drafts, forms, notes
from bot.requests.commands import parser as p
from bot.requests.states import DRAFT, display_id
from bot.teams import routing
from bot.teams import service as teams
from bot.text import shorten
from storage.models import Team

TIMELINE_LENGTH = 10


async def handle(ctx: Ctx, caller: Caller, cmd: p.Command) -> Reply:
    match cmd:
        case p.NewRequest():
            return await new_request(ctx, caller, cmd)
        case p.OpenForm():
            return Reply(form=forms.new_request(caller.locale, await teams.all_teams(ctx.session)))
        case p.Help():
            return Reply.text(help_text(ctx, caller))
        case p.Mine():
            return await mine(ctx, caller)
        case p.Panel():
            return await panel.link_reply(ctx, caller)
        case p.Queue(team=token):
            return await queue(ctx, caller, token)
        case p.View(request_id=rid):
            return await view(ctx, caller, rid)
        case p.Language(code=code):
            return await language.choose(ctx, caller, code)
    return await lifecycle(ctx, caller, cmd)


def help_text(ctx: Ctx, caller: Caller) -> str:
    """Its own commands, then a line for each command of the other domains."""
    others = ctx.commands.help_lines(caller.locale, besides="requests") if ctx.commands else []
    return "\n".join([t(caller.locale, "help.text"), *others])


def team_choices(text: str, teams_: list[Team], draft_id: str) -> Reply:
    """A question with one button per team; the draft keeps the rest of the request."""
    return Reply(message=Message(text=text, actions=[
        Action(id="route.pick", label=f"@{team.slug} · {team.name}", value=make("route.pick", DRAFT, draft_id, team.slug))
        for team in teams_
    ]))


def did_you_mean(locale: str | None, token: str, suggestions: list[Team]) -> str:
    names = [f"@{team.slug}" for team in suggestions]
    choices = names[0] if len(names) == 1 else ", ".join(names[:-1]) + t(locale, "reply.or") + names[-1]
    return t(locale, "reply.did_you_mean", team=token, choices=choices)


async def new_request(ctx: Ctx, caller: Caller, cmd: p.NewRequest, *, customer_checked: bool = False) -> Reply:
    if cmd.customer and not customer_checked and (asked := await ask_customer(ctx, caller, cmd)):
        return asked
    all_teams = await teams.all_teams(ctx.session)
    if cmd.team:
        match = routing.resolve(cmd.team, all_teams)
        if match.team:
            return await create(ctx, caller, match.team, cmd)
        if match.suggestions:
            text = did_you_mean(caller.locale, f"@{cmd.team}", match.suggestions)
            return team_choices(text, match.suggestions, await drafts.save(ctx, caller, cmd, customer_checked=True))
        text = t(caller.locale, "reply.unknown_team", team=f"@{cmd.team}")
        return team_choices(text, all_teams, await drafts.save(ctx, caller, cmd, customer_checked=True))
    suggested = routing.suggest_by_keywords(cmd.description, all_teams)
    text = t(caller.locale, "reply.suggest_teams" if suggested else "reply.choose_team")
    return team_choices(text, suggested or all_teams, await drafts.save(ctx, caller, cmd, customer_checked=True))


async def ask_customer(ctx: Ctx, caller: Caller, cmd: p.NewRequest) -> Reply | None:
    """A tag that names no customer but nearly one ("#ACMEE"): which was meant?
    None when the tag is known, or like no customer at all (a new one is fine)."""
    if await customers.find(ctx.session, cmd.customer or "") is not None:
        return None
    near = customers.suggestions(cmd.customer or "", await customers.all_customers(ctx.session))
    if not near:
        return None
    draft_id = await drafts.save(ctx, caller, cmd)
    loc = caller.locale
    actions = [Action(id="request.pick_customer", label=f"#{c.slug} · {c.name}",
                      value=make("request.pick_customer", DRAFT, draft_id, c.slug)) for c in near]
    actions.append(Action(id="request.pick_customer", label=t(loc, "action.keep_customer", customer=cmd.customer),
                          value=make("request.pick_customer", DRAFT, draft_id, "")))
    return Reply(message=Message(text=t(loc, "reply.customer_did_you_mean", customer=cmd.customer), actions=actions))


async def create(ctx: Ctx, caller: Caller, team: Team, cmd: p.NewRequest) -> Reply:
    request = await flows.create(
        ctx, caller.person, team, cmd.description, customer=cmd.customer,
        priority=cmd.priority, due=cmd.due, today=caller.today(ctx.now),
    )
    held = await flows.hold_if_unreachable(ctx, request, team)
    sla = ""
    if request.first_response_due_at:
        sla = t(caller.locale, "sla.first_response_by",
                when=format_when(request.first_response_due_at, caller.locale, caller.timezone, home_tz=team.timezone))
    text = t(caller.locale, "reply.created", ref=display_id(request.id), team=team.name, sla=sla).strip()
    all_teams = await teams.all_teams(ctx.session) if cmd.other_mentions else []
    others = [found for token in cmd.other_mentions
              if (found := routing.resolve(token, all_teams).team) and found.id != team.id]
    lines = [text, *notes.on_creation(caller, cmd, request, team, others)]
    if held is not None:
        lines.append(f"\n{held.warning(caller.locale)}")
    return Reply.text("\n".join(lines))


async def mine(ctx: Ctx, caller: Caller) -> Reply:
    requests = await service.open_by_requester(ctx.session, caller.person.id, viewer_id=caller.person.id)
    if not requests:
        return Reply.text(t(caller.locale, "reply.mine.empty"))
    lines = [messaging.summary_line(await flows.view_of(ctx, req), caller.locale, ctx.now, caller.timezone)
             for req in requests]
    return listing(t(caller.locale, "reply.mine.title", count=len(requests)), lines)


async def queue(ctx: Ctx, caller: Caller, team_token: str | None) -> Reply:
    """One team's queue; without a team, each of the caller's teams, one after the other."""
    if team_token:
        team = await teams.find(ctx.session, team_token)
        if not await teams.is_member(ctx.session, caller.person.id, team.id):
            raise UserError("perm.queue", team=team.name, slug=team.slug)
        own = [team]
    else:
        own = await teams.teams_of(ctx.session, caller.person.id)
        if not own:
            raise UserError("input.queue_team")
    sections = [await queue_section(ctx, caller, team) for team in own]
    if len(sections) == 1:
        title, lines = sections[0]
        return listing(title, lines) if lines else Reply.text(title)
    text = "\n\n".join("\n".join([f"*{title}*", *lines]) for title, lines in sections)
    total = sum(len(lines) for _title, lines in sections)
    return Reply(message=Message(title=t(caller.locale, "reply.queues.title", count=total), text=text))


async def queue_section(ctx: Ctx, caller: Caller, team: Team) -> tuple[str, list[str]]:
    """A team's queue as (title, lines); an empty queue is its title alone, saying so."""
    requests = await service.queue(ctx.session, team.id, viewer_id=caller.person.id)
    if not requests:
        return t(caller.locale, "reply.queue.empty", team=team.name), []
    lines = [messaging.summary_line(await flows.view_of(ctx, req), caller.locale, ctx.now, caller.timezone)
             for req in requests]
    return t(caller.locale, "reply.queue.title", team=team.name, count=len(requests)), lines


async def view(ctx: Ctx, caller: Caller, request_id: int) -> Reply:
    request = await service.get(ctx.session, request_id)
    if not await visibility.can_see(ctx.session, caller.person, request.id):
        team = await teams.get(ctx.session, request.team_id)
        raise UserError("perm.not_party", ref=display_id(request.id), team=team.name)
    v = await flows.view_of(ctx, request)
    names: dict[int, str] = {}
    lines = []
    for event in (await service.timeline(ctx.session, request.id))[-TIMELINE_LENGTH:]:
        if event.actor_id and event.actor_id not in names:
            names[event.actor_id] = (await people.get(ctx.session, event.actor_id)).name
        who = names.get(event.actor_id or 0, "Pedir")
        when = format_when(event.created_at, caller.locale, caller.timezone, home_tz=v.team.timezone)
        detail = f": {shorten(event.text, 120)}" if event.text and event.kind != "created" else ""
        if event.kind == "rated" and isinstance(score := (event.data or {}).get("score"), int):
            detail = f": {messaging.stars(score)}" + (f" — {shorten(event.text, 120)}" if event.text else "")
        lines.append(f"{when} · {who} {t(caller.locale, 'event.' + event.kind)}{detail}")
    card = messaging.team_card(v, caller.locale, ctx.now, caller.timezone)
    card.actions = []  # buttons belong to the cards in the channel and the DM
    card.text += f"\n\n*{t(caller.locale, 'reply.view.timeline')}*\n" + "\n".join(lines)
    return Reply(message=card)


async def lifecycle(ctx: Ctx, caller: Caller, cmd: object) -> Reply:
    """The text forms of the card buttons: /pedir tomar PED-12, /pedir resolver PED-12 nota…"""
    me, loc = caller.person, caller.locale
    match cmd:
        case p.Claim(request_id=rid):
            await flows.claim(ctx, me, rid)
            return Reply.text(t(loc, "reply.claimed", ref=display_id(rid)))
        case p.Assign(request_id=rid, assignee=handle):
            assignee = await people.by_handle(ctx.session, handle)
            if assignee is None:
                raise UserError("input.unknown_person", value=handle)
            await flows.assign(ctx, me, rid, assignee)
            return Reply.text(t(loc, "reply.assigned", ref=display_id(rid), person=assignee.name))
        case p.AskInfo(request_id=rid, question=question):
            request = await flows.ask_info(ctx, me, rid, question)
            requester = await people.get(ctx.session, request.requester_id)
            return Reply.text(t(loc, "reply.info_requested", ref=display_id(rid), person=requester.name))
        case p.Comment(request_id=rid, text=text):
            await flows.comment(ctx, me, rid, text)
            return Reply.text(t(loc, "reply.commented", ref=display_id(rid)))
        case p.Resolve(request_id=rid, note=note):
            await flows.resolve(ctx, me, rid, note)
            return Reply.text(t(loc, "reply.resolved", ref=display_id(rid)))
        case p.Reject(request_id=rid, reason=reason):
            await flows.reject(ctx, me, rid, reason)
            return Reply.text(t(loc, "reply.rejected", ref=display_id(rid)))
        case p.Reassign(request_id=rid, team=token, reason=reason):
            team = await teams.find(ctx.session, token)
            await flows.reassign(ctx, me, rid, team, reason)
            return Reply.text(t(loc, "reply.reassigned", ref=display_id(rid), team=team.name))
        case p.Reopen(request_id=rid):
            await flows.reopen(ctx, me, rid)
            return Reply.text(t(loc, "reply.reopened", ref=display_id(rid)))
        case p.Withdraw(request_id=rid, reason=reason):
            view = await flows.withdraw(ctx, me, rid, reason)
            return Reply.text(t(loc, "reply.withdrawn", ref=view.ref, team=view.team.name))
        case p.Rate(request_id=rid, score=score, comment=comment):
            await flows.rate(ctx, me, rid, score, comment)
            return Reply.text(t(loc, "reply.rated", ref=display_id(rid)))
    raise TypeError(f"not a request command: {cmd!r}")


def thread_reply(card_key: str):  # noqa: ANN201
    """A reply in the thread of a request's card is a comment on it."""
    request_id = messaging.request_of_card(card_key)
    if request_id is None:
        return None

    async def comment(ctx: Ctx, caller: Caller, text: str) -> Reply:
        return await lifecycle(ctx, caller, p.Comment(request_id, text))
    return comment
