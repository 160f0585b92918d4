"""What a team's daily digest says: its open requests by SLA state (the worst
few named), its issues whose update is due by the end of the day, and the
customers it works for that carry an undecided churn-risk flag of the last
week. None when there is nothing to say."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import or_, select

from bot.context import Ctx
from bot.customers import risk
from bot.i18n import format_day, format_when, t
from bot.issues.states import ACTIVE as ISSUE_ACTIVE
from bot.issues.states import display_id as issue_ref
from bot.messages import Message
from bot.requests.states import OPEN as REQUEST_OPEN
from bot.requests.states import display_id as request_ref
from bot.sla import clocks
from bot.teams import card
from storage.models import Customer, Issue, Request, RiskFlag, Team

STATES = ("breached", "at_risk", "paused", "ok")  # worst first
WORST = 5  # requests named: a digest is not the queue
RISK_WINDOW = timedelta(days=7)

DIGEST_CATALOG: dict[str, dict[str, str]] = {
    "digest.title": {"es": "Resumen del día de {team} · {day}", "en": "{team}'s daily digest · {day}"},
    "digest.requests": {"es": "*Pedidos abiertos: {count}* — {states}", "en": "*Open requests: {count}* — {states}"},
    "digest.state.breached": {"es": "⛔ {count} fuera de plazo", "en": "⛔ {count} overdue"},
    "digest.state.at_risk": {"es": "⚠ {count} en riesgo", "en": "⚠ {count} at risk"},
    "digest.state.paused": {"es": "{count} en pausa", "en": "{count} paused"},
    "digest.state.ok": {"es": "{count} en plazo", "en": "{count} on track"},
    "digest.worst": {"es": "Primero: {refs}", "en": "First: {refs}"},
    "digest.tag.breached": {"es": "fuera de plazo", "en": "overdue"},
    "digest.tag.at_risk": {"es": "en riesgo", "en": "at risk"},
    "digest.issues": {"es": "*Incidencias con actualización hoy: {count}*", "en": "*Issues with an update due today: {count}*"},
    "digest.issue": {"es": "{ref} ({customer}, {severity}) antes de {when}", "en": "{ref} ({customer}, {severity}) by {when}"},
    "digest.card_stale": {"es": "_La ficha de cliente del equipo lleva más de 6 meses sin revisar: /equipo editar_",
                          "en": "_The team's customer card has not been reviewed for over 6 months: /equipo editar_"},
    "digest.customers": {"es": "*Clientes en riesgo:* {names}", "en": "*Customers at risk:* {names}"},
}


async def compose(ctx: Ctx, team: Team, day: date, end_of_day: datetime) -> Message | None:
    loc, tz = ctx.team_locale(team), team.timezone
    lines = _requests(await _open_requests(ctx, team), team, ctx.now, loc)
    issues = await _issues_due(ctx, team, end_of_day)
    if issues:
        lines.append(t(loc, "digest.issues", count=len(issues)))
        for issue, customer in issues:
            lines.append("• " + t(loc, "digest.issue", ref=issue_ref(issue.id), customer=customer.name,
                                  severity=issue.severity.upper(), when=format_when(issue.next_update_due, loc, tz)))
    if customers := await _customers_at_risk(ctx, team):
        lines.append(t(loc, "digest.customers", names=", ".join(customers)))
    if not lines:
        return None
    if card.stale(team, ctx.now):  # said with the day's news, never a digest of its own
        lines.append(t(loc, "digest.card_stale"))
    return Message(title=t(loc, "digest.title", team=team.name, day=format_day(day, loc)), text="\n".join(lines))


def _requests(requests: list[Request], team: Team, now: datetime, loc: str) -> list[str]:
    if not requests:
        return []
    states = {request.id: clocks.state(request, team, now) for request in requests}
    counts = [(name, sum(1 for s in states.values() if s == name)) for name in STATES]
    summary = " · ".join(t(loc, f"digest.state.{name}", count=n) for name, n in counts if n)
    lines = [t(loc, "digest.requests", count=len(requests), states=summary)]
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def urgency(request: Request) -> tuple[int, datetime, int]:
        dues = [d for d in (request.first_response_due_at, request.resolution_due_at) if d is not None]
        return STATES.index(states[request.id]), min(dues, default=far), request.id

    worst = [r for r in sorted(requests, key=urgency) if states[r.id] in ("breached", "at_risk")][:WORST]
    if worst:
        refs = ", ".join(f"{request_ref(r.id)} ({t(loc, f'digest.tag.{states[r.id]}')})" for r in worst)
        lines.append(t(loc, "digest.worst", refs=refs))
    return lines


async def _open_requests(ctx: Ctx, team: Team) -> list[Request]:
    result = await ctx.session.exec(select(Request).where(
        Request.team_id == team.id, Request.status.in_(REQUEST_OPEN)))  # type: ignore[attr-defined]
    return list(result.all())


async def _issues_due(ctx: Ctx, team: Team, end_of_day: datetime) -> list[tuple[Issue, Customer]]:
    """Active issues of the team whose next update falls before the day ends (overdue ones too)."""
    result = await ctx.session.exec(
        select(Issue, Customer).join(Customer, Customer.id == Issue.customer_id)  # type: ignore[arg-type]
        .where(Issue.owner_team_id == team.id, Issue.state.in_(ISSUE_ACTIVE),  # type: ignore[attr-defined]
               Issue.next_update_due < end_of_day)  # type: ignore[operator]
        .order_by(Issue.next_update_due, Issue.id)
    )
    return [(issue, customer) for issue, customer in result.all()]


async def _customers_at_risk(ctx: Ctx, team: Team) -> list[str]:
    """Customers of the team's open requests and active issues, or flagged from its own work,
    with a flag raised in the last week that nobody has decided on yet."""
    of_requests = select(Request.customer_id).where(
        Request.team_id == team.id, Request.status.in_(REQUEST_OPEN))  # type: ignore[attr-defined]
    of_issues = select(Issue.customer_id).where(
        Issue.owner_team_id == team.id, Issue.state.in_(ISSUE_ACTIVE))  # type: ignore[attr-defined]
    result = await ctx.session.exec(
        select(Customer.name).where(Customer.id.in_(  # type: ignore[union-attr]
            select(RiskFlag.customer_id).where(
                RiskFlag.state == risk.OPEN, RiskFlag.created_at >= ctx.now - RISK_WINDOW,  # type: ignore[operator]
                or_(RiskFlag.team_id == team.id, RiskFlag.customer_id.in_(of_requests),  # type: ignore[attr-defined]
                    RiskFlag.customer_id.in_(of_issues)),  # type: ignore[attr-defined]
            )
        )).order_by(Customer.name)
    )
    return list(result.all())
