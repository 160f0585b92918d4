"""A pulse from the form to the team's answer, through every job, as the
people involved live it: HR sets it up, each person is asked at 10:00 their
own time, they answer, the round closes, results show, Sistemas answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.harness.support import RecordingChannel
from tests.nudge_support import tick
from tests.pulse_support import button, questions_to

MADRID = ZoneInfo("Europe/Madrid")
MEXICO = ZoneInfo("America/Mexico_City")
# Soporte (Javier, Lucía, Carlos in Mexico City) and Facturación (Marta, Sara).
ASKED = ("javier.martin", "lucia.hernandez", "carlos.navarro", "marta.lopez", "sara.ruiz")


async def test_from_the_form_to_the_teams_answer(app, folk, clock):  # noqa: ANN001
    channel = RecordingChannel()
    raquel = folk["raquel.dominguez"]  # HR in the demo organisation
    form = (await app.command(raquel, "/pulso", "nuevo")).form
    values = {field.name: field.initial or "" for field in form.fields}
    values.update(q1_text="¿Cómo valoras el servicio de Sistemas este mes?", q1_kind="scale",
                  subject="sistemas", audience="@soporte @facturacion", start="2026-11-26", time="10:00")
    created = await app.submit(raquel, form.id, form.context, values)
    assert not created.errors and not created.refused, created
    clock.set(datetime(2026, 11, 26, 9, 59, tzinfo=MADRID))
    assert [c for c in await tick(app, channel) if questions_to([c], f"{ASKED[0]}@example.com")] == []
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=MADRID))
    calls = await tick(app, channel)
    asked_now = {name for name in ASKED if questions_to(calls, f"{name}@example.com")}
    assert asked_now == set(ASKED) - {"carlos.navarro"}, "Carlos is asked at 10:00 in Mexico City"
    questions = {name: questions_to(calls, f"{name}@example.com")[0] for name in asked_now}
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=MEXICO))
    questions["carlos.navarro"] = questions_to(await tick(app, channel), "carlos.navarro@example.com")[0]
    for score, name in enumerate(ASKED, start=1):
        reply = await app.action(folk[name], "pulse.answer", button(questions[name], str(score)).value)
        assert f"Tu respuesta: {score}" in reply.message.text
    early = await app.command(raquel, "/pulso", "resultados P-1")
    assert "han respondido 5 de 5" in early.message.text and "3,0" not in early.message.text  # a count, no figure
    clock.set(clock.now() + timedelta(days=7))
    calls = await tick(app, channel)
    results = [c.message for c in calls if c.address == "person:pablo.jimenez@example.com"]
    assert results and "3,0" in results[-1].text + "".join(f.value for f in results[-1].fields)
    shown = await app.command(raquel, "/pulso", "resultados P-1")
    assert "3,0" in shown.message.text + "".join(f.value for f in shown.message.fields)
    answered = await app.command(folk["pablo.jimenez"], "/pulso", "responder P-1 Abriremos un canal de guardia.")
    assert not answered.refused
    heard = {c.address for c in await tick(app, channel) if "canal de guardia" in c.message.text}
    assert heard == {f"person:{name}@example.com" for name in ASKED}
