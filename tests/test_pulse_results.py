"""A pulse's results: what shows, to whom, and what never does.

Runs on SQLite and PostgreSQL. The pulse P-1 asks about Sistemas (lead Pablo,
member Irene); Ana (RRHH) is HR; Javier leads Soporte. The clock is Wednesday
2026-11-25, 10:00 in Madrid; the rounds close the day before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.pulses import results as results_module
from bot.pulses.commands.results import results_message
from bot.pulses.scores import Scores
from bot.pulses.states import COMMENT, ENPS, OPEN, SCALE, TEXT
from storage.models import Pulse, PulseRound
from tests.harness.pulse_answers import answer, make_hr, make_pulse, make_round, participate, scale

ANA, PABLO, IRENE, JAVIER, JAMES = "ana.garcia", "pablo.jimenez", "irene.vazquez", "javier.martin", "james.whitaker"


@pytest.fixture
async def hr(app, folk, sessions):  # noqa: ANN001, ANN201
    await make_hr(sessions, folk[ANA])
    return folk[ANA]


@pytest.fixture
async def pulse(hr, sessions) -> Pulse:  # noqa: ANN001
    return await make_pulse(sessions, hr)


async def results_of(app, who, text: str = "resultados P-1"):  # noqa: ANN001, ANN201
    reply = await app.command(who, "/pulso", text)
    return reply


async def read(sessions, pulse: Pulse, round_: PulseRound, clock, locale: str = "es"):  # noqa: ANN001, ANN201
    async with sessions() as session:
        return await results_message(session, pulse, round_, locale, clock.now())


def yesterday(clock):  # noqa: ANN001, ANN201
    return clock.now() - timedelta(days=1)


# ---------------------------------------------------------------- thresholds


async def test_below_the_threshold_only_the_counter_shows(app, hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, [("ventas", {0: 5, 1: 10, COMMENT: "Todo genial"})] * 3)
    reply = await results_of(app, hr)
    assert not reply.refused
    message = reply.message
    assert message.title.startswith("P-1 · ronda 1 · ¿Cómo valoras el servicio de Sistemas")
    assert message.text == "3 de 5 respuestas necesarias"
    assert message.fields == []
    assert "genial" not in message.model_dump_json()


async def test_below_the_threshold_in_english(app, folk, pulse, sessions, clock):
    await make_hr(sessions, folk[JAMES])  # James reads English
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, scale(4, 4))
    reply = await results_of(app, folk[JAMES], "results P-1")
    assert reply.message.text == "2 of 5 answers needed"
    assert reply.message.title.startswith("P-1 · round 1 · ")


async def test_an_open_round_shows_only_how_many_answered(app, hr, pulse, folk, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, clock.now() + timedelta(days=2), state=OPEN, audience=6)
    people = [folk[name] for name in (ANA, PABLO, IRENE, JAVIER, JAMES, "carlos.navarro")]
    await participate(sessions, round_, people, answered=5)
    # Even answers already in the table (they would not be, before closing) are not read.
    await answer(sessions, round_, scale(1, 1, 1, 1, 1, 1))
    message = (await results_of(app, hr)).message
    assert "han respondido 5 de 6 personas" in message.text
    assert "Media" not in message.text and "█" not in message.text
    assert message.fields == []


async def test_the_latest_closed_round_is_the_default_and_a_round_may_be_named(app, hr, pulse, sessions, clock):
    first = await make_round(sessions, pulse, 1, yesterday(clock) - timedelta(days=30))
    await answer(sessions, first, scale(2, 2, 2, 2, 2))
    second = await make_round(sessions, pulse, 2, yesterday(clock))
    await answer(sessions, second, scale(4, 4, 4, 4, 4))
    await make_round(sessions, pulse, 3, clock.now() + timedelta(days=3), state=OPEN)
    assert "Media 4,0 de 5" in (await results_of(app, hr)).message.text
    assert "Media 2,0 de 5" in (await results_of(app, hr, "resultados P-1 ronda 1")).message.text
    missing = await results_of(app, hr, "resultados P-1 ronda 9")
    assert missing.refused and missing.message.text == "P-1 no tiene ronda 9. Sus rondas van de la 1 a la 3."


async def test_a_pulse_with_no_round_yet_says_so(app, hr, pulse):
    reply = await results_of(app, hr)
    assert "aún no ha salido" in reply.message.text


# ---------------------------------------------------------------- figures


async def test_average_distribution_and_rate(app, hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), audience=10)
    await answer(sessions, round_, scale(5, 5, 4, 4, 4, 3, 1))
    text = (await results_of(app, hr)).message.text
    assert "*Respuestas:* 7 de 10 (70\u00a0%)" in text
    assert "Media 3,7 de 5 · 7 respuestas" in text  # 26 / 7
    lines = text.splitlines()
    start = lines.index("5 " + "█" * 6 + "▋ 2")  # 2 of the largest 3: two thirds of ten cells
    assert lines[start:start + 5] == ["5 ██████▋ 2", "4 ██████████ 3", "3 ███▍ 1", "2 0", "1 ███▍ 1"]


def test_enps_is_promoters_minus_detractors():
    scores = Scores.of(ENPS, [(10, 3), (9, 2), (8, 1), (7, 1), (6, 1), (3, 1), (0, 1)])
    assert scores.answers == 10
    assert scores.enps == pytest.approx(20.0)  # 50 % − 30 %
    assert Scores.of(ENPS, [(0, 4)]).enps == pytest.approx(-100.0)
    assert Scores.of(SCALE, [(5, 1), (1, 1)]).average == 3.0
    assert Scores.of(SCALE, []).average is None


async def test_enps_reads_with_its_sign_and_shares(app, hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, [("ventas", {0: 4, 1: s}) for s in (10, 10, 10, 9, 9, 8, 7, 6, 3, 0)])
    text = (await results_of(app, hr)).message.text
    assert "eNPS +20 · promotores 50\u00a0%, pasivos 20\u00a0%, detractores 30\u00a0% · 10 respuestas" in text
    assert "10 ██████████ 3" in text and " 0 ███▍ 1" in text


async def test_a_question_answered_by_too_few_hides_its_figures(app, hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, scale(4, 4, 4, 4) + [("ventas", {0: 5, 1: 10})] * 2)
    text = (await results_of(app, hr)).message.text
    assert "Media" in text
    assert "2 de 5 respuestas necesarias" in text and "eNPS" not in text


async def test_the_trend_shows_only_rounds_that_met_their_threshold(app, hr, pulse, sessions, clock):
    day = yesterday(clock)
    for number, scores in ((1, (3, 4, 4, 4, 4)), (2, (5, 5)), (3, (4, 4, 4, 5, 5))):
        round_ = await make_round(sessions, pulse, number, day - timedelta(days=30 * (3 - number)))
        await answer(sessions, round_, scale(*scores))
    text = (await results_of(app, hr)).message.text
    assert "Tendencia: 3,8 → — → 4,4" in text


async def test_text_questions_and_comments_show_shuffled_and_undated(hr, sessions, clock):
    pulse = await make_pulse(sessions, hr, questions=[{"kind": SCALE, "text": "¿Qué tal?"},
                                                      {"kind": TEXT, "text": "¿Qué cambiarías?"}])
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    said = [("ventas", {0: 4, 1: f"cambio {i}", COMMENT: f"comentario {i}"}) for i in range(12)]
    await answer(sessions, round_, said)
    orders = set()
    for _ in range(8):
        async with sessions() as session:
            found = await results_module.round_results(session, pulse, round_)
        assert sorted(found.comments) == sorted(f"comentario {i}" for i in range(12))
        assert sorted(found.questions[1].texts) == sorted(f"cambio {i}" for i in range(12))
        orders.add(tuple(found.comments))
    assert len(orders) > 1  # 12! orders: eight reads in the same order would be a bug
    text = (await read(sessions, pulse, round_, clock)).text
    assert "*Comentarios*, en orden aleatorio:" in text and "• comentario 3" in text
    assert "• cambio 7" in text


async def test_comments_stay_hidden_below_the_threshold(hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, [("ventas", {0: 4, COMMENT: "mi comentario"})] * 4)
    async with sessions() as session:
        found = await results_module.round_results(session, pulse, round_)
    assert (found.shown, found.comments, found.questions) == (False, [], [])
    assert "comentario" not in (await read(sessions, pulse, round_, clock)).model_dump_json()


async def test_many_long_comments_are_cut_to_fit_a_message(hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), audience=300)
    await answer(sessions, round_, [("ventas", {0: 3, COMMENT: "x" * 2000})] * 200)
    message = await read(sessions, pulse, round_, clock)
    assert len(message.text) < 3000
    assert message.text.splitlines()[-1].startswith("…y ") and message.text.endswith(" más")


# ---------------------------------------------------------------- breakdown


async def test_the_breakdown_hides_a_small_group_and_the_next_smallest(app, hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), audience=30)
    await answer(sessions, round_, scale(5, 5, 5, 4, 4, 4, 4, 4, team="ventas") + scale(3, 3, 3, 3, 2, 2, team="soporte")
                 + scale(1, 1, team="legal"))
    text = (await results_of(app, hr)).message.text
    assert "• Ventas: 4,4 (8)" in text
    assert "• Legal: — (menos de 5)" in text
    assert "• Soporte: — (menos de 5)" in text  # Legal alone would be total − Ventas − Soporte
    assert "(6)" not in text and "(2)" not in text


async def test_two_tiny_groups_take_the_next_smallest_with_them(hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, scale(4, 4, 4, 4, 4, 4, 4, team="ventas") + scale(5, 5, 5, 5, 5, team="soporte")
                 + scale(1, team="legal") + scale(2, team=None))
    async with sessions() as session:
        found = await results_module.round_results(session, pulse, round_)
    shown = {(g.name, g.answers) for g in found.questions[0].groups}
    assert shown == {("Ventas", 7), ("Soporte", None), ("Legal", None), ("", None)}


async def test_all_groups_big_enough_all_show(hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, scale(4, 4, 4, 4, 4, team="ventas") + scale(2, 2, 2, 2, 2, team="soporte"))
    text = (await read(sessions, pulse, round_, clock)).text
    assert "• Soporte: 2,0 (5)" in text and "• Ventas: 4,0 (5)" in text


# ---------------------------------------------------------------- who may read


@pytest.mark.parametrize(("who", "allowed"), [(ANA, True), (PABLO, True), (JAVIER, False), (IRENE, False)])
async def test_hr_and_the_subject_lead_read_results_nobody_else(app, folk, pulse, sessions, clock, who, allowed):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, scale(4, 4, 4, 4, 4))
    reply = await results_of(app, folk[who])
    assert reply.refused is not allowed
    if not allowed:
        assert reply.message.text.startswith("Los resultados de este pulso los ven RR. HH.")
    else:
        assert "Media 4,0 de 5" in reply.message.text


async def test_the_threshold_holds_for_the_subject_lead_too(app, folk, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, scale(1, 1))
    assert (await results_of(app, folk[PABLO])).message.text == "2 de 5 respuestas necesarias"


# ---------------------------------------------------------------- the team's answer


async def test_the_team_answer_shows_next_to_the_results(hr, pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), team_answer="Hemos oído que tardamos: cambiamos guardias.")
    await answer(sessions, round_, scale(3, 3, 3, 3, 3))
    message = await read(sessions, pulse, round_, clock)
    answer_fact = [f for f in message.fields if f.label == "La respuesta de Sistemas"]
    assert answer_fact and answer_fact[0].value.startswith("Hemos oído")
