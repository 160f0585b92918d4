"""The notes under "Creado PED-3 para …": what Pedir took from the text, and
what it could not, so nothing typed is dropped without a word."""

from __future__ import annotations

from bot.context import Caller
from bot.i18n import format_day, format_when, t
from bot.requests import flows
from bot.requests.commands import parser as p
from bot.requests.states import display_id
from storage.models import Request, Team


def on_creation(caller: Caller, cmd: p.NewRequest, request: Request, team: Team, other_teams: list[Team]) -> list[str]:
    loc, ref = caller.locale, display_id(request.id)
    notes = []
    if cmd.due_phrase and request.due_date:
        notes.append(t(loc, "reply.due_from_text", day=format_day(request.due_date, loc), phrase=cmd.due_phrase))
    elif cmd.unread_due and request.due_date is None:
        key = "reply.due_past" if cmd.unread_due_past else "reply.due_unread"
        notes.append(t(loc, key, phrase=cmd.unread_due, ref=ref))
    if other_teams:
        names = ", ".join(f"@{other.slug}" for other in other_teams)
        notes.append(t(loc, "reply.other_teams", team=team.name, others=names))
    if flows.due_before_resolution(request, team):
        notes.append(t(loc, "reply.due_before_sla", day=format_day(request.due_date, loc), team=team.name,
                       when=format_when(request.resolution_due_at, loc, caller.timezone, home_tz=team.timezone)))
    return notes
