"""The overview's read model: per team, over a period (7, 30 or 90 days).

Each figure is an aggregate grouped by team, one query per figure over the
period's rows, for the teams the viewer sees (bot.dashboard.scope). Each query
is a range seek on an index that holds every column it reads (migration 0010:
ix_request_created_span, ix_request_resolved_span, ix_request_status_resolved,
ix_request_rating_created_span), so it never reads the request rows
themselves. Medians are bot.dashboard.medians'. What each figure counts is
bot.dashboard.counted's, shared with the lists behind the numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard import counted, medians
from bot.teams import card
from storage.models import Issue, Nudge, Request, RequestRating, Team

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
SENT = "sent"
ESCALATED_TO = "lead"  # a nudge to a lead is an escalation (bot.nudges.ledger's target role)


def period_of(raw: str | None) -> int:
    """The period a page asked for, or the default for anything else."""
    return int(raw) if raw and raw.isdecimal() and int(raw) in PERIODS else DEFAULT_PERIOD


@dataclass
class TeamFigures:
    team: Team
    open: int = 0
    first_response: timedelta | None = None  # median
    resolution: timedelta | None = None  # median
    sla_counted: int = 0
    sla_met: int = 0
    rated: int = 0
    rating: float | None = None  # average, 1..5
    bounced: int = 0
    nudges: int = 0
    escalations: int = 0
    card_stale: bool = False

    @property
    def sla_share(self) -> float | None:
        return self.sla_met / self.sla_counted if self.sla_counted else None


@dataclass
class Overview:
    days: int
    since: datetime
    teams: list[TeamFigures] = field(default_factory=list)


async def overview(session: AsyncSession, teams: list[Team], now: datetime, days: int) -> Overview:
    since = now - timedelta(days=days)
    result = Overview(days, since, [TeamFigures(team, card_stale=card.stale(team, now)) for team in teams])
    if not teams:
        return result
    by_id = {row.team.id: row for row in result.teams}
    ids = list(by_id)
    # Rows of teams the viewer does not see are dropped here, not in SQL (see _of_teams).
    for team_id, n in await _count(session, ids, counted.request_clause("open", since)):
        if team_id in by_id:
            by_id[team_id].open = n
    for team_id, n in await _count(session, ids, counted.request_clause("bounced", since)):
        if team_id in by_id:
            by_id[team_id].bounced = n
    for team_id, value in await _medians(session, ids, "first_response", since):
        if team_id in by_id:
            by_id[team_id].first_response = value
    for team_id, value in await _medians(session, ids, "resolution", since):
        if team_id in by_id:
            by_id[team_id].resolution = value
    for team_id, total, met in await _sla(session, ids, since):
        if team_id in by_id:
            by_id[team_id].sla_counted, by_id[team_id].sla_met = total, met
    for team_id, n, average in await _ratings(session, ids, since):
        if team_id in by_id:
            by_id[team_id].rated, by_id[team_id].rating = n, float(average)
    for team_id, escalation, n in await _nudges(session, ids, since):
        if team_id not in by_id:
            continue
        if escalation:
            by_id[team_id].escalations += n
        else:
            by_id[team_id].nudges += n
    return result


FEW_TEAMS = 8


def _of_teams(column, ids: list[int]):  # noqa: ANN001, ANN202
    """The team filter, for a few teams only: over many (HR's view) it would lead the
    planner to walk the team index over all history instead of the period's range."""
    return col(column).in_(ids) if len(ids) <= FEW_TEAMS else true()


# Grouped by this, not the bare column: SQLite would otherwise walk ix_request_team_id over
# all history to get the groups in order, instead of the period's range on created_at/resolved_at.
TEAM_KEY = (Request.team_id + 0).label("team")


async def _count(session: AsyncSession, ids: list[int], clause) -> list[tuple[int, int]]:  # noqa: ANN001
    return list((await session.exec(
        select(TEAM_KEY, func.count()).where(_of_teams(Request.team_id, ids), clause).group_by(TEAM_KEY)
    )).all())


async def _medians(session: AsyncSession, ids: list[int], figure: str, since: datetime) -> list[tuple[int, timedelta]]:
    end = Request.first_response_at if figure == "first_response" else Request.resolved_at
    where = (_of_teams(Request.team_id, ids), counted.request_clause(figure, since))
    return await medians.per_team(session, TEAM_KEY, col(Request.created_at), col(end), where)


async def _sla(session: AsyncSession, ids: list[int], since: datetime) -> list[tuple[int, int, int]]:
    return list((await session.exec(
        select(TEAM_KEY, func.count(), func.count().filter(col(Request.resolution_met).is_(True)))
        .where(_of_teams(Request.team_id, ids), counted.request_clause("sla", since)).group_by(TEAM_KEY)
    )).all())


def rated_clause(since: datetime):  # noqa: ANN201
    return col(RequestRating.created_at) >= since


async def _ratings(session: AsyncSession, ids: list[int], since: datetime) -> list[tuple[int, int, float]]:
    return list((await session.exec(
        select(TEAM_KEY, func.count(), func.avg(RequestRating.score))
        .join(Request, col(Request.id) == RequestRating.request_id)
        .where(_of_teams(Request.team_id, ids), rated_clause(since)).group_by(TEAM_KEY)
    )).all())


def nudge_role():  # noqa: ANN201
    return Nudge.data["role"].as_string()  # type: ignore[index]


async def _nudges(session: AsyncSession, ids: list[int], since: datetime) -> list[tuple[int, bool, int]]:
    """Reminders and escalations sent in the period about the teams' requests and issues."""
    escalation = func.coalesce(nudge_role() == ESCALATED_TO, False)
    found: dict[tuple[int, bool], int] = defaultdict(int)
    for subject, team_column in (("request", Request), ("issue", Issue)):
        owner = Request.team_id if subject == "request" else Issue.owner_team_id
        rows = (await session.exec(
            select(owner, escalation, func.count())
            .join(team_column, col(team_column.id) == Nudge.subject_id)  # type: ignore[attr-defined]
            .where(Nudge.subject_kind == subject, Nudge.state == SENT, col(Nudge.sent_at) >= since,
                   _of_teams(owner, ids))
            .group_by(owner, escalation)
        )).all()
        for team_id, is_escalation, n in rows:
            found[(team_id, bool(is_escalation))] += n
    return [(team_id, is_escalation, n) for (team_id, is_escalation), n in found.items()]
