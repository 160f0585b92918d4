"""When the owner team owes the next status update: counted in its business hours.

Runs on SQLite and PostgreSQL. Facturación (lead Marta) keeps the demo's default hours,
Mon–Thu 09–18 and Fri 08–15 in Madrid; Soporte (lead Javier) works Mon–Fri 08–20 and
Saturday 10–14, and its org file entry sets sev1 = 1h and sev2 = 2h. The clock starts
on Wednesday 2026-11-25 at 10:00 in Madrid (09:00 UTC, CET).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, text, update

from bot.issues import service
from bot.org.spec import DEFAULT_CADENCE
from storage.models import Issue, Team
from tests.harness.issue_support import JAVIER, MADRID, MARTA, issue, madrid, rows, team

UTC = timezone.utc


async def _latest(sessions) -> Issue:  # noqa: ANN001
    return (await rows(sessions, Issue, order=Issue.id.desc()))[0]  # type: ignore[union-attr]


async def opened(app, folk, sessions, who: str, severity: str, slug: str = "acme") -> Issue:  # noqa: ANN001
    reply = await app.command(folk[who], "/incidencia", f"nueva #{slug} {severity} algo no va")
    assert not reply.refused, reply.message.text
    return await _latest(sessions)


@pytest.fixture
async def no_cadence(app, sessions) -> None:  # noqa: ANN001
    """Facturación as a database migrated from 0001 leaves it: no cadence of its own."""
    async with sessions() as session, session.begin():
        await session.exec(update(Team).where(Team.slug == "facturacion").values(update_cadence={}))


# ---------------------------------------------------------------- cadences


def test_default_cadence_is_2h_4h_one_and_three_business_days():
    assert DEFAULT_CADENCE == {"sev1": 120, "sev2": 240, "sev3": 480, "sev4": 1440}


async def test_the_org_file_stores_every_severity_with_soporte_overrides(app, sessions):
    assert (await team(sessions, "soporte")).update_cadence == {"sev1": 60, "sev2": 120, "sev3": 480, "sev4": 1440}
    assert (await team(sessions, "facturacion")).update_cadence == DEFAULT_CADENCE


@pytest.mark.parametrize(("severity", "due"), [
    ("sev1", madrid(2026, 11, 25, 12)),
    ("sev2", madrid(2026, 11, 25, 14)),
    ("sev3", madrid(2026, 11, 25, 18)),  # 8 business hours: the rest of Wednesday
    # 24 business hours: Wed 10–18 (8 h), Thu 09–18 (9 h), Fri 08–15 (7 h).
    ("sev4", madrid(2026, 11, 27, 15)),
])
async def test_default_cadence_in_business_hours(no_cadence, app, folk, sessions, severity, due):
    found = await opened(app, folk, sessions, MARTA, severity)
    assert found.next_update_due == due


@pytest.mark.parametrize(("severity", "due"), [
    ("sev1", madrid(2026, 11, 25, 11)),  # the org file: 1h
    ("sev2", madrid(2026, 11, 25, 12)),  # the org file: 2h
    ("sev3", madrid(2026, 11, 25, 18)),  # the default 8h
    # 24 business hours: Wed 10–20 (10 h), Thu 08–20 (12 h), Fri 08–10 (2 h).
    ("sev4", madrid(2026, 11, 27, 10)),
])
async def test_team_cadence_from_the_org_file(app, folk, sessions, severity, due):
    found = await opened(app, folk, sessions, JAVIER, severity)
    assert found.next_update_due == due


async def test_the_reply_names_the_due_time(app, folk):
    reply = await app.command(folk[JAVIER], "/incidencia", "nueva #acme sev1 caída total")
    assert "Próxima actualización antes de mié 25 nov, 11:00." in reply.message.text


async def test_a_late_status_carries_over_to_the_next_morning(app, folk, sessions, clock):
    await opened(app, folk, sessions, MARTA, "sev1")
    clock.set(madrid(2026, 11, 25, 17, 30))
    await app.command(folk[MARTA], "/estado", "INC-1 seguimos")
    # 30 minutes on Wednesday, 90 from 09:00 on Thursday.
    assert (await issue(sessions)).next_update_due == madrid(2026, 11, 26, 10, 30)
    assert (await issue(sessions)).last_status_at == madrid(2026, 11, 25, 17, 30)


async def test_friday_afternoon_carries_over_to_monday(app, folk, sessions, clock):
    clock.set(madrid(2026, 11, 27, 14))
    found = await opened(app, folk, sessions, MARTA, "sev2")
    # One hour on Friday (until 15:00), three from 09:00 on Monday.
    assert found.next_update_due == madrid(2026, 11, 30, 12)


async def test_soporte_works_saturday_mornings(app, folk, sessions, clock):
    clock.set(madrid(2026, 11, 27, 19))
    found = await opened(app, folk, sessions, JAVIER, "sev2")
    assert found.next_update_due == madrid(2026, 11, 28, 11)  # Fri 19–20, Sat 10–11


async def test_across_the_end_of_summer_time(app, folk, sessions, clock):
    # Madrid leaves CEST (UTC+2) for CET (UTC+1) on Sunday 2026-10-25.
    clock.set(madrid(2026, 10, 23, 14))
    assert clock.now() == datetime(2026, 10, 23, 12, tzinfo=UTC)
    found = await opened(app, folk, sessions, MARTA, "sev2")
    due = found.next_update_due
    # Monday 12:00 on the wall clock, which is now 11:00 UTC, not 10:00.
    assert due == datetime(2026, 10, 26, 11, tzinfo=UTC)
    assert due.astimezone(MADRID).hour == 12
    assert due.astimezone(MADRID).utcoffset() - clock.now().astimezone(MADRID).utcoffset() == timedelta(hours=-1)


async def test_severity_change_recomputes_from_the_change(app, folk, sessions, clock):
    await opened(app, folk, sessions, MARTA, "sev3")
    assert (await issue(sessions)).next_update_due == madrid(2026, 11, 25, 18)
    clock.set(madrid(2026, 11, 25, 11))
    await app.command(folk[MARTA], "/incidencia", "severidad INC-1 sev1")
    assert (await issue(sessions)).next_update_due == madrid(2026, 11, 25, 13)
    clock.set(madrid(2026, 11, 25, 12))
    await app.command(folk[MARTA], "/incidencia", "severidad INC-1 sev4")
    # 24 business hours from Wed 12:00: 6 + 9 + 7 = 22 by Friday's close, 2 more on Monday.
    assert (await issue(sessions)).next_update_due == madrid(2026, 11, 30, 11)


async def test_closing_clears_the_due_time_and_reopening_restarts_it(app, folk, sessions, clock):
    await opened(app, folk, sessions, MARTA, "sev2")
    await app.command(folk[MARTA], "/incidencia", "cerrar INC-1")
    assert (await issue(sessions)).next_update_due is None
    clock.set(madrid(2026, 11, 26, 9, 30))
    await app.command(folk[MARTA], "/incidencia", "reabrir INC-1")
    assert (await issue(sessions)).next_update_due == madrid(2026, 11, 26, 13, 30)


# ---------------------------------------------------------------- what is overdue


async def test_updates_due_returns_exactly_the_overdue_issues_in_due_order(app, folk, sessions, clock):
    await opened(app, folk, sessions, JAVIER, "sev3")                      # INC-1 due 18:00
    await opened(app, folk, sessions, JAVIER, "sev1")                      # INC-2 due 11:00
    await opened(app, folk, sessions, MARTA, "sev1", "globex")             # INC-3 due 12:00
    await opened(app, folk, sessions, JAVIER, "sev2")                      # INC-4 due 12:00 → closed
    await app.command(folk[JAVIER], "/incidencia", "cerrar INC-4")
    clock.set(madrid(2026, 11, 25, 10, 30))
    await app.command(folk[JAVIER], "/estado", "INC-1 mirando")            # INC-1 now due 18:30
    await opened(app, folk, sessions, JAVIER, "sev1", "initech")           # INC-5 due 11:30
    await app.command(folk[JAVIER], "/incidencia", "vigilar INC-5")        # monitoring still owes

    async def due_at(when: datetime, limit: int = 100) -> list[int]:
        async with sessions() as session:
            return [i.id for i in await service.updates_due(session, when, limit)]

    assert await due_at(madrid(2026, 11, 25, 10, 59)) == []
    assert await due_at(madrid(2026, 11, 25, 11)) == [2]  # due exactly now counts
    assert await due_at(madrid(2026, 11, 25, 12)) == [2, 5, 3]
    assert await due_at(madrid(2026, 11, 25, 12), limit=2) == [2, 5]
    assert await due_at(madrid(2026, 11, 26, 12)) == [2, 5, 3, 1]  # never INC-4: it is closed


async def test_the_overdue_query_is_an_index_seek(app, sessions, engine, backend):
    """The exact SQL updates_due sends, explained by the database it ran on."""
    sent: list[tuple[str, object]] = []

    def spy(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        if "FROM issue" in statement:
            sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", spy)
    try:
        async with sessions() as session:
            await service.updates_due(session, madrid(2026, 11, 25, 12))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", spy)
    [(statement, parameters)] = sent

    async with engine.connect() as conn, conn.begin():
        if backend == "sqlite":
            result = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = " ".join(str(row[-1]) for row in result.all())
        else:
            # Only whether the index can serve the query: with sequential scans
            # priced out, a plan without the index means there is none to use.
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            result = await conn.exec_driver_sql("EXPLAIN " + statement, parameters)
            plan = " ".join(row[0] for row in result.all())
    assert "ix_issue_next_update_due" in plan, plan
    if backend == "sqlite":
        assert "SCAN issue" not in plan and "TEMP B-TREE" not in plan, plan
