"""The daily digest each team's channel gets, with the clock moved by hand.

The clock starts on Wednesday 2026-11-25 at 10:00 in Madrid, where every demo
team is. Facturación opens Mon–Thu 09–18 and Fri 08–15; Soporte Mon–Fri 08–20
and Saturday 10–14. The first tick only gives each team its first due time
(Thursday 09:00), so the first digest goes out on Thursday.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.teams import scheduled
from storage.models import Team
from tests.harness.issue_support import ANA, ELENA, LUCIA
from tests.harness.support import RecordingChannel, slow_down
from tests.nudge_support import nudges, sent, tick

MADRID = ZoneInfo("Europe/Madrid")
FACTURACION, SOPORTE, SISTEMAS = "team:facturacion", "team:soporte", "team:sistemas"


def madrid(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID)


def digests(calls, address: str) -> list:  # noqa: ANN001
    return [c for c in sent(calls, address) if "Resumen del día" in (c.message.title or "")
            or "daily digest" in (c.message.title or "")]


async def due_at(app, slug: str) -> datetime | None:  # noqa: ANN001
    async with app.sessions() as session:
        return (await session.exec(select(Team.digest_due_at).where(Team.slug == slug))).one()


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
async def ped1(app, folk, channel):  # noqa: ANN001
    """A high-priority request to Facturación (first response due at 14:00) that flags ACME."""
    await app.command(folk[ANA], "/pedir", "@facturacion #ACME quiere cancelar el contrato si no se corrige ya !alta")
    await tick(app, channel)


async def test_the_digest_goes_out_at_nine_local_on_a_business_day_once(app, ped1, channel, clock):  # noqa: ANN001
    assert await due_at(app, "facturacion") == madrid(11, 26, 9)
    clock.set(madrid(11, 26, 8, 59))
    assert digests(await tick(app, channel), FACTURACION) == []
    clock.set(madrid(11, 26, 9))
    calls = await tick(app, channel)
    [digest] = digests(calls, FACTURACION)
    assert digest.message.title == "Resumen del día de Facturación · 26 nov 2026"
    lines = digest.message.text.split("\n")
    assert lines[0] == "*Pedidos abiertos: 1* — ⛔ 1 fuera de plazo"
    assert lines[1] == "Primero: PED-1 (fuera de plazo)"
    assert lines[-2] == "*Clientes en riesgo:* ACME Logística S.L."
    # The demo's cards were never reviewed: said with the day's news, never on its own (Sistemas).
    assert lines[-1] == "_La ficha de cliente del equipo lleva más de 6 meses sin revisar: /equipo editar_"
    assert digests(calls, SISTEMAS) == []  # nothing to say, nothing sent
    for moment in (madrid(11, 26, 9, 1), madrid(11, 26, 17)):
        clock.set(moment)
        assert digests(await tick(app, channel), FACTURACION) == []
    assert await due_at(app, "facturacion") == madrid(11, 27, 9)
    [row] = await nudges(app, kind="team.digest")
    assert (row.window_key, row.state) == ("2026-11-26", "sent")


async def test_no_digest_at_the_weekend(app, ped1, channel, clock):  # noqa: ANN001
    clock.set(madrid(11, 27, 9))  # Friday
    assert len(digests(await tick(app, channel), FACTURACION)) == 1
    assert await due_at(app, "facturacion") == madrid(11, 30, 9)  # Monday
    for moment in (madrid(11, 28, 9), madrid(11, 28, 12), madrid(11, 29, 10)):
        clock.set(moment)
        assert digests(await tick(app, channel), FACTURACION) == []
    clock.set(madrid(11, 30, 9))
    assert len(digests(await tick(app, channel), FACTURACION)) == 1


async def test_a_team_that_opens_after_nine_gets_it_at_its_opening(app, folk, channel, clock):  # noqa: ANN001
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")
    await tick(app, channel)
    clock.set(madrid(11, 28, 9, 30))  # Saturday: Soporte opens at 10:00; the worker was away since Wednesday
    assert digests(await tick(app, channel), SOPORTE) == []
    assert await due_at(app, "soporte") == madrid(11, 28, 10)
    clock.set(madrid(11, 28, 10))
    [digest] = digests(await tick(app, channel), SOPORTE)
    assert digest.message.text.split("\n")[:2] == [
        "*Incidencias con actualización hoy: 1*",
        "• INC-1 (ACME Logística S.L., SEV2) antes de mié 25 nov, 12:00",
    ]


async def test_after_downtime_only_todays_digest_goes_out(app, ped1, channel, clock):  # noqa: ANN001
    clock.set(madrid(11, 27, 11))  # the worker was down from Wednesday to Friday morning
    calls = await tick(app, channel)
    assert len(digests(calls, FACTURACION)) == 1
    assert [row.window_key for row in await nudges(app, kind="team.digest")] == ["2026-11-27"]  # not Thursday's
    clock.set(madrid(11, 27, 11, 5))
    assert digests(await tick(app, channel), FACTURACION) == []
    assert await due_at(app, "facturacion") == madrid(11, 30, 9)


async def test_a_new_team_is_only_given_its_first_due_time(app, folk, channel, clock):  # noqa: ANN001
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    clock.set(madrid(11, 26, 9, 30))  # the first tick ever, after Thursday's moment
    assert digests(await tick(app, channel), FACTURACION) == []
    assert await due_at(app, "facturacion") == madrid(11, 27, 9)


async def test_a_team_with_nothing_to_say_hears_nothing(app, ped1, channel, clock):  # noqa: ANN001
    clock.set(madrid(11, 26, 9))
    assert digests(await tick(app, channel), SISTEMAS) == []
    assert await due_at(app, "sistemas") == madrid(11, 27, 9)  # looked at, and moved on
    rows = await nudges(app, kind="team.digest")
    assert [row.recipient_id for row in rows] == [(await team_id(app, "facturacion"))]


async def team_id(app, slug: str) -> int:  # noqa: ANN001
    async with app.sessions() as session:
        return (await session.exec(select(Team.id).where(Team.slug == slug))).one()


async def test_two_workers_send_it_once(app, ped1, channel, clock, monkeypatch):  # noqa: ANN001
    clock.set(madrid(11, 26, 9))
    [job] = [job for job in app.registry.jobs if job.name == "teams.digest"]
    # Both workers have read the due time when they try to claim it.
    slow_down(monkeypatch, scheduled, "_claim")
    recorded = []
    original = scheduled.insert_new

    async def recording(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        recorded.append(await original(*args, **kwargs))
        return recorded[-1]

    monkeypatch.setattr(scheduled, "insert_new", recording)
    await asyncio.gather(app.run_job(job), app.run_job(job))
    assert recorded == [True]  # the claim kept the second worker out, before the ledger had to
    assert len(digests(await tick(app, channel), FACTURACION)) == 1
    # A worker that read an old due time still finds today's digest in the ledger.
    async with app.sessions() as session, session.begin():
        await session.exec(update(Team).values(digest_due_at=madrid(11, 26, 9)))
    assert digests(await tick(app, channel), FACTURACION) == []


async def test_the_digest_speaks_the_teams_language_and_drops_decided_risks(app, ped1, folk, channel, clock):  # noqa: ANN001
    async with app.sessions() as session, session.begin():
        await session.exec(update(Team).where(Team.slug == "facturacion").values(locale="en"))
    await app.action(folk[ELENA], "risk.dismiss", "1")
    clock.set(madrid(11, 26, 9))
    [digest] = digests(await tick(app, channel), FACTURACION)
    assert digest.message.title == "Facturación's daily digest · Nov 26, 2026"
    assert digest.message.text == ("*Open requests: 1* — ⛔ 1 overdue\nFirst: PED-1 (overdue)\n"
                                   "_The team's customer card has not been reviewed for over 6 months: /equipo editar_")
