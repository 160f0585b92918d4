"""A pulse round from the respondent's side: the question in a direct message,
one click to answer, a receipt to change it, the box mixed, the round closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.pulses.states import COMMENT, ENPS, TEXT
from tests.harness.support import RecordingChannel
from tests.nudge_support import tick
from tests.pulse_support import (
    RAQUEL, answers, ballots, button, later, make_hr, open_round, participation, questions_to,
)

AUDIENCE = ("ana.garcia", "sara.ruiz", "irene.vazquez", "elena.torres", "javier.martin")


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
async def hr(app, folk):  # noqa: ANN001
    return await make_hr(app, folk[RAQUEL])


@pytest.fixture
async def sent(app, folk, hr, channel):  # noqa: ANN001
    """A one-question round sent to five people; their question messages by name."""
    await open_round(app, hr, [folk[name] for name in AUDIENCE])
    calls = await tick(app, channel)
    return {name: questions_to(calls, f"{name}@example.com")[0] for name in AUDIENCE}


async def test_each_person_gets_the_question_with_one_click_answers(sent, channel):  # noqa: ANN001
    message = sent["ana.garcia"]
    assert [a.label for a in message.actions] == ["1", "2", "3", "4", "5"]
    assert "¿Cómo valoras el servicio de Sistemas?" in message.text
    assert "Anónimo" in message.text and "al menos 3 personas" in message.text
    assert message.title == "Pulso P-1 · sobre Sistemas"


async def test_the_creator_sees_progress_on_one_message(app, sent, channel):  # noqa: ANN001
    progress = [c for c in channel.calls if c.address == "person:raquel.dominguez@example.com"]
    assert progress, "the creator heard nothing"
    assert "Enviado a 5 de 5" in progress[-1].message.text
    assert {c.external_id for c in progress} == {progress[0].external_id}, "progress is one message, edited"


async def test_an_answer_becomes_the_message_with_a_receipt(app, folk, sent):  # noqa: ANN001
    reply = await app.action(folk["ana.garcia"], "pulse.answer", button(sent["ana.garcia"], "4").value)
    assert reply.replace and not reply.refused
    assert "✓ Tu respuesta: 4" in reply.message.text
    labels = [a.label for a in reply.message.actions]
    assert labels == ["Cambiar 1", "Comentario"]
    assert (await participation(app, folk["ana.garcia"])).answered
    # Staged in the box, not yet among the answers: one ballot alone would be written in arrival order.
    assert await answers(app) == [] and len(await ballots(app)) == 1


async def test_the_original_message_cannot_answer_twice(app, folk, sent):  # noqa: ANN001
    value = button(sent["ana.garcia"], "4").value
    await app.action(folk["ana.garcia"], "pulse.answer", value)
    again = await app.action(folk["ana.garcia"], "pulse.answer", button(sent["ana.garcia"], "1").value)
    assert again.refused and "Ya has respondido" in again.message.text
    assert [b.answers for b in await ballots(app)] == [{"0": 4}]


async def test_the_receipt_changes_the_answer_until_the_window_closes(app, folk, sent, channel):  # noqa: ANN001
    ana = folk["ana.garcia"]
    answered = (await app.action(ana, "pulse.answer", button(sent["ana.garcia"], "4").value)).message
    showing = (await app.action(ana, "pulse.change", button(answered, "Cambiar 1").value)).message
    assert "✓ Tu respuesta: 4" in showing.text and [a.label for a in showing.actions] == ["1", "2", "3", "4", "5"]
    changed = (await app.action(ana, "pulse.answer", button(showing, "2").value)).message
    assert "✓ Tu respuesta: 2" in changed.text
    for name in AUDIENCE[1:]:
        await app.action(folk[name], "pulse.answer", button(sent[name], "5").value)
    await tick(app, channel)  # the mixer: five ballots are enough
    assert await ballots(app) == []
    assert sorted(a.score for a in await answers(app)) == [2, 5, 5, 5, 5]
    # After mixing, the receipt still changes the answer in place.
    again = (await app.action(ana, "pulse.change", button(changed, "Cambiar 1").value)).message
    await app.action(ana, "pulse.answer", button(again, "3").value)
    later(app, timedelta(days=3, minutes=2))
    await tick(app, channel)
    assert sorted(a.score for a in await answers(app)) == [3, 5, 5, 5, 5]


async def test_someone_not_asked_cannot_answer(app, folk, sent):  # noqa: ANN001
    reply = await app.action(folk["pablo.jimenez"], "pulse.answer", button(sent["ana.garcia"], "4").value)
    assert reply.refused and "no se te envió a ti" in reply.message.text
    assert await ballots(app) == []


async def test_after_the_window_the_buttons_say_it_is_closed(app, folk, sent, channel):  # noqa: ANN001
    later(app, timedelta(days=3))
    reply = await app.action(folk["ana.garcia"], "pulse.answer", button(sent["ana.garcia"], "4").value)
    assert reply.replace and "cerrado" in reply.message.text and reply.message.actions == []
    assert await ballots(app) == [] and not (await participation(app, folk["ana.garcia"])).answered


async def test_closing_mixes_every_ballot_and_tells_the_creator_and_the_lead(app, folk, sent, channel):  # noqa: ANN001
    for name in AUDIENCE[:2]:
        await app.action(folk[name], "pulse.answer", button(sent[name], "4").value)
    await tick(app, channel)
    assert len(await ballots(app)) == 2, "two ballots wait for company"
    later(app, timedelta(days=3))
    calls = await tick(app, channel)
    assert len(await ballots(app)) == 2, "not closed until the grace minute has passed"
    later(app, timedelta(minutes=1))
    calls = await tick(app, channel)
    assert await ballots(app) == [] and len(await answers(app)) == 2
    told = {c.address for c in calls if c.kind == "send"}
    assert {"person:raquel.dominguez@example.com", "person:pablo.jimenez@example.com"} <= told


async def test_the_reminder_goes_only_to_those_who_have_not_answered(app, folk, sent, channel):  # noqa: ANN001
    for name in AUDIENCE[:3]:
        await app.action(folk[name], "pulse.answer", button(sent[name], "3").value)
    later(app, timedelta(days=2))
    calls = await tick(app, channel)
    reminded = sorted(c.address for c in calls if "Recordatorio" in c.message.text)
    assert reminded == ["person:elena.torres@example.com", "person:javier.martin@example.com"]
    assert "Anónimo" in next(c.message.text for c in calls if "Recordatorio" in c.message.text)
    assert not [c for c in await tick(app, channel) if "Recordatorio" in c.message.text], "one reminder only"


async def test_open_text_and_the_comment_use_a_small_form(app, folk, hr, channel):  # noqa: ANN001
    audience = [folk[name] for name in AUDIENCE]
    await open_round(app, hr, audience, questions=[{"kind": TEXT, "text": "¿Qué mejorarías?"},
                                                   {"kind": ENPS, "text": "¿Recomendarías a Sistemas?"}])
    calls = await tick(app, channel)
    message = questions_to(calls, "ana.garcia@example.com")[0]
    write = button(message, "Responder")
    form = (await app.action(folk["ana.garcia"], "pulse.write", write.value)).form
    assert form.fields[0].label == "¿Qué mejorarías?"
    empty = await app.submit(folk["ana.garcia"], "pulse.write", form.context, {"answer": " "})
    assert empty.errors and await ballots(app) == []
    done = await app.submit(folk["ana.garcia"], "pulse.write", form.context, {"answer": "Más documentación"})
    assert "✓ Tu respuesta: Más documentación" in done.message.text
    assert [a.label for a in done.message.actions] == [str(n) for n in range(11)], "the eNPS question comes next"
    enps = await app.action(folk["ana.garcia"], "pulse.answer", button(done.message, "9").value)
    comment = (await app.action(folk["ana.garcia"], "pulse.write", button(enps.message, "Comentario").value)).form
    await app.submit(folk["ana.garcia"], "pulse.write", comment.context, {"answer": "Gracias por todo"})
    [ballot] = await ballots(app)
    assert ballot.answers == {"0": "Más documentación", "1": 9, str(COMMENT): "Gracias por todo"}


async def test_a_forged_answer_is_refused(app, folk, sent):  # noqa: ANN001
    value = button(sent["ana.garcia"], "4").value.replace('"0:4:"', '"0:7:"')
    reply = await app.action(folk["ana.garcia"], "pulse.answer", value)
    assert reply.refused and await ballots(app) == []
