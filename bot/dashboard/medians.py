"""The median of a duration per team (statistics.median's, rounded to the second).

PostgreSQL computes it (percentile_cont), so one row per team comes back.
SQLite has no median: it sends each team's durations, as whole microseconds
computed in SQL (bot.dashboard.elapsed) and joined in one text per team, and
Python takes the median. Measured on the bench/dashboard.py data over 90 days,
that costs a third of reading a row per duration through the ORM, and less
than half of ranking the durations in SQL with window functions.
"""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from sqlalchemy import ColumnElement, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard.elapsed import MICROSECONDS, microseconds_between_sqlite, seconds_between


async def per_team(session: AsyncSession, team: ColumnElement, start: ColumnElement, end: ColumnElement,
                   where: tuple[ColumnElement[bool], ...]) -> list[tuple[int, timedelta]]:
    """(team id, median of end - start over the rows matching `where`, a negative span counted as 0),
    for every team with at least one such row."""
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        seconds = seconds_between(start, end)
        found = (await session.exec(select(team, func.percentile_cont(0.5).within_group(seconds))  # type: ignore[call-overload]
                                    .where(*where).group_by(team))).all()
        return [(team_id, timedelta(seconds=round(max(float(value), 0.0)))) for team_id, value in found
                if value is not None]
    # One row per team with its durations as one text ('5400000000,61000000,...'): far fewer
    # Python objects than a row per duration, so no garbage collection pass on the way.
    spans = select(team.label("team"), microseconds_between_sqlite(start, end).label("micros")).where(*where).subquery()
    connection = await session.connection()
    found = []
    for team_id, listed in (await connection.execute(
            select(spans.c.team, func.group_concat(spans.c.micros)).group_by(spans.c.team))).all():
        if listed:  # NULL: no duration could be computed
            values = [max(int(micros), 0) for micros in listed.split(",")]
            found.append((team_id, timedelta(seconds=round(median(values) / MICROSECONDS))))
    return found
