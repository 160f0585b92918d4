"""/cliente ACME: one view of a customer across departments.

Requests follow their one visibility rule (bot.requests.visibility) here as
everywhere: the viewer reads the ones they may open, and only a count of the
rest, so they know the account is busy elsewhere and can ask its manager,
without a word of what others asked. Issues are open to everyone.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import Caller, Ctx
from bot.customers import risk
from bot.i18n import format_when, t
from bot.issues import flows as issue_flows
from bot.issues import messaging as issue_messaging
from bot.issues import service as issues
from bot.messages import Fact, Message
from bot.people import service as people
from bot.requests import flows, messaging, service, visibility
from bot.requests.states import request_id_of
from storage.models import Customer, RiskFlag

RECENT = timedelta(days=30)


async def render(ctx: Ctx, caller: Caller, customer: Customer) -> Message:
    """Account manager, risk flags, open issues with their last status and age,
    open and recently closed requests tagged with the customer."""
    locale, tz, viewer = caller.locale, caller.timezone, caller.person.id
    since = ctx.now - RECENT
    manager = await people.get(ctx.session, customer.account_manager_id) if customer.account_manager_id else None
    flags = await risk.active_flags(ctx.session, customer.id, since)
    risk_lines = [await _risk_line(ctx, caller, flag) for flag in flags]
    issue_lines = [
        issue_messaging.summary_line(await issue_flows.view_of(ctx, issue), locale, tz, ctx.now)
        for issue in await issues.active(ctx.session, customer.id)
    ]
    request_lines = [
        messaging.summary_line(await flows.view_of(ctx, request), locale, ctx.now, tz)
        for request in await service.of_customer(ctx.session, customer.id, since, viewer_id=viewer)
    ]
    hidden = await service.count_hidden_of_customer(ctx.session, customer.id, since, viewer_id=viewer)
    total_requests = len(request_lines) + hidden
    if hidden:
        request_lines.append(t(locale, "customer.requests_hidden_one" if hidden == 1 else "customer.requests_hidden",
                               count=hidden))
    fields = [
        Fact(label=t(locale, "field.account_manager"), value=manager.name if manager else "—"),
        Fact(label=t(locale, "customer.risk"), value="\n".join(risk_lines) or t(locale, "customer.no_risk")),
        Fact(label=t(locale, "customer.issues", count=len(issue_lines)),
             value="\n".join(issue_lines) or t(locale, "customer.no_issues")),
        Fact(label=t(locale, "customer.requests", count=total_requests),
             value="\n".join(request_lines) or t(locale, "customer.no_requests")),
    ]
    title = f"{customer.name} · #{customer.slug}" + (f" · {customer.tier}" if customer.tier else "")
    return Message(title=title, text=customer.notes or "", fields=fields,
                   context=("⚠ " + t(locale, "customer.at_risk")) if flags else None)


async def _risk_line(ctx: Ctx, caller: Caller, flag: RiskFlag) -> str:
    """A flag quotes the text that raised it: a request's words only for who may read that request."""
    locale, tz = caller.locale, caller.timezone
    signal, when = t(locale, f"signal.{flag.signal}"), format_when(flag.created_at, locale, tz)
    state = t(locale, f"risk_state_name.{flag.state}")
    request_id = request_id_of(flag.source_ref)
    if request_id is not None and not await visibility.can_see(ctx.session, caller.person, request_id):
        return t(locale, "customer.risk_line_hidden", signal=signal, when=when, state=state)
    return t(locale, "customer.risk_line", signal=signal, phrase=flag.phrase, ref=flag.source_ref, when=when,
             state=state)
