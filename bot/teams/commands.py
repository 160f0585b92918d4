"""/equipos and /equipo: the team directory and a team's card, parsed and answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.commands.grammar import ParseError
from bot.commands.replies import duration, listing
from bot.context import Caller, Ctx
from bot.i18n import format_share, t
from bot.messages import Fact, Message, Reply
from bot.requests import service as requests
from bot.requests.states import PRIORITIES
from bot.sla import clocks
from bot.teams import card
from bot.teams import service as teams
from bot.text import shorten


@dataclass(frozen=True)
class ListTeams:
    pass


@dataclass(frozen=True)
class ShowTeam:
    team: str


@dataclass(frozen=True)
class EditCard:  # "/equipo editar [@x]": the customer card's form
    team: str | None


EDIT_WORDS = ("editar", "edit")


def _team_named(text: str) -> str:
    return " ".join(text.split()).lstrip("@").strip()


def parse_teams(text: str, _today: date, _english: bool) -> ListTeams | ShowTeam:
    # "/equipos soporte" shows that team, as "/equipo soporte" would.
    team = _team_named(text)
    return ShowTeam(team) if team else ListTeams()


def parse_team(text: str, _today: date, english: bool) -> ShowTeam | EditCard | ParseError:
    team = _team_named(text)
    first, _, rest = team.partition(" ")
    if first.casefold() in EDIT_WORDS:
        return EditCard(_team_named(rest) or None)
    return ShowTeam(team) if team else ParseError("missing_argument", "team" if english else "equipo")


async def handle(ctx: Ctx, caller: Caller, cmd: ListTeams | ShowTeam | EditCard) -> Reply:
    if isinstance(cmd, EditCard):
        return await card.open_form(ctx, caller, cmd.team)
    if isinstance(cmd, ShowTeam):
        return await show_team(ctx, caller, cmd.team)
    return await list_teams(ctx, caller)


async def list_teams(ctx: Ctx, caller: Caller) -> Reply:
    all_teams = await teams.all_teams(ctx.session)
    lines = [f"@{team.slug} · {team.name} — {shorten(team.what_we_do, 100)}" for team in all_teams]
    return listing(t(caller.locale, "reply.teams.title", count=len(all_teams)), lines)


async def show_team(ctx: Ctx, caller: Caller, token: str) -> Reply:
    team = await teams.find(ctx.session, token)
    loc = caller.locale
    lead = ", ".join(p.name for p in await teams.leads(ctx.session, team.id)) or "—"
    promise = []
    for priority in PRIORITIES:
        first, resolution = clocks.targets(team, priority)
        promise.append(t(loc, "reply.team.promise_line", priority=t(loc, f"priority.{priority}"),
                         first=duration(loc, first), resolution=duration(loc, resolution)))
    record = await requests.sla_record(ctx.session, team.id, ctx.now)
    if record.resolution_share is None:
        record_text = t(loc, "reply.team.record_none")
    else:
        key = "reply.team.record_line_one" if record.closed == 1 else "reply.team.record_line"
        record_text = t(loc, key, share=format_share(record.resolution_share, loc), count=record.closed)
    fields = [
        Fact(label=t(loc, "reply.team.customers"), value=team.our_customers or "—"),
        Fact(label=t(loc, "card.q.customer_needs"), value=team.customer_needs or "—"),
        Fact(label=t(loc, "card.q.customer_usage"), value=team.customer_usage or "—"),
        Fact(label=t(loc, "reply.team.ask"), value=team.ask_us_for or "—"),
        Fact(label=t(loc, "reply.team.needs"), value=team.we_need_from_you or "—"),
        Fact(label=t(loc, "card.reviewed"), value=card.reviewed_text(team, ctx.now, loc)),
        Fact(label=t(loc, "reply.team.lead"), value=lead),
        Fact(label=t(loc, "reply.team.promise"), value="\n".join(promise)),
        Fact(label=t(loc, "reply.team.record"), value=record_text),
    ]
    return Reply(message=Message(title=f"@{team.slug} · {team.name}", text=team.what_we_do, fields=fields))
