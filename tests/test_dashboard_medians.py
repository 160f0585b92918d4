"""The overview's medians are statistics.median of the durations, rounded to the
second, on SQLite (Python, from Core tuples) and PostgreSQL (percentile_cont):
odd and even counts, and a first response logged before the request counted as 0."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from sqlmodel import select

from bot.dashboard import figures
from storage.models import Request, Team

# Minutes to the first response: an even count per team, with one negative span.
SISTEMAS = [7.5, 30, 95, -20, 61.25, 240]
SOPORTE = [10, 20, 45.5]  # odd


async def test_medians_are_the_median_of_the_durations(app, folk, sessions, clock):  # noqa: ANN001
    now = clock.now()
    async with sessions() as session, session.begin():
        teams = {t.slug: t for t in (await session.exec(select(Team))).all()}
        for slug, spans in (("sistemas", SISTEMAS), ("soporte", SOPORTE)):
            for n, minutes in enumerate(spans):
                created = now - timedelta(days=2, hours=n)
                session.add(Request(requester_id=folk["ana.garcia"].id, team_id=teams[slug].id, description="x",
                                    status="resolved", created_at=created,
                                    first_response_at=created + timedelta(minutes=minutes),
                                    resolved_at=created + timedelta(minutes=minutes, hours=n + 1)))
    async with sessions() as session:
        shown = {row.team.slug: row for row in
                 (await figures.overview(session, [teams["sistemas"], teams["soporte"]], now, 7)).teams}
    for slug, spans in (("sistemas", SISTEMAS), ("soporte", SOPORTE)):
        expected = timedelta(seconds=round(median(max(m * 60, 0.0) for m in spans)))
        assert shown[slug].first_response == expected, slug
        resolution = median(max(m * 60 + (n + 1) * 3600, 0.0) for n, m in enumerate(spans))
        assert shown[slug].resolution == timedelta(seconds=round(resolution)), slug
    assert shown["sistemas"].first_response == timedelta(minutes=45, seconds=38)  # (30 + 61.25) / 2 minutes
