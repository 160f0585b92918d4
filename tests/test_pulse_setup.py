"""Setting pulses up through Pedir's front door: the form, its refusals, who may
do what, and /pulso lista, ver, pausar, reanudar, cancelar.

Demo organisation (examples/demo-org.toml): Raquel leads RRHH and is HR;
Ana is in RRHH but not HR; Pablo leads Sistemas; James speaks English.
The clock stands at Wednesday 25 November 2026, 10:00 in Madrid.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.interaction import NOTHING, make
from storage.models import Person, Pulse, PulseRound, Team

NEW = make("pulse.new", NOTHING)
QUESTION = "¿Cómo valoras el servicio de Sistemas este mes?"
GOOD = {
    "q1_text": QUESTION, "q1_kind": "scale", "q2_text": "¿Lo recomendarías?", "q2_kind": "enps",
    "q3_text": "", "q3_kind": "scale", "comment": "yes", "subject": "sistemas", "audience": "@soporte @ventas",
    "schedule": "monthly", "start": "2026-12-08", "time": "10:00", "cron": "", "window": "3", "reminder": "2",
    "anonymous": "yes", "min_answers": "5",
}


async def pulses(sessions) -> list[Pulse]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Pulse).order_by(Pulse.id))).all())


async def create(app, who: Person, **changes: str):  # noqa: ANN001, ANN201
    return await app.submit(who, "pulse.new", NEW, {**GOOD, **changes})


# ------------------------------------------------------------------ the form


async def test_hr_fills_in_the_form_and_the_pulse_is_stored_as_asked(app, folk, sessions):
    raquel = folk["raquel.dominguez"]
    opened = await app.command(raquel, "/pulso", "nuevo")
    assert opened.form is not None and opened.form.id == "pulse.new"
    names = [field.name for field in opened.form.fields]
    assert names[:2] == ["q1_text", "q1_kind"] and {"audience", "cron", "anonymous", "min_answers"} <= set(names)
    anonymous = next(field for field in opened.form.fields if field.name == "anonymous")
    assert anonymous.initial == "yes" and anonymous.choices[1] == ("named", "No — las respuestas llevarán nombre")

    reply = await create(app, raquel)
    assert not reply.errors and not reply.refused, reply
    text = reply.message.text + str(reply.message.fields)
    assert "Pulso P-1 creado." in text
    assert "cada mes, el segundo martes a las 10:00, desde el 8 dic 2026" in text
    assert "Soporte, Ventas (5 personas hoy)" in text
    [pulse] = await pulses(sessions)
    assert pulse.created_by_id == raquel.id and pulse.state == "active" and pulse.anonymous
    assert pulse.questions == [{"kind": "scale", "text": QUESTION}, {"kind": "enps", "text": "¿Lo recomendarías?"}]
    assert (pulse.window_days, pulse.remind_after_days, pulse.min_answers, pulse.comment) == (3, 2, 5, True)
    assert pulse.schedule == {"kind": "monthly", "start": "2026-12-08", "time": "10:00"}
    assert pulse.timezone == "Europe/Madrid"
    assert pulse.next_round_on == date(2026, 12, 8)
    assert pulse.next_open_at == datetime(2026, 12, 7, 20, 0, tzinfo=timezone.utc)  # 10:00 in UTC+14


async def test_defaults_general_pulse_for_everyone_once(app, folk, sessions):
    reply = await app.submit(folk["raquel.dominguez"], "pulse.new", NEW, {
        "q1_text": "¿Qué tal el mes?", "audience": "todos", "start": "2026-11-26"})
    assert not reply.errors, reply.errors
    [pulse] = await pulses(sessions)
    assert pulse.subject_team_id is None and pulse.audience == {"everyone": True, "teams": [], "people": []}
    assert (pulse.window_days, pulse.remind_after_days, pulse.min_answers, pulse.anonymous) == (3, 2, 5, True)
    assert pulse.schedule == {"kind": "once", "start": "2026-11-26", "time": "10:00"}


async def test_a_named_pulse_only_when_chosen_as_such(app, folk, sessions):
    raquel = folk["raquel.dominguez"]
    refused = await create(app, raquel, anonymous="no")
    assert "la opción «no — las respuestas llevarán nombre»" in refused.errors["anonymous"]
    reply = await create(app, raquel, anonymous="named")
    assert "No es anónimo: cada persona verá que su respuesta lleva su nombre" in reply.message.text
    [pulse] = await pulses(sessions)
    assert pulse.anonymous is False


async def test_a_cron_pulse_takes_its_time_from_the_expression(app, folk, sessions):
    reply = await create(app, folk["raquel.dominguez"], schedule="cron", cron="30 9 * * 1", time="")
    assert not reply.errors, reply.errors
    [pulse] = await pulses(sessions)
    assert pulse.schedule == {"kind": "cron", "start": "2026-12-08", "time": "09:30", "cron": "30 9 * * 1"}
    assert pulse.next_round_on == date(2026, 12, 14)  # the first Monday from the start date
    assert "A las 09:30, sólo el lunes" in str(reply.message.fields)


@pytest.mark.parametrize(("changes", "field", "says"), [
    ({"q1_text": "", "q2_text": ""}, "q1_text", "Escribe al menos una pregunta"),
    ({"q2_kind": "nps"}, "q2_kind", "no es un tipo de pregunta"),
    ({"min_answers": "2"}, "min_answers", "va de 3 a 25"),
    ({"min_answers": "26"}, "min_answers", "va de 3 a 25"),
    ({"start": "2026-11-20"}, "start", "ya ha pasado"),
    ({"start": "2026-11-25", "schedule": "once", "time": "09:00"}, "time", "Hoy a las 09:00 ya ha pasado"),
    ({"start": "el mes que viene"}, "start", "No entiendo la fecha"),
    ({"audience": ""}, "audience", "Di a quién preguntar"),
    ({"audience": "@factura"}, "audience", "¿Quisiste decir @facturacion?"),
    ({"audience": "nadie@example.com"}, "audience", "No conozco a nadie con el email nadie@example.com"),
    ({"subject": "sistemass"}, "subject", "¿Quisiste decir @sistemas?"),
    ({"schedule": "cron", "cron": "0 10 30 2 *"}, "cron", "no se cumple nunca"),
    ({"schedule": "cron", "cron": "cada lunes"}, "cron", "no es una expresión cron válida"),
    ({"schedule": "cron", "cron": "0 * * * 1"}, "cron", "como mucho una vez al día"),
    ({"schedule": "cron", "cron": ""}, "cron", "Escribe la expresión cron"),
    ({"cron": "0 10 * * 1"}, "cron", "solo vale con la frecuencia «cron»"),
    ({"time": "25:00"}, "time", "no es una hora"),
    ({"window": "11"}, "window", "de 1 a 10 días laborables"),
    ({"reminder": "3"}, "reminder", "de 1 a 2 días laborables"),
    ({"window": "1", "reminder": "1"}, "reminder", "Con una ventana de un día no cabe un recordatorio"),
])
async def test_bad_input_is_refused_under_its_field_and_nothing_is_stored(app, folk, sessions, changes, field, says):
    reply = await create(app, folk["raquel.dominguez"], **changes)
    assert field in reply.errors, reply.errors
    assert says in reply.errors[field]
    assert await pulses(sessions) == []


async def test_every_wrong_field_is_reported_at_once_in_the_callers_language(app, folk, sessions):
    async with sessions() as session:
        raquel = await session.get(Person, folk["raquel.dominguez"].id)
        raquel.locale = "en"
        session.add(raquel)
        await session.commit()
    reply = await create(app, raquel, min_answers="30", audience="", start="2020-01-01")
    assert set(reply.errors) == {"min_answers", "audience", "start"}
    assert reply.errors["min_answers"] == "“30”: the minimum number of answers before results show is 3 to 25."
    assert await pulses(sessions) == []


async def test_teams_with_nobody_in_them_are_an_empty_audience(app, folk, sessions):
    raquel = folk["raquel.dominguez"]
    async with sessions() as session, session.begin():
        session.add(Team(slug="vacio", name="Vacío", timezone="Europe/Madrid"))
    reply = await create(app, raquel, audience="@vacio")
    assert "no tienen a nadie todavía" in reply.errors["audience"]
    assert await pulses(sessions) == []


# ------------------------------------------------------------------ who may


async def test_only_hr_opens_the_form_or_creates(app, folk, sessions):
    ana = folk["ana.garcia"]  # in RRHH, not HR
    opened = await app.command(ana, "/pulso", "nuevo")
    assert opened.refused and opened.form is None
    assert "Solo RR. HH. puede crear y gestionar pulsos" in opened.message.text
    submitted = await create(app, ana)
    assert submitted.refused and "Solo RR. HH." in submitted.message.text
    assert await pulses(sessions) == []


async def test_lista_and_ver_for_hr_the_subject_lead_and_nobody_else(app, folk):
    await create(app, folk["raquel.dominguez"])  # about Sistemas
    await create(app, folk["raquel.dominguez"], subject="general", q1_text="¿Qué tal el mes?")
    everything = await app.command(folk["raquel.dominguez"], "/pulso", "lista")
    assert everything.message.title == "Pulsos (2)"
    assert "*P-2* · General" in everything.message.text and "*P-1* · Sistemas" in everything.message.text
    pablo = folk["pablo.jimenez"]  # leads Sistemas
    his = await app.command(pablo, "/pulso", "lista")
    assert his.message.title == "Pulsos (1)" and "P-1" in his.message.text and "P-2" not in his.message.text
    assert (await app.command(pablo, "/pulso", "ver P-1")).message.title == "P-1 · Sistemas"
    refused = await app.command(pablo, "/pulso", "ver P-2")
    assert refused.refused and "P-2 lo ven RR. HH." in refused.message.text
    irene = folk["irene.vazquez"]  # a member of Sistemas, not its lead
    assert "No hay pulsos sobre equipos que lideres" in (await app.command(irene, "/pulso", "lista")).message.text
    assert (await app.command(irene, "/pulso", "ver P-1")).refused


async def test_ver_shows_how_many_answered_never_what(app, folk, sessions, clock):
    await create(app, folk["raquel.dominguez"])
    async with sessions() as session, session.begin():
        session.add(PulseRound(pulse_id=1, number=1, on_date=date(2026, 12, 8), state="open", audience_size=5,
                               closes_at=datetime(2026, 12, 14, 9, tzinfo=timezone.utc), questions=[]))
    shown = await app.command(folk["raquel.dominguez"], "/pulso", "ver P-1")
    rounds = next(f.value for f in shown.message.fields if f.label == "Rondas")
    assert rounds == "Ronda 1 · 8 dic 2026 · abierta · cierra lun 14 dic, 10:00 · han respondido 0 de 5"


async def test_pause_resume_and_cancel_are_hr_only_and_answer_in_the_callers_language(app, folk, sessions):
    raquel, james = folk["raquel.dominguez"], folk["james.whitaker"]
    await create(app, raquel, schedule="weekly", start="2026-11-30")
    refused = await app.command(james, "/pulso", "pause P-1")
    assert refused.refused and "Only HR can create and manage pulses" in refused.message.text
    paused = await app.command(raquel, "/pulso", "pausar P-1")
    assert paused.message.text.startswith("P-1 en pausa")
    again = await app.command(raquel, "/pulso", "pausar P-1")
    assert again.refused and again.message.text == "P-1 ya está en pausa."
    [pulse] = await pulses(sessions)
    assert pulse.state == "paused"
    resumed = await app.command(raquel, "/pulso", "reanudar P-1")
    assert "P-1 reanudado. Próxima ronda: 30 nov 2026" in resumed.message.text
    cancelled = await app.command(raquel, "/pulso", "cancelar P-1")
    assert cancelled.message.text == "P-1 cancelado: no saldrán más rondas."
    [pulse] = await pulses(sessions)
    assert (pulse.state, pulse.next_open_at) == ("cancelled", None)
    assert (await app.command(raquel, "/pulso", "reanudar P-1")).message.text == "P-1 está cancelado."
    unknown = await app.command(raquel, "/pulso", "ver P-9")
    assert unknown.refused and "No encuentro el pulso P-9" in unknown.message.text


async def test_resuming_skips_the_dates_missed_while_paused(app, folk, sessions, clock):
    raquel = folk["raquel.dominguez"]
    await create(app, raquel, schedule="weekly", start="2026-11-30")  # Mondays
    await app.command(raquel, "/pulso", "pausar P-1")
    clock.set(datetime(2026, 12, 15, 9, tzinfo=timezone.utc))  # Tuesday, two Mondays later
    await app.command(raquel, "/pulso", "reanudar P-1")
    [pulse] = await pulses(sessions)
    assert pulse.state == "active" and pulse.next_round_on == date(2026, 12, 21)
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(PulseRound))).one() == 0
