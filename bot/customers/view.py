"""/cliente ACME: one view of a customer across departments."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Ctx
from bot.customers import risk
from bot.i18n import format_when, t
from bot.issues import flows as issue_flows
from bot.issues import messaging as issue_messaging
from bot.issues import service as issues
from bot.messages import Fact, Message
from bot.people import service as people
from bot.requests import flows, messaging, service
from storage.models import Customer

RECENT = timedelta(days=30)


async def render(ctx: Ctx, customer: Customer, locale: str, tz: str) -> Message:
    """Account manager, risk flags, open issues with their last status and age,
    open and recently closed requests tagged with the customer."""
    since = ctx.now - RECENT
    manager = await people.get(ctx.session, customer.account_manager_id) if customer.account_manager_id else None
    flags = await risk.active_flags(ctx.session, customer.id, since)
    risk_lines = [
        t(locale, "customer.risk_line", signal=t(locale, f"signal.{flag.signal}"), phrase=flag.phrase,
          ref=flag.source_ref, when=format_when(flag.created_at, locale, tz),
          state=t(locale, f"risk_state_name.{flag.state}"))
        for flag in flags
    ]
    issue_lines = [
        issue_messaging.summary_line(await issue_flows.view_of(ctx, issue), locale, tz, ctx.now)
        for issue in await issues.active(ctx.session, customer.id)
    ]
    request_lines = [
        messaging.summary_line(await flows.view_of(ctx, request), locale, ctx.now)
        for request in await service.of_customer(ctx.session, customer.id, since)
    ]
    fields = [
        Fact(label=t(locale, "field.account_manager"), value=manager.name if manager else "—"),
        Fact(label=t(locale, "customer.risk"), value="\n".join(risk_lines) or t(locale, "customer.no_risk")),
        Fact(label=t(locale, "customer.issues", count=len(issue_lines)),
             value="\n".join(issue_lines) or t(locale, "customer.no_issues")),
        Fact(label=t(locale, "customer.requests", count=len(request_lines)),
             value="\n".join(request_lines) or t(locale, "customer.no_requests")),
    ]
    title = f"{customer.name} · #{customer.slug}" + (f" · {customer.tier}" if customer.tier else "")
    return Message(title=title, text=customer.notes or "", fields=fields,
                   context=("⚠ " + t(locale, "customer.at_risk")) if flags else None)
