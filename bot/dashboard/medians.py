"""The median of a duration per team (statistics.median's, rounded to the second).

PostgreSQL computes it (percentile_cont), so one row per team comes back.
SQLite has no median: it sends each team's durations, computed in SQL, and
Python takes the median. They are read through SQLAlchemy Core: plain tuples
cost a third of what ORM rows do over a 90-day period, and half of what
ranking them in SQL with window functions costs (measured on the
bench/dashboard.py data).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import median

from sqlalchemy import ColumnElement, func, select
from sqlmodel.ext.asyncio.session import AsyncSession


async def per_team(session: AsyncSession, team: ColumnElement, seconds: ColumnElement,
                   where: tuple[ColumnElement[bool], ...]) -> list[tuple[int, timedelta]]:
    """(team id, median of `seconds` over the rows matching `where`, a negative span counted as 0),
    for every team with at least one such row."""
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        found = (await session.exec(select(team, func.percentile_cont(0.5).within_group(seconds))  # type: ignore[call-overload]
                                    .where(*where).group_by(team))).all()
        return [(team_id, timedelta(seconds=round(max(float(value), 0.0)))) for team_id, value in found
                if value is not None]
    connection = await session.connection()
    spans: dict[int, list[float]] = defaultdict(list)
    for team_id, value in (await connection.execute(select(team, seconds).where(*where))).all():
        if value is not None:
            spans[team_id].append(max(float(value), 0.0))
    return [(team_id, timedelta(seconds=round(median(values)))) for team_id, values in spans.items()]
