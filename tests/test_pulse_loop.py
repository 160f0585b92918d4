"""A round as its creator and the subject team live it: who could not be
reached and why, and the team's answer to the results reaching everyone asked
and showing next to the next round's question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.delivery.channel import Unreachable
from bot.messages import Message
from storage.models import PulseParticipation
from tests.harness.support import RecordingChannel
from tests.nudge_support import tick
from tests.pulse_support import RAQUEL, button, later, make_hr, open_round, participation, questions_to, rows

AUDIENCE = ("ana.garcia", "sara.ruiz", "irene.vazquez", "elena.torres", "javier.martin")


@dataclass
class PartlyReachable(RecordingChannel):
    """Elena has no account any platform reaches; Teams never installed Pedir for Javier."""

    def address_person(self, person, accounts):  # noqa: ANN001, ANN201
        return None if person.email.startswith("elena.") else super().address_person(person, accounts)

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        if address.startswith("person:javier."):
            raise Unreachable("not reachable on Teams yet (29): the bot was never installed there")
        return await super().send(address, message, thread_id)


@pytest.fixture
async def hr(app, folk):  # noqa: ANN001
    return await make_hr(app, folk[RAQUEL])


async def test_the_creator_is_told_who_could_not_be_reached_and_how_to_fix_it(app, folk, hr):  # noqa: ANN001
    channel = PartlyReachable()
    await open_round(app, hr, [folk[name] for name in AUDIENCE])
    await tick(app, channel)
    await tick(app, channel)
    progress = channel.to("person:raquel.dominguez@example.com")
    final = progress[-1].message.text
    assert "Enviado a 3 de 5 · 2 sin poder llegar" in final and "Envío terminado" in final
    assert "Sin cuenta en Slack ni en Teams: Elena Torres" in final and "fichero de la organización" in final
    assert "no está instalado para ellos en Teams: Javier Martín" in final and "Instalar para usuarios" in final
    elena = await participation(app, folk["elena.torres"])
    assert (elena.state, elena.reason, elena.remind_at) == ("unreachable", "no_account", None)
    later(app, timedelta(days=2))
    reminded = [c.address for c in await tick(app, channel) if "Recordatorio" in c.message.text]
    assert sorted(reminded) == [f"person:{n}@example.com" for n in ("ana.garcia", "irene.vazquez", "sara.ruiz")]


async def test_the_lead_answers_the_results_and_the_next_round_shows_it(app, folk, hr):  # noqa: ANN001
    channel = RecordingChannel()
    audience = [folk[name] for name in AUDIENCE]
    first = await open_round(app, hr, audience)
    calls = await tick(app, channel)
    pablo = folk["pablo.jimenez"]  # Sistemas' lead
    early = await app.command(pablo, "/pulso", "responder P-1 Gracias")
    assert early.refused and "aún no tiene una ronda cerrada" in early.message.text
    for name in AUDIENCE:
        await app.action(folk[name], "pulse.answer", button(questions_to(calls, f"{name}@example.com")[0], "3").value)
    later(app, timedelta(days=3, minutes=1))
    calls = await tick(app, channel)
    [results] = [c.message for c in calls if c.address == "person:pablo.jimenez@example.com"]
    assert [a.label for a in results.actions] == ["Responder a los resultados"]
    outsider = await app.command(folk["marta.lopez"], "/pulso", "responder P-1 Hola")
    assert outsider.refused and "quien lidera el equipo" in outsider.message.text
    assert (await app.command(pablo, "/pulso", "responder P-1")).form.id == "pulse.respond"
    form = (await app.action(pablo, "pulse.respond", results.actions[0].value)).form
    assert form is not None and form.id == "pulse.respond"
    reply = await app.submit(pablo, "pulse.respond", form.context, {"answer": "Abriremos un canal de guardia."})
    assert "Enviado a las 5 personas" in reply.message.text
    calls = await tick(app, channel)
    heard = sorted(c.address for c in calls if "Abriremos un canal de guardia." in c.message.text)
    assert heard == sorted(f"person:{name}@example.com" for name in AUDIENCE)
    again = await app.command(pablo, "/pulso", "responder P-1 Otra vez")
    assert again.refused and "Ya respondisteis" in again.message.text
    await open_round(app, hr, audience, pulse_id=first.pulse_id, number=2)
    calls = await tick(app, channel)
    question = questions_to(calls, "ana.garcia@example.com")[0]
    assert "Sistemas respondió a lo que dijisteis: «Abriremos un canal de guardia.»" in question.text


async def test_participation_records_who_answered_never_what(app, folk, hr):  # noqa: ANN001
    channel = RecordingChannel()
    await open_round(app, hr, [folk[name] for name in AUDIENCE])
    calls = await tick(app, channel)
    await app.action(folk["ana.garcia"], "pulse.answer", button(questions_to(calls, "ana.garcia@example.com")[0], "2").value)
    for row in await rows(app, PulseParticipation):
        assert row.receipt_hash is None, "anonymous: participation keeps no receipt"
        assert row.answered == (row.person_id == folk["ana.garcia"].id)


async def test_a_pulse_with_names_says_so_before_anyone_answers(app, folk, hr):  # noqa: ANN001
    channel = RecordingChannel()
    await open_round(app, hr, [folk[name] for name in AUDIENCE], anonymous=False)
    calls = await tick(app, channel)
    question = questions_to(calls, "ana.garcia@example.com")[0]
    assert "NO es anónimo" in question.text and "Anónimo:" not in question.text
    await app.action(folk["ana.garcia"], "pulse.answer", button(question, "4").value)
    assert (await participation(app, folk["ana.garcia"])).receipt_hash is not None
