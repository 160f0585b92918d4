"""The lists behind the dashboard's numbers, and a team's queue.

A list selects with the same clause its number counted with
(bot.dashboard.counted), then keeps only the requests the viewer may read
(bot.requests.visibility): the rest are counted, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard import counted, figures
from bot.requests.visibility import visible_to
from bot.sla import clocks
from storage.models import Issue, Nudge, Person, Request, RequestRating, Team

LIMIT = 200  # a page, not an export


@dataclass(frozen=True)
class Row:
    request: Request
    sla_state: str
    owner: str
    score: int | None = None


@dataclass
class RequestList:
    rows: list[Row] = field(default_factory=list)
    total: int = 0  # what the figure counts, readable or not

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.rows), 0) if len(self.rows) < LIMIT else 0


async def requests_behind(session: AsyncSession, team: Team, figure: str, since: datetime, viewer_id: int,
                          now: datetime) -> RequestList:
    if figure == "rated":
        joined = select(Request, RequestRating.score).join(RequestRating, col(RequestRating.request_id) == Request.id)
        where = (Request.team_id == team.id, figures.rated_clause(since))
        total = (await session.exec(select(func.count()).select_from(RequestRating)
                                    .join(Request, col(Request.id) == RequestRating.request_id).where(*where))).one()
        rows = list((await session.exec(joined.where(*where, visible_to(viewer_id))
                                        .order_by(col(Request.id).desc()).limit(LIMIT))).all())
    else:
        where = (Request.team_id == team.id, counted.request_clause(figure, since))
        total = (await session.exec(select(func.count()).select_from(Request).where(*where))).one()
        found = (await session.exec(select(Request).where(*where, visible_to(viewer_id))
                                    .order_by(col(Request.id).desc()).limit(LIMIT))).all()
        rows = [(request, None) for request in found]
    owners = await names(session, {request.owner_id for request, _score in rows if request.owner_id})
    return RequestList([Row(request, clocks.state(request, team, now), owners.get(request.owner_id, ""), score)
                        for request, score in rows], total)


async def names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict((await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids)))).all())  # type: ignore[arg-type]


@dataclass(frozen=True)
class NudgeRow:
    kind: str
    subject: str  # PED-12 / INC-3
    sent_at: datetime


async def nudges_behind(session: AsyncSession, team: Team, figure: str, since: datetime) -> list[NudgeRow]:
    """The reminders (or escalations) a team's figure counts: what was sent and about which item, no text."""
    escalation = func.coalesce(figures.nudge_role() == figures.ESCALATED_TO, False)
    wanted = escalation if figure == "escalations" else ~escalation
    found: list[NudgeRow] = []
    for subject, table, owner, prefix in (("request", Request, Request.team_id, "PED"),
                                          ("issue", Issue, Issue.owner_team_id, "INC")):
        rows = (await session.exec(
            select(Nudge.kind, Nudge.subject_id, Nudge.sent_at)
            .join(table, col(table.id) == Nudge.subject_id)  # type: ignore[attr-defined]
            .where(Nudge.subject_kind == subject, Nudge.state == figures.SENT, col(Nudge.sent_at) >= since,
                   owner == team.id, wanted)
            .order_by(col(Nudge.sent_at).desc()).limit(LIMIT)
        )).all()
        found += [NudgeRow(kind, f"{prefix}-{subject_id}", sent_at) for kind, subject_id, sent_at in rows]
    return sorted(found, key=lambda row: row.sent_at, reverse=True)[:LIMIT]
