"""What Pedir says about a request: cards and notices, in the reader's language.

The team's card and the requester's card each have a card key, so every
state change edits them in place rather than posting again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import format_day, format_when, t
from bot.interaction import make
from bot.nudges import trail as nudge_trail
from bot.messages import Action, Fact, Message
from bot.requests.states import CLOSED, IN_PROGRESS, NEW, REQUEST, RESOLVED, WAITING_INFO, WITHDRAWN, display_id
from bot.sla import clocks
from bot.text import shorten
from storage.models import Customer, Person, Request, Team


def team_card_key(request_id: int) -> str:
    return f"request:{request_id}:team"


def requester_card_key(request_id: int) -> str:
    return f"request:{request_id}:requester"


def request_of_card(card_key: str | None) -> int | None:
    """The request a card key belongs to (team's or requester's card), if any."""
    kind, _, rest = (card_key or "").partition(":")
    request_id, _, side = rest.partition(":")
    return int(request_id) if kind == "request" and request_id.isdigit() and side else None


@dataclass
class RequestView:
    """A request with the people and team needed to describe it."""

    request: Request
    team: Team
    requester: Person
    owner: Person | None
    # The customer the "#tag" names, once Pedir knows it: cards show its name.
    customer: Customer | None = None
    # What the bot already did about it (bot.nudges.trail), oldest first.
    trail: list[nudge_trail.Entry] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return display_id(self.request.id)


def button(locale: str | None, name: str, request_id: int, style: str = "default") -> Action:
    return Action(
        id=f"request.{name}", label=t(locale, f"action.{name}"), value=make(f"request.{name}", REQUEST, request_id),
        style=style
    )


def facts(view: RequestView, locale: str | None, tz: str) -> list[Fact]:
    request = view.request
    rows = [
        Fact(label=t(locale, "field.requester"), value=view.requester.name),
        Fact(label=t(locale, "field.status"), value=t(locale, f"status.{request.status}")),
        Fact(label=t(locale, "field.priority"), value=t(locale, f"priority.{request.priority}")),
        Fact(
            label=t(locale, "field.owner"),
            value=view.owner.name if view.owner else t(locale, "field.nobody"),
        ),
    ]
    if view.customer is not None:
        rows.append(Fact(label=t(locale, "field.customer"), value=view.customer.name))
    elif request.customer:
        rows.append(Fact(label=t(locale, "field.customer"), value=f"#{request.customer}"))
    if request.due_date:
        rows.append(Fact(label=t(locale, "field.due"), value=format_day(request.due_date, locale)))
    return rows


def sla_line(view: RequestView, locale: str | None, tz: str, now: datetime) -> str:
    request, home = view.request, view.team.timezone
    if request.status == WITHDRAWN:
        return t(locale, "sla.withdrawn")
    if request.status in CLOSED:
        met = request.resolution_met
        if met is None:
            return t(locale, f"status.{request.status}")
        return t(locale, "sla.kept" if met else "sla.missed")
    if request.sla_paused_remaining is not None:
        return t(locale, "sla.paused")
    parts = []
    if request.first_response_due_at:
        parts.append(t(locale, "sla.first_response_by", when=format_when(request.first_response_due_at, locale, tz, home_tz=home)))
    if request.resolution_due_at:
        parts.append(t(locale, "sla.resolution_by", when=format_when(request.resolution_due_at, locale, tz, home_tz=home)))
    state = clocks.state(request, view.team, now)
    if state in ("at_risk", "breached"):
        parts.insert(0, t(locale, f"sla.state.{state}"))
    return " · ".join(parts)


def context_line(view: RequestView, locale: str | None, tz: str, now: datetime) -> str:
    """The small print of a card: its SLA, and under it what the bot already did."""
    trail = nudge_trail.line(view.trail, locale, tz, home_tz=view.team.timezone)
    return "\n".join(part for part in (sla_line(view, locale, tz, now), trail) if part)


def team_card(view: RequestView, locale: str | None, now: datetime, tz: str | None = None) -> Message:
    """The team channel's card; `tz` shows its times to someone elsewhere (/pedir ver)."""
    request, tz = view.request, tz or view.team.timezone
    actions: list[Action] = []
    if request.status in (NEW, IN_PROGRESS, WAITING_INFO):
        if request.owner_id is None:
            actions.append(button(locale, "claim", request.id, "primary"))
        actions.append(button(locale, "assign", request.id))
        if request.status != WAITING_INFO:
            actions.append(button(locale, "ask_info", request.id))
        actions += [
            button(locale, "resolve", request.id, "primary" if request.owner_id else "default"),
            button(locale, "reject", request.id, "danger"),
            button(locale, "reassign", request.id),
            button(locale, "comment", request.id),
        ]
    return Message(
        title=t(locale, "card.team.title", ref=view.ref, team=view.team.name),
        text=request.description,
        fields=facts(view, locale, tz),
        actions=actions,
        context=context_line(view, locale, tz, now),
    )


def requester_card(view: RequestView, now: datetime) -> Message:
    request, person = view.request, view.requester
    locale, tz = person.locale, person.timezone or view.team.timezone
    actions: list[Action] = []
    if request.status in (NEW, IN_PROGRESS, WAITING_INFO):
        actions.append(button(locale, "comment", request.id))
        actions.append(button(locale, "withdraw", request.id))
    if request.status == RESOLVED:
        actions.append(button(locale, "reopen", request.id))
    return Message(
        title=t(locale, "card.requester.title", ref=view.ref, team=view.team.name),
        text=request.description,
        fields=facts(view, locale, tz),
        actions=actions,
        context=context_line(view, locale, tz, now),
    )


def stars(score: int) -> str:
    """A rating as people read it: '★★★★☆'."""
    return "★" * score + "☆" * (5 - score)


def rating_prompt(view: RequestView) -> Message:
    locale = view.requester.locale
    return Message(
        text=t(locale, "rating.prompt", ref=view.ref, team=view.team.name),
        actions=[
            Action(id="request.rate", label=f"{'★' * score}", value=make("request.rate", REQUEST, view.request.id, str(score)))
            for score in range(1, 6)
        ],
    )


def summary_line(view: RequestView, locale: str | None, now: datetime, tz: str | None = None) -> str:
    """One line for lists: 'PED-12 · Facturación · En curso · Resolución antes de …', in the reader's zone `tz`."""
    request = view.request
    bits = [view.ref, view.team.name, t(locale, f"status.{request.status}")]
    if view.owner:
        bits.append(view.owner.name)
    sla = sla_line(view, locale, tz or view.team.timezone, now)
    if sla:
        bits.append(sla)
    return " · ".join(bits) + f"\n    {shorten(request.description)}"
