"""Queries about requests; sessions are passed in, never created here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from bot.errors import UserError
from bot.requests.states import OPEN, display_id
from bot.requests.visibility import visible_to
from storage.models import Request, RequestEvent, RequestRating


async def get(session: AsyncSession, request_id: int) -> Request:
    request = await session.get(Request, request_id)
    if request is None:
        raise UserError("request.unknown", id=display_id(request_id))
    return request


def _open_by_requester(person_id: int):  # noqa: ANN202
    return (Request.requester_id == person_id, Request.status.in_(OPEN))  # type: ignore[attr-defined]


def _open_in_queue(team_id: int):  # noqa: ANN202
    return (Request.team_id == team_id, Request.status.in_(OPEN))  # type: ignore[attr-defined]


def _listed(viewer_id: int, *conditions: ColumnElement[bool]) -> SelectOfScalar:
    """Every list of requests starts here: only rows its viewer may read (bot.requests.visibility)."""
    return select(Request).where(visible_to(viewer_id), *conditions)


def _counted(viewer_id: int, *conditions: ColumnElement[bool]) -> SelectOfScalar:
    return select(func.count()).select_from(Request).where(visible_to(viewer_id), *conditions)


async def open_by_requester(
    session: AsyncSession, person_id: int, *, viewer_id: int, limit: int | None = None
) -> list[Request]:
    result = await session.exec(_listed(viewer_id, *_open_by_requester(person_id)).order_by(Request.id).limit(limit))
    return list(result.all())


async def queue(session: AsyncSession, team_id: int, *, viewer_id: int, limit: int | None = None) -> list[Request]:
    """A team's open requests, the most urgent due first (paused ones last)."""
    result = await session.exec(
        _listed(viewer_id, *_open_in_queue(team_id))
        .order_by(Request.resolution_due_at.is_(None), Request.resolution_due_at, Request.id)  # type: ignore[union-attr]
        .limit(limit)
    )
    return list(result.all())


async def count_open_by_requester(session: AsyncSession, person_id: int, *, viewer_id: int) -> int:
    return (await session.exec(_counted(viewer_id, *_open_by_requester(person_id)))).one()


async def count_queue(session: AsyncSession, team_id: int, *, viewer_id: int) -> int:
    return (await session.exec(_counted(viewer_id, *_open_in_queue(team_id)))).one()


async def timeline(session: AsyncSession, request_id: int) -> list[RequestEvent]:
    result = await session.exec(
        select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
    )
    return list(result.all())


async def rating(session: AsyncSession, request_id: int) -> RequestRating | None:
    result = await session.exec(select(RequestRating).where(RequestRating.request_id == request_id))
    return result.first()


@dataclass
class SlaRecord:
    closed: int
    resolution_met: int
    first_responses: int
    first_response_met: int

    @property
    def resolution_share(self) -> float | None:
        return self.resolution_met / self.closed if self.closed else None

    @property
    def first_response_share(self) -> float | None:
        return self.first_response_met / self.first_responses if self.first_responses else None


async def sla_record(session: AsyncSession, team_id: int, now: datetime, days: int = 30) -> SlaRecord:
    """How often the team kept its promise on requests it closed in the last `days`."""
    since = now - timedelta(days=days)
    closed = select(Request).where(
        Request.team_id == team_id,
        Request.resolved_at >= since,  # type: ignore[operator]
        Request.resolution_met.is_not(None),  # type: ignore[union-attr]
    ).subquery()
    row = (
        await session.exec(
            select(
                func.count(),
                func.count().filter(closed.c.resolution_met.is_(True)),
                func.count(closed.c.first_response_met),
                func.count().filter(closed.c.first_response_met.is_(True)),
            ).select_from(closed)
        )
    ).one()
    return SlaRecord(*row)


def _of_customer(customer_id: int, closed_since: datetime):  # noqa: ANN202
    return (
        Request.customer_id == customer_id,
        Request.status.in_(OPEN) | (Request.resolved_at >= closed_since),  # type: ignore[attr-defined, operator]
    )


async def of_customer(
    session: AsyncSession, customer_id: int, closed_since: datetime, *, viewer_id: int, limit: int = 20
) -> list[Request]:
    """A customer's open requests, and those closed since `closed_since`, that the viewer may read; newest first."""
    result = await session.exec(
        _listed(viewer_id, *_of_customer(customer_id, closed_since))
        .order_by(Request.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    return list(result.all())


async def count_hidden_of_customer(
    session: AsyncSession, customer_id: int, closed_since: datetime, *, viewer_id: int
) -> int:
    """How many of those the viewer may not read: counted, never loaded."""
    hidden = select(func.count()).select_from(Request).where(~visible_to(viewer_id), *_of_customer(customer_id, closed_since))
    return (await session.exec(hidden)).one()
