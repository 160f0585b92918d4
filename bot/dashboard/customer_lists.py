"""The lists behind the customers page's numbers: one customer's issues, its
requests and its risk flags, and one issue's status updates.

Issues and their updates are open to everyone (bot.issues); requests stay
under the one request rule (bot.requests.visibility): the others are counted,
never shown; a risk flag quotes its words only where the viewer may read
their source request, as /cliente does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard import customers, lists
from bot.dashboard.customers import FlagLine, IssueLine
from bot.issues import service as issues
from bot.requests.visibility import visible_to
from bot.sla import clocks
from storage.models import Customer, Issue, Person, Request, StatusUpdate, Team

HISTORY = 200  # a page of updates, not an export


@dataclass
class CustomerPage:
    customer: Customer
    issues: list[IssueLine] = field(default_factory=list)  # open and monitoring
    closed: list[Issue] = field(default_factory=list)  # closed in the last RISK_WINDOW
    requests: lists.RequestList = field(default_factory=lists.RequestList)
    flags: list[FlagLine] = field(default_factory=list)

    @property
    def late(self) -> int:
        return sum(1 for line in self.issues if line.late is not None)


async def customer_page(session: AsyncSession, viewer: Person, slug: str, now: datetime) -> CustomerPage | None:
    customer = (await session.exec(select(Customer).where(Customer.slug == slug))).first()
    if customer is None:
        return None
    page = CustomerPage(customer)
    page.issues = [await customers.issue_line(session, issue, now) for issue in await issues.active(session, customer.id)]
    page.closed = await issues.recently_closed(session, customer.id, now - customers.RISK_WINDOW)
    page.flags = await customers.flag_lines(session, viewer, now, customer.id)
    page.requests = await _requests(session, customer, viewer, now)
    return page


async def _requests(session: AsyncSession, customer: Customer, viewer: Person, now: datetime) -> lists.RequestList:
    """The customer's requests, newest first: the ones the viewer may read, and how many in all."""
    mine = Request.customer_id == customer.id
    total = (await session.exec(select(func.count()).select_from(Request).where(mine))).one()
    found = (await session.exec(select(Request).where(mine, visible_to(viewer.id))
                                .order_by(col(Request.id).desc()).limit(lists.LIMIT))).all()
    teams = {team.id: team for team in (await session.exec(
        select(Team).where(col(Team.id).in_({request.team_id for request in found})))).all()}
    owners = await lists.names(session, {request.owner_id for request in found if request.owner_id})
    return lists.RequestList([lists.Row(request, clocks.state(request, teams[request.team_id], now),
                                        owners.get(request.owner_id, "")) for request in found], total)


@dataclass
class IssuePage:
    issue: Issue
    customer: Customer
    team: Team | None
    line: IssueLine
    updates: list[tuple[StatusUpdate, str]] = field(default_factory=list)  # newest first, with the author's name


async def issue_page(session: AsyncSession, issue_id: int, now: datetime) -> IssuePage | None:
    issue = await session.get(Issue, issue_id)
    if issue is None:
        return None
    updates = list(reversed(await issues.history(session, issue.id, HISTORY)))
    authors = await lists.names(session, {update.author_id for update in updates})
    return IssuePage(issue, await session.get(Customer, issue.customer_id),  # type: ignore[arg-type]
                     await session.get(Team, issue.owner_team_id), await customers.issue_line(session, issue, now),
                     [(update, authors.get(update.author_id, "")) for update in updates])
