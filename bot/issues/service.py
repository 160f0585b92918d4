"""Queries about issues; sessions are passed in, never created here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.outbox import PERSON, TEAM
from bot.errors import UserError
from bot.issues.states import ACTIVE, NEWS, display_id
from bot.limits import valid_id
from storage.models import Issue, IssueFollower, Membership, Person, StatusAck, StatusUpdate, Team


async def get(session: AsyncSession, issue_id: int, *, for_update: bool = False) -> Issue:
    """The issue; `for_update` locks its row (PostgreSQL) until the transaction ends."""
    if for_update:
        issue = (await session.exec(
            select(Issue).where(Issue.id == issue_id).with_for_update().execution_options(populate_existing=True)
        )).first()
    else:
        issue = await session.get(Issue, issue_id)
    if issue is None:
        raise UserError("issue.unknown", ref=display_id(issue_id))
    return issue


async def followers(session: AsyncSession, issue_id: int) -> list[IssueFollower]:
    result = await session.exec(
        select(IssueFollower).where(IssueFollower.issue_id == issue_id).order_by(IssueFollower.id)
    )
    return list(result.all())


async def follower_people(session: AsyncSession, issue_id: int) -> list[Person]:
    result = await session.exec(
        select(Person)
        .join(IssueFollower, (IssueFollower.ref_id == Person.id) & (IssueFollower.kind == PERSON))
        .where(IssueFollower.issue_id == issue_id)
        .order_by(IssueFollower.id)
    )
    return list(result.all())


async def follower_teams(session: AsyncSession, issue_id: int) -> list[Team]:
    result = await session.exec(
        select(Team)
        .join(IssueFollower, (IssueFollower.ref_id == Team.id) & (IssueFollower.kind == TEAM))
        .where(IssueFollower.issue_id == issue_id)
        .order_by(IssueFollower.id)
    )
    return list(result.all())


async def latest_status(session: AsyncSession, issue_id: int) -> StatusUpdate | None:
    """The last update that said what is going on (a bare close or reopen does not)."""
    result = await session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.issue_id == issue_id, StatusUpdate.kind.in_(NEWS), StatusUpdate.text != "")  # type: ignore[attr-defined]
        .order_by(StatusUpdate.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    return result.first()


async def history(session: AsyncSession, issue_id: int, limit: int) -> list[StatusUpdate]:
    """The last `limit` updates, oldest first."""
    result = await session.exec(
        select(StatusUpdate).where(StatusUpdate.issue_id == issue_id).order_by(StatusUpdate.id.desc()).limit(limit)  # type: ignore[union-attr]
    )
    return list(reversed(result.all()))


async def acknowledged_by(session: AsyncSession, status_id: int) -> list[Person]:
    result = await session.exec(
        select(Person)
        .join(StatusAck, StatusAck.person_id == Person.id)
        .where(StatusAck.status_update_id == status_id)
        .order_by(StatusAck.id)
    )
    return list(result.all())


async def active(session: AsyncSession, customer_id: int | None = None) -> list[Issue]:
    """Open and monitoring issues, the worst first, then whose update is due soonest."""
    query = select(Issue).where(Issue.state.in_(ACTIVE))  # type: ignore[attr-defined]
    if customer_id is not None:
        query = query.where(Issue.customer_id == customer_id)
    result = await session.exec(
        query.order_by(Issue.severity, Issue.next_update_due.is_(None), Issue.next_update_due, Issue.id)  # type: ignore[union-attr]
    )
    return list(result.all())


async def recently_closed(session: AsyncSession, customer_id: int, since: datetime) -> list[Issue]:
    result = await session.exec(
        select(Issue)
        .where(Issue.customer_id == customer_id, Issue.closed_at >= since)  # type: ignore[operator]
        .order_by(Issue.closed_at.desc())  # type: ignore[union-attr]
    )
    return list(result.all())


async def updates_due(session: AsyncSession, now: datetime, limit: int = 100) -> list[Issue]:
    """Issues whose owner team owes a status update: a range seek on next_update_due."""
    result = await session.exec(
        select(Issue).where(Issue.next_update_due <= now).order_by(Issue.next_update_due).limit(limit)  # type: ignore[operator]
    )
    return list(result.all())


def _followed_by(person_id: int):  # noqa: ANN202
    """The ids of the issues a person follows, in person or through one of their teams."""
    mine = (IssueFollower.kind == PERSON) & (IssueFollower.ref_id == person_id)
    my_teams = (IssueFollower.kind == TEAM) & IssueFollower.ref_id.in_(  # type: ignore[attr-defined]
        select(Membership.team_id).where(Membership.person_id == person_id)
    )
    return select(IssueFollower.issue_id).where(mine | my_teams)


async def follows(session: AsyncSession, person_id: int, issue_id: int) -> bool:
    result = await session.exec(_followed_by(person_id).where(IssueFollower.issue_id == issue_id).limit(1))
    return result.first() is not None


async def follower_names(session: AsyncSession, issue_id: int) -> list[str]:
    """People first, then teams, each in the order they started following."""
    return ([person.name for person in await follower_people(session, issue_id)]
            + [team.name for team in await follower_teams(session, issue_id)])


async def followed_by(session: AsyncSession, person_id: int, limit: int | None = None) -> list[Issue]:
    """Active issues a person follows, in person or through one of their teams."""
    result = await session.exec(
        select(Issue)
        .where(Issue.state.in_(ACTIVE), Issue.id.in_(_followed_by(person_id)))  # type: ignore[attr-defined, union-attr]
        .order_by(Issue.severity, Issue.id)
        .limit(limit)
    )
    return list(result.all())


async def count_active(session: AsyncSession, customer_id: int) -> int:
    return (await session.exec(
        select(func.count()).select_from(Issue).where(Issue.customer_id == customer_id, Issue.state.in_(ACTIVE))  # type: ignore[attr-defined]
    )).one()


async def remove_follower(session: AsyncSession, issue_id: int, kind: str, ref_id: int) -> bool:
    """Whether the person or team (kind) followed the issue, and no longer does."""
    result = await session.exec(delete(IssueFollower).where(  # type: ignore[call-overload]
        IssueFollower.issue_id == issue_id, IssueFollower.kind == kind, IssueFollower.ref_id == ref_id))
    return result.rowcount > 0


async def status_update_locked(session: AsyncSession, status_id: int) -> StatusUpdate | None:
    """A status update, locked for the transaction on PostgreSQL (SQLite writers are serial anyway)."""
    if not valid_id(status_id):
        return None
    stmt = select(StatusUpdate).where(StatusUpdate.id == status_id).with_for_update()
    return (await session.exec(stmt)).first()


async def is_follower(session: AsyncSession, issue_id: int, kind: str, ref_id: int) -> bool:
    """Whether this person (kind PERSON) or team (TEAM) follows the issue itself, not through a team."""
    result = await session.exec(select(IssueFollower.id).where(
        IssueFollower.issue_id == issue_id, IssueFollower.kind == kind, IssueFollower.ref_id == ref_id).limit(1))
    return result.first() is not None


async def newest_update_id(session: AsyncSession, issue_id: int) -> int | None:
    """The id of the issue's last status update of any kind."""
    return (await session.exec(select(func.max(StatusUpdate.id)).where(StatusUpdate.issue_id == issue_id))).one()


async def has_acknowledged(session: AsyncSession, status_id: int, person_id: int) -> bool:
    result = await session.exec(select(StatusAck.id).where(
        StatusAck.status_update_id == status_id, StatusAck.person_id == person_id).limit(1))
    return result.first() is not None
