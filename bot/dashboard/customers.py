"""The customers page's read model: per customer, its open issues with the last
status and how late the next update is, and its risk flags still to act on.

Issues are open to everyone (bot.issues); a risk flag quotes the words that
raised it only where the viewer may read their source request, as /cliente does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.customers import risk
from bot.issues import service as issues
from bot.requests.states import request_id_of
from bot.requests.visibility import can_see
from storage.models import Customer, Issue, Person, RiskFlag, StatusUpdate

RISK_WINDOW = timedelta(days=30)  # as /cliente shows them


@dataclass(frozen=True)
class IssueLine:
    issue: Issue
    last_status: StatusUpdate | None
    late: timedelta | None  # how far past its next update; None: not due yet (or none owed)
    due_in: timedelta | None


@dataclass(frozen=True)
class FlagLine:
    flag: RiskFlag
    phrase: str | None  # None: its source is a request the viewer may not read


@dataclass
class CustomerLine:
    customer: Customer
    issues: list[IssueLine] = field(default_factory=list)
    flags: list[FlagLine] = field(default_factory=list)


async def customers_page(session: AsyncSession, viewer: Person, now: datetime) -> list[CustomerLine]:
    lines: dict[int, CustomerLine] = {}

    async def line(customer_id: int) -> CustomerLine:
        if customer_id not in lines:
            lines[customer_id] = CustomerLine(await session.get(Customer, customer_id))  # type: ignore[arg-type]
        return lines[customer_id]

    for issue in await issues.active(session):
        (await line(issue.customer_id)).issues.append(await issue_line(session, issue, now))
    for flag in await flag_lines(session, viewer, now):
        (await line(flag.flag.customer_id)).flags.append(flag)
    return sorted(lines.values(), key=_urgency)


async def issue_line(session: AsyncSession, issue: Issue, now: datetime) -> IssueLine:
    due = issue.next_update_due
    late = now - due if due is not None and due < now else None
    due_in = due - now if due is not None and due >= now else None
    return IssueLine(issue, await issues.latest_status(session, issue.id), late, due_in)


async def flag_lines(session: AsyncSession, viewer: Person, now: datetime,
                     customer_id: int | None = None) -> list[FlagLine]:
    """Risk flags still to act on from the last RISK_WINDOW (of one customer, if given), newest first."""
    query = (select(RiskFlag).where(col(RiskFlag.state).in_(risk.ACTIVE), col(RiskFlag.created_at) >= now - RISK_WINDOW)
             .order_by(col(RiskFlag.created_at).desc()))
    if customer_id is not None:
        query = query.where(RiskFlag.customer_id == customer_id)
    found = []
    for flag in (await session.exec(query)).all():
        request_id = request_id_of(flag.source_ref)
        readable = request_id is None or await can_see(session, viewer, request_id)
        found.append(FlagLine(flag, flag.phrase if readable else None))
    return found


def _urgency(entry: CustomerLine) -> tuple[bool, float, str]:
    """Customers at risk first, then the one whose update is latest, then by name."""
    worst = max((i.late for i in entry.issues if i.late is not None), default=timedelta(0))
    return not entry.flags, -worst.total_seconds(), entry.customer.name.casefold()
