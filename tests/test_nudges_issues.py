"""An issue's reminders and escalations, unread status updates and undecided
churn risks, with the clock moved by hand.

The clock starts on Wednesday 2026-11-25 at 10:00 in Madrid. Lucía (Soporte:
lead Javier, members Lucía and Carlos; open Mon–Fri 08–20) opens ACME's SEV2
issue INC-1: she owns it, and Soporte owes an update every 2 business hours
(12:00), with half of that (an hour) of grace before the lead and the
stakeholders hear. Elena, ACME's account manager, follows it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domains import REGISTRY
from tests.harness.issue_support import ANA, ELENA, JAMES, JAVIER, LUCIA
from tests.harness.support import RecordingChannel
from tests.nudge_support import nudges, sent, tick

MADRID = ZoneInfo("Europe/Madrid")
TO_LUCIA, TO_JAVIER, TO_ELENA, TO_JAMES, TO_ANA = (
    f"person:{who}@example.com" for who in (LUCIA, JAVIER, ELENA, JAMES, ANA))
SOPORTE = "team:soporte"
LATE_TO_STAKEHOLDERS = "La próxima actualización de INC-1 (ACME Logística S.L.) llega tarde"
ACK_REMINDER = "¿Has visto la actualización"


def madrid(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


def mentions(calls, text: str) -> list:  # noqa: ANN001
    return [call for call in calls if text in (call.message.text or "")]


def action(call, action_id: str):  # noqa: ANN001, ANN201
    return next(a for a in call.message.actions if a.id == action_id)


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
async def inc1(app, folk, channel):  # noqa: ANN001
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")
    assert reply.message.text.startswith("Abierta INC-1")
    await tick(app, channel)


# ---------------------------------------------------------------- the update is overdue


async def test_the_owner_is_reminded_when_the_update_is_due_and_only_then(app, inc1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 11, 59))
    assert sent(await tick(app, channel), TO_LUCIA) == []
    clock.set(madrid(25, 12))
    calls = await tick(app, channel)
    [reminder] = sent(calls, TO_LUCIA)
    assert reminder.message.text.startswith("⏳ INC-1 (ACME Logística S.L.): la actualización tocaba el mié 25 nov, 12:00")
    button = action(reminder, "issue.post_status")
    assert REGISTRY.context(button.id, button.value).id == 1
    assert "Recordar en 1 h" in [a.label for a in reminder.message.actions]
    # The button opens the status form, as on the issue card.
    form = (await app.action(folk[LUCIA], button.id, button.value)).form
    assert form is not None and form.id == "issue.post_status"
    assert sent(calls, TO_JAVIER) == [] and sent(calls, TO_ELENA) == [] and sent(calls, SOPORTE) == []
    assert sent(await tick(app, channel), TO_LUCIA) == []  # once


async def test_after_the_grace_period_the_lead_and_the_stakeholders_hear(app, inc1, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 12))
    await tick(app, channel)
    clock.set(madrid(25, 12, 59))
    assert sent(await tick(app, channel), TO_JAVIER) == []
    clock.set(madrid(25, 13))
    calls = await tick(app, channel)
    [to_lead], [to_elena] = sent(calls, TO_JAVIER), sent(calls, TO_ELENA)
    assert to_lead.message.text.startswith("⛔ INC-1 (ACME Logística S.L., SEV2): la actualización tocaba el")
    assert "ya se ha avisado a Lucía Hernández Díaz" in to_lead.message.text
    assert action(to_lead, "issue.post_status")
    assert to_elena.message.text == (
        f"{LATE_TO_STAKEHOLDERS}; ya se ha avisado a Lucía Hernández Díaz.")
    assert to_elena.message.actions == []  # news, not a chore: nothing to put off
    # The owner heard at 12:00; her own team's channel owes the update, it is not told it is late.
    assert sent(calls, TO_LUCIA) == [] and sent(calls, SOPORTE) == []
    assert sent(await tick(app, channel), TO_ELENA) == []  # once


async def test_the_issue_cards_show_the_trail(app, inc1, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 13))  # the worker was away: reminder and escalation go out together
    await tick(app, channel)
    cards = [c for c in channel.calls if c.address == SOPORTE and c.kind == "update"]
    context = cards[-1].message.context
    assert "recordado a Lucía Hernández Díaz" in context
    assert "escalado a Javier Martín Gómez" in context
    assert "avisados 1 interesados" in context
    elena_cards = [c for c in channel.calls if c.address == TO_ELENA and c.kind == "update"]
    assert "escalado a Javier" in elena_cards[-1].message.context


async def test_an_issue_nobody_owns_reminds_the_owner_teams_channel(app, folk, channel, clock):  # noqa: ANN001
    await app.command(folk[ANA], "/incidencia", "nueva #acme sev2 @soporte la web no carga")
    await tick(app, channel)
    clock.set(madrid(25, 12))
    [reminder] = sent(await tick(app, channel), SOPORTE)
    assert reminder.message.text.startswith("⏳ INC-1 (ACME Logística S.L.): la actualización tocaba")
    clock.set(madrid(25, 13))
    calls = await tick(app, channel)
    assert "ya se ha avisado a Soporte" in sent(calls, TO_JAVIER)[0].message.text
    # Ana opened it and Elena manages the account: both wait for the update.
    assert len(mentions(sent(calls, TO_ANA), LATE_TO_STAKEHOLDERS)) == 1
    assert len(mentions(sent(calls, TO_ELENA), LATE_TO_STAKEHOLDERS)) == 1
    assert sent(calls, SOPORTE) == []


async def test_a_status_update_cancels_the_overdue_reminder(app, inc1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 11, 30))
    await app.command(folk[LUCIA], "/estado", "INC-1 Hemos encontrado la causa, desplegamos a las 13:00")
    await tick(app, channel)
    clock.set(madrid(25, 13))
    calls = await tick(app, channel)
    assert sent(calls, TO_LUCIA) == [] and sent(calls, TO_JAVIER) == []
    assert mentions(sent(calls, TO_ELENA), "llega tarde") == []
    old = [n for n in await nudges(app, subject_kind="issue") if n.send_at <= madrid(25, 13)]
    assert old and {n.state for n in old} == {"cancelled"}
    # The new due time (13:30) has reminders of its own.
    clock.set(madrid(25, 13, 30))
    [reminder] = sent(await tick(app, channel), TO_LUCIA)
    assert "tocaba el mié 25 nov, 13:30" in reminder.message.text


async def test_closing_the_issue_cancels_everything(app, inc1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 11))
    await app.command(folk[JAVIER], "/incidencia", "cerrar INC-1 resuelto")
    await tick(app, channel)
    clock.set(madrid(26, 18))
    calls = await tick(app, channel)
    assert sent(calls, TO_LUCIA) == [] and sent(calls, TO_JAVIER) == [] and sent(calls, TO_ELENA) == []


async def test_a_new_stakeholder_hears_too_and_one_who_left_does_not(app, inc1, folk, channel, clock):  # noqa: ANN001
    await app.command(folk[JAMES], "/incidencia", "seguir INC-1")
    await app.command(folk[ELENA], "/incidencia", "dejar INC-1")
    clock.set(madrid(25, 13))
    calls = await tick(app, channel)
    assert len(mentions(sent(calls, TO_JAMES), "The next update on INC-1 (ACME Logística S.L.) is late")) == 1
    assert sent(calls, TO_ELENA) == []


# ---------------------------------------------------------------- a status nobody acknowledged


async def test_a_stakeholder_who_did_not_acknowledge_is_reminded_a_business_day_later(app, inc1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 10, 30))
    await app.command(folk[LUCIA], "/estado", "INC-1 Sincronización restablecida en 30 almacenes")
    await tick(app, channel)
    clock.set(madrid(25, 14))  # the update it asked for is late again by now: Elena hears that first
    assert mentions(sent(await tick(app, channel), TO_ELENA), "llega tarde")
    clock.set(madrid(26, 10, 29))
    assert mentions(sent(await tick(app, channel), TO_ELENA), ACK_REMINDER) == []
    clock.set(madrid(26, 10, 30))
    calls = await tick(app, channel)
    [reminder] = mentions(sent(calls, TO_ELENA), ACK_REMINDER)
    assert "Lucía Hernández Díaz sobre INC-1 (ACME Logística S.L.) del mié 25 nov, 10:30" in reminder.message.text
    assert "«Sincronización restablecida en 30 almacenes»" in reminder.message.text
    ack = action(reminder, "status.ack")
    assert not any(a.id == "nudge.snooze" for a in reminder.message.actions)  # once, never again
    assert sent(calls, TO_LUCIA) == []  # the author acknowledges nothing
    reply = await app.action(folk[ELENA], ack.id, ack.value)
    assert not reply.refused
    clock.set(madrid(27, 12))
    assert mentions(sent(await tick(app, channel), TO_ELENA), ACK_REMINDER) == []


async def test_acknowledging_cancels_the_reminder(app, inc1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 10, 30))
    await app.command(folk[LUCIA], "/estado", "INC-1 Sincronización restablecida")
    calls = await tick(app, channel)
    [card] = [c for c in sent(calls, TO_ELENA) if action(c, "status.ack")]
    ack = action(card, "status.ack")
    await app.action(folk[ELENA], ack.id, ack.value)
    clock.set(madrid(26, 12))
    assert mentions(sent(await tick(app, channel), TO_ELENA), ACK_REMINDER) == []
    [reminder] = await nudges(app, kind="issue.status.ack")
    assert reminder.state == "cancelled"


async def test_a_newer_status_makes_the_older_reminder_stale(app, inc1, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 10, 30))
    await app.command(folk[LUCIA], "/estado", "INC-1 Investigando")
    clock.set(madrid(25, 11))
    await app.command(folk[LUCIA], "/estado", "INC-1 Causa encontrada")
    clock.set(madrid(25, 14))
    await tick(app, channel)
    clock.set(madrid(26, 10, 45))
    assert mentions(sent(await tick(app, channel), TO_ELENA), ACK_REMINDER) == []
    clock.set(madrid(26, 11))
    [reminder] = mentions(sent(await tick(app, channel), TO_ELENA), ACK_REMINDER)
    assert "«Causa encontrada»" in reminder.message.text


# ---------------------------------------------------------------- a churn risk nobody decided on


@pytest.fixture
async def flagged(app, folk, channel):  # noqa: ANN001
    await app.command(folk[ANA], "/pedir", "@facturacion #ACME quiere cancelar el contrato si no se corrige ya")
    await tick(app, channel)


async def test_an_undecided_risk_reminds_its_decider_a_business_day_later(app, flagged, channel, clock):  # noqa: ANN001
    clock.set(madrid(26, 9, 59))
    assert sent(await tick(app, channel), TO_ELENA) == []
    clock.set(madrid(26, 10))
    [reminder] = sent(await tick(app, channel), TO_ELENA)
    assert reminder.message.text.startswith(
        "⚠ El posible riesgo con ACME Logística S.L. (quiere darse de baja, en PED-1) sigue sin decisión")
    ids = [a.id for a in reminder.message.actions]
    assert ids[:3] == ["risk.accept", "risk.dismiss", "risk.done"]
    assert REGISTRY.context("risk.accept", action(reminder, "risk.accept").value).id == 1
    assert sent(await tick(app, channel), TO_ELENA) == []  # once


async def test_deciding_cancels_the_risk_reminder(app, flagged, folk, channel, clock):  # noqa: ANN001
    clock.set(madrid(25, 15))
    await app.action(folk[ELENA], "risk.accept", "1")
    clock.set(madrid(26, 12))
    assert sent(await tick(app, channel), TO_ELENA) == []
    [reminder] = await nudges(app, kind="risk.decide.remind")
    assert reminder.state == "cancelled"
