"""A request's reminders and escalations, with the clock moved by hand.

The clock starts on Wednesday 2026-11-25 at 10:00 in Madrid. Ana asks
Facturación (Mon–Thu 09–18, Fri 08–15, Europe/Madrid; lead Marta, member Sara)
for something with high priority: a first response within 4 business hours
(14:00, warned at 13:00) and a resolution within one business day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.interaction import make
from bot.nudges.sender import NUDGE
from bot.requests.states import REQUEST
from storage.models import Request
from tests.harness.support import RecordingChannel
from tests.nudge_support import nudges, sent, texts, tick

MADRID = ZoneInfo("Europe/Madrid")
ANA, SARA, MARTA = "ana.garcia", "sara.ruiz", "marta.lopez"
TEAM = "team:facturacion"
TO_SARA, TO_MARTA, TO_ANA = (f"person:{who}@example.com" for who in (SARA, MARTA, ANA))


def madrid(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


def warnings(calls: list) -> list:  # noqa: ANN001
    """First-response warnings to the team (its 09:00 digest goes to the same channel)."""
    return [call for call in sent(calls, TEAM) if "primera respuesta" in call.message.text]


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
async def ped1(app, folk, channel):  # noqa: ANN001
    reply = await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    assert reply.message.text.startswith("Creado PED-1")
    await tick(app, channel)
    async with app.sessions() as session:
        return await session.get(Request, 1)


async def test_first_response_warns_the_team_at_75_percent_and_only_then(app, ped1, channel, clock):  # noqa: ANN001
    assert ped1.first_response_warn_at == madrid(25, 13)
    clock.set(madrid(25, 12, 59))
    assert sent(await tick(app, channel), TEAM) == []
    clock.set(madrid(25, 13, 0))
    calls = await tick(app, channel)
    [warning] = sent(calls, TEAM)
    assert "PED-1" in warning.message.text and "primera respuesta" in warning.message.text
    labels = [action.label for action in warning.message.actions]
    assert "Recordar en 1 h" in labels and "Mañana" in labels
    assert any(action.id == "request.claim" for action in warning.message.actions)
    assert sent(await tick(app, channel), TEAM) == []  # once


async def test_first_response_breach_goes_to_the_lead(app, ped1, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 14, 0))
    calls = await tick(app, channel)
    [escalation] = sent(calls, TO_MARTA)
    assert "superó el plazo de primera respuesta" in escalation.message.text
    assert sent(calls, TO_SARA) == []
    # The warning's moment passed while the worker was away: it is stale, never sent.
    assert sent(calls, TEAM) == []
    [warn] = await nudges(app, kind="request.first_response.warn")
    assert warn.state == "cancelled"


async def test_claiming_cancels_the_first_response_nudges(app, ped1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 12))
    await app.action(folk[SARA], "request.claim", "1")
    clock.set(madrid(25, 14, 30))
    calls = await tick(app, channel)
    assert sent(calls, TEAM) == [] and sent(calls, TO_MARTA) == []


async def test_resolution_warns_the_owner_then_escalates_to_owner_and_lead(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    async with app.sessions() as session:
        request = await session.get(Request, 1)
    clock.set(request.resolution_warn_at - timedelta(minutes=1))
    assert sent(await tick(app, channel), TO_SARA) == []
    clock.set(request.resolution_warn_at)
    [warning] = sent(await tick(app, channel), TO_SARA)
    assert "queda una cuarta parte" in warning.message.text
    assert request.resolution_due_at == madrid(25, 18)  # closing time: the breach waits for the morning
    clock.set(madrid(25, 18, 1))
    assert sent(await tick(app, channel), TO_MARTA) == []
    clock.set(madrid(26, 9))
    calls = await tick(app, channel)
    [to_owner], [to_lead] = sent(calls, TO_SARA), sent(calls, TO_MARTA)
    assert "superó el plazo de resolución" in to_owner.message.text
    assert "Sara Ruiz" in to_lead.message.text
    # The team's card now shows the trail.
    cards = [c for c in channel.calls if c.address == TEAM and c.kind == "update"]
    assert "escalado a Marta" in cards[-1].message.context
    assert "recordado a Sara" in cards[-1].message.context


async def test_resolving_cancels_what_was_pending(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    clock.set(madrid(27, 14))  # Friday: past every SLA point
    calls = await tick(app, channel)
    assert sent(calls, TO_SARA) == [] and sent(calls, TO_MARTA) == []


async def test_snooze_moves_the_nudge_an_hour_and_it_comes_back_once(app, ped1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 13))
    [warning] = sent(await tick(app, channel), TEAM)
    snooze = next(a for a in warning.message.actions if a.label == "Recordar en 1 h")
    reply = await app.action(folk[SARA], "nudge.snooze", snooze.value)
    assert "te lo recuerdo" in reply.message.text
    clock.set(madrid(25, 13, 30))
    assert sent(await tick(app, channel), TEAM) == []
    clock.set(madrid(25, 13, 59))
    assert sent(await tick(app, channel), TEAM) == []  # not before the hour is up
    clock.set(madrid(25, 14, 0))
    # 14:00 is the breach too: the snoozed warning is stale by then, the lead hears instead.
    calls = await tick(app, channel)
    assert sent(calls, TEAM) == [] and len(sent(calls, TO_MARTA)) == 1


async def test_snooze_until_tomorrow_waits_for_the_next_working_morning(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    async with app.sessions() as session:
        request = await session.get(Request, 1)
    clock.set(request.resolution_warn_at)
    [warning] = sent(await tick(app, channel), TO_SARA)
    tomorrow = next(a for a in warning.message.actions if a.label == "Mañana")
    await app.action(folk[SARA], "nudge.snooze", tomorrow.value)
    [again] = [n for n in await nudges(app, kind="request.resolution.warn") if n.snoozes == 1]
    assert again.send_at.astimezone(MADRID).date() > request.resolution_warn_at.astimezone(MADRID).date()
    assert again.send_at.astimezone(MADRID).hour == 9


async def test_only_the_recipient_may_snooze(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    async with app.sessions() as session:
        request = await session.get(Request, 1)
    clock.set(request.resolution_warn_at)
    [warning] = sent(await tick(app, channel), TO_SARA)
    snooze = next(a for a in warning.message.actions if a.label == "Recordar en 1 h")
    reply = await app.action(folk[ANA], "nudge.snooze", snooze.value)
    assert reply.refused and "otra persona" in reply.message.text
    forged = make("nudge.snooze", NUDGE, 1, "forever")
    assert (await app.action(folk[SARA], "nudge.snooze", forged)).refused


async def test_nudges_for_one_person_within_five_minutes_are_one_message(app, folk, channel, clock):  # noqa: ANN001
    for text in ("corregir la factura de #ACME !alta", "abono para #ACME !alta"):
        await app.command(folk[ANA], "/pedir", f"@facturacion {text}")
        clock.advance(minutes=2)
    await tick(app, channel)
    clock.set(madrid(25, 14, 3))  # both first responses breached (14:00 and 14:02)
    calls = await tick(app, channel)
    [merged] = sent(calls, TO_MARTA)
    assert "PED-1" in merged.message.text and "PED-2" in merged.message.text
    assert merged.message.title and "2" in merged.message.title


async def test_a_nudge_right_after_another_waits_out_the_five_minutes(app, folk, channel, clock):  # noqa: ANN001
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    clock.advance(minutes=3)
    await app.command(folk[ANA], "/pedir", "@facturacion abono para #ACME !alta")
    await tick(app, channel)
    clock.set(madrid(25, 14, 0))
    assert len(sent(await tick(app, channel), TO_MARTA)) == 1  # PED-1
    clock.set(madrid(25, 14, 3))
    assert sent(await tick(app, channel), TO_MARTA) == []  # PED-2 is due, but Marta just heard from us
    clock.set(madrid(25, 14, 5))
    [second] = sent(await tick(app, channel), TO_MARTA)
    assert "PED-2" in second.message.text


async def test_a_nudge_due_after_hours_waits_for_the_recipients_morning(app, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 17))
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    await app.action(folk[SARA], "request.claim", "1")
    async with app.sessions() as session:
        request = await session.get(Request, 1)
    [to_sara] = await nudges(app, kind="request.resolution.breach", recipient_id=folk[SARA].id)
    assert to_sara.send_at == request.resolution_due_at  # the deadline falls in her hours
    clock.set(madrid(25, 20))  # after hours: nothing reaches anyone
    assert sent(await tick(app, channel), TO_SARA) == []


async def test_waiting_for_the_requester_reminds_after_a_day_then_asks_to_close(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    await app.command(folk[SARA], "/pedir", "info PED-1 ¿qué número de factura?")
    clock.set(madrid(26, 9, 59))
    assert sent(await tick(app, channel), TO_ANA) == []
    clock.set(madrid(26, 10, 0))
    [reminder] = sent(await tick(app, channel), TO_ANA)
    assert "espera tu respuesta" in reminder.message.text
    clock.set(madrid(30, 10))  # Monday: 3 business days
    assert sent(await tick(app, channel), TO_SARA) == []
    clock.set(datetime(2026, 12, 2, 10, tzinfo=MADRID))  # Wednesday: 5 business days
    [ask] = sent(await tick(app, channel), TO_SARA)
    assert "¿La cerramos?" in ask.message.text
    assert {a.id for a in ask.message.actions} >= {"request.resolve", "request.reject"}


async def test_an_answer_from_the_requester_cancels_the_waiting_reminder(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    await app.command(folk[SARA], "/pedir", "info PED-1 ¿qué número de factura?")
    clock.set(madrid(25, 16))
    await app.command(folk[ANA], "/pedir", "comentar PED-1 la F-2291")
    clock.set(madrid(26, 10, 30))
    assert sent(await tick(app, channel), TO_ANA) == []


async def test_an_unrated_resolution_is_reminded_once_the_next_business_day(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    clock.set(madrid(26, 9, 59))
    assert sent(await tick(app, channel), TO_ANA) == []
    clock.set(madrid(26, 10))
    [reminder] = sent(await tick(app, channel), TO_ANA)
    assert "valoración" in reminder.message.text
    assert [a.id for a in reminder.message.actions] == ["request.rate"] * 5  # no snooze: once, never again
    clock.set(madrid(30, 12))
    assert sent(await tick(app, channel), TO_ANA) == []


async def test_a_rated_request_gets_no_rating_reminder(app, ped1, folk, channel, clock):  # noqa: ANN001
    await app.action(folk[SARA], "request.claim", "1")
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    await app.action(folk[ANA], "request.rate", make("request.rate", REQUEST, 1, "5"))
    clock.set(madrid(26, 12))
    assert texts(sent(await tick(app, channel), TO_ANA)) == []


async def test_two_ticks_at_once_send_each_nudge_once(app, ped1, channel, clock):  # noqa: ANN001
    import asyncio

    clock.set(madrid(25, 13))
    job = next(job for job in app.registry.jobs if job.name == "nudges.send")
    await asyncio.gather(app.run_job(job), app.run_job(job))
    await tick(app, channel)
    warnings = [c for c in sent(channel.calls, TEAM) if "primera respuesta" in c.message.text]
    assert len(warnings) == 1


# ---------------------------------------------------------------- working hours: weekend, DST, time zones


async def test_a_friday_afternoon_request_is_warned_on_monday_not_at_the_weekend(app, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(27, 13))  # Friday; Facturación closes at 15:00
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    await tick(app, channel)  # the new request's card
    clock.set(madrid(28, 12))  # Saturday
    assert warnings(await tick(app, channel)) == []
    clock.set(madrid(30, 9))  # Monday: the team's digest goes out first
    await tick(app, channel)
    clock.set(madrid(30, 9, 59))  # 2 h on Friday + 59 min
    assert warnings(await tick(app, channel)) == []
    clock.set(madrid(30, 10))  # 3 business hours: 75 % of the first response
    assert len(warnings(await tick(app, channel))) == 1


async def test_warning_points_follow_the_wall_clock_across_the_dst_change(app, folk, channel, clock):  # noqa: ANN001
    # Friday 23 October 2026, 14:00 in Madrid (UTC+2); clocks go back on Sunday the 25th.
    clock.set(datetime(2026, 10, 23, 14, tzinfo=MADRID))
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    await tick(app, channel)  # the new request's card
    [warn] = await nudges(app, kind="request.first_response.warn")
    # 1 h on Friday, 2 h on Monday from 09:00: 11:00 Madrid, which is now UTC+1.
    assert warn.send_at == datetime(2026, 10, 26, 11, tzinfo=MADRID)
    clock.set(datetime(2026, 10, 26, 9, tzinfo=MADRID))  # Monday's digest
    await tick(app, channel)
    clock.set(datetime(2026, 10, 26, 10, 59, tzinfo=MADRID))
    assert warnings(await tick(app, channel)) == []
    clock.set(datetime(2026, 10, 26, 11, 0, tzinfo=MADRID))
    assert len(warnings(await tick(app, channel))) == 1


async def test_an_owner_in_mexico_city_hears_in_their_own_morning(app, folk, channel, clock):  # noqa: ANN001
    mexico = ZoneInfo("America/Mexico_City")
    carlos = "person:carlos.navarro@example.com"
    await app.command(folk[ANA], "/pedir", "@soporte el portal de #ACME no carga !urgente")
    await app.action(folk["carlos.navarro"], "request.claim", "1")
    await tick(app, channel)  # the cards
    async with app.sessions() as session:
        request = await session.get(Request, 1)
    [warn] = await nudges(app, kind="request.resolution.warn", recipient_id=folk["carlos.navarro"].id)
    # Soporte opens 08:00-20:00: 13:00 in Madrid is 06:00 in Mexico City, before Carlos starts.
    assert request.resolution_warn_at.astimezone(mexico).hour == 6
    assert warn.send_at == datetime(2026, 11, 25, 8, tzinfo=mexico)
    clock.set(request.resolution_warn_at)
    assert sent(await tick(app, channel), carlos) == []
    clock.set(warn.send_at)
    assert len(sent(await tick(app, channel), carlos)) == 1


async def test_snoozing_a_merged_message_never_brings_back_its_rating_reminder(app, folk, channel, clock):  # noqa: ANN001
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    await app.command(folk[ANA], "/pedir", "@facturacion abono para #ACME !alta")
    await app.action(folk[SARA], "request.claim", "1")
    await app.action(folk[SARA], "request.claim", "2")
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    await app.command(folk[SARA], "/pedir", "info PED-2 ¿qué importe?")
    await tick(app, channel)
    clock.set(madrid(26, 10, 1))  # a business day later: both reminders for Ana at once
    [merged] = sent(await tick(app, channel), TO_ANA)
    assert "valoración" in merged.message.text and "espera tu respuesta" in merged.message.text
    snooze = next(a for a in merged.message.actions if a.label == "Recordar en 1 h")
    await app.action(folk[ANA], "nudge.snooze", snooze.value)
    clock.set(madrid(26, 11, 2))
    [again] = sent(await tick(app, channel), TO_ANA)
    assert "espera tu respuesta" in again.message.text and "valoración" not in again.message.text
