"""What happened, next to what was said: the subject team's request figures
over a round's period.

The period runs from the previous round's close (or PERIOD_WITHOUT_PREVIOUS
before this round opened, for a first round) to this round's close. Each
figure counts what was decided in it:

- requests: those created in the period;
- median first response: wall-clock time from creation to first response,
  over the requests first answered in the period;
- SLAs met: of the SLA clocks that ended in the period (first responses given,
  resolutions recorded by bot.sla.clocks.stop), the share kept;
- average rating: the ratings given in the period.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.pulses.states import CLOSED
from storage.models import PulseRound, Request, RequestRating

PERIOD_WITHOUT_PREVIOUS = timedelta(days=30)


@dataclass(frozen=True)
class TeamFigures:
    team_id: int
    start: datetime
    end: datetime
    requests: int
    median_first_response: timedelta | None
    slas: int  # SLA clocks that ended in the period
    slas_met: int
    ratings: int
    average_rating: float | None

    @property
    def sla_share(self) -> float | None:
        return self.slas_met / self.slas if self.slas else None


async def period(session: AsyncSession, round_: PulseRound) -> tuple[datetime, datetime]:
    previous = (await session.exec(
        select(PulseRound.closes_at).where(PulseRound.pulse_id == round_.pulse_id, PulseRound.state == CLOSED,
                                           PulseRound.number < round_.number)
        .order_by(col(PulseRound.number).desc()).limit(1)
    )).first()
    opened = round_.opens_at or round_.created_at
    end = round_.closes_at or opened
    start = previous or (opened - PERIOD_WITHOUT_PREVIOUS)
    return start, end


async def team_figures(session: AsyncSession, team_id: int, round_: PulseRound) -> TeamFigures:
    start, end = await period(session, round_)

    def within(column) -> list:  # noqa: ANN001
        return [column >= start, column < end]

    created = (await session.exec(
        select(func.count()).select_from(Request).where(Request.team_id == team_id, *within(Request.created_at))
    )).one()
    # The median needs the values: one row per request answered in the period, two timestamps each.
    answered = (await session.exec(
        select(Request.created_at, Request.first_response_at, Request.first_response_met)
        .where(Request.team_id == team_id, *within(col(Request.first_response_at)))
    )).all()
    waits = [first - made for made, first, _met in answered if made and first and first >= made]
    resolved, resolved_met = (await session.exec(
        select(func.count(), func.count().filter(col(Request.resolution_met).is_(True)))
        .where(Request.team_id == team_id, col(Request.resolution_met).is_not(None), *within(col(Request.resolved_at)))
    )).one()
    rated, average = (await session.exec(
        select(func.count(), func.avg(RequestRating.score))
        .join(Request, and_(Request.id == RequestRating.request_id, Request.team_id == team_id))
        .where(*within(col(RequestRating.created_at)))
    )).one()
    first_met = sum(1 for _made, _first, met in answered if met)
    first_known = sum(1 for _made, _first, met in answered if met is not None)
    return TeamFigures(
        team_id, start, end, created,
        median_first_response=statistics.median(waits) if waits else None,
        slas=first_known + resolved, slas_met=first_met + resolved_met,
        ratings=rated, average_rating=float(average) if average is not None else None,
    )
