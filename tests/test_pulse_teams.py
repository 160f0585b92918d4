"""Answering a pulse on Teams, end to end: Bot Framework activities in (signed
by the stand-in's key), Bot Connector calls out.

The question reaches each person's chat proactively as an Adaptive Card, a
button per score (an eNPS question's eleven in rows of at most six, Teams'
limit); an Action.Submit click answers and the card is updated in place
(PUT .../activities/{replyToId}) into the answer with the receipt on its
buttons; the original card cannot answer twice; after the window every
button says the pulse is closed. The receipt is stored nowhere and logged nowhere.

The server's clock is shifted by the test; its jobs run when the test runs
them (PEDIR_INLINE_JOBS=false), as a tick of `pedir worker` would.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import select

from adapters.teams.cards import CARD_BYTES_MAX, CONTENT_TYPE, MAX_ACTIONS, SCHEMA, card_bytes
from adapters.web.server import PEDIR, SESSIONS, build_app
from bot.app import Pedir
from bot.clock import ShiftedClock, SystemClock
from bot.pulses.states import ENPS, TEXT
from storage.models import Outbox, PulseParticipation, PulseRound
from tests.harness.teams_env import (  # noqa: F401  (fake_connector_running: fixture)
    ANA_T, APP_ID, IRENE_T, PABLO_T, TeamsEnv, fake_connector_running, prepare_database, settings_for,
)
from tests.harness.teams_standin import StaticCredentialsFactory, auth_overrides
from tests.harness.waiting import eventually
from tests.pulse_support import make_hr, open_round
from tests.pulse_wire_support import (
    assert_receipt_kept_only_as_a_hash, ballot_answers, deliver, logged, person, receipt_in, run_jobs, score_in,
    watch_logs,
)

AUDIENCE = (ANA_T, IRENE_T, PABLO_T)
QUESTION = "¿Cómo valoras el servicio de Sistemas?"
TEXT_ELEMENTS = {"TextBlock", "FactSet", "ActionSet"}


@dataclass
class PulseTeams:
    env: TeamsEnv
    pedir: Pedir  # the server's own
    clock: ShiftedClock  # the server's clock


@pytest.fixture
async def teams(fake_connector_running, database_url):  # noqa: ANN001, F811
    await prepare_database(database_url)
    env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(), database_url=database_url)
    clock = ShiftedClock(SystemClock())
    settings = settings_for(database_url).model_copy(update={"inline_jobs": False})
    options = dict(credentials_factory=StaticCredentialsFactory(APP_ID), **auth_overrides(env.connector))
    server = TestServer(build_app(settings, clock, teams_options=options), host="127.0.0.1")
    await server.start_server()
    env.servers.append(server)
    env.url = str(server.make_url("/api/messages"))
    env.sessions = server.app[SESSIONS]
    yield PulseTeams(env, server.app[PEDIR], clock)
    await env.http.close()
    await asyncio.wait_for(server.close(), 60)


# ------------------------------------------------------------------ helpers


def chat(who: tuple[str, str, str, str]) -> str:
    return f"a:personal-{who[0]}"


def card_of(call) -> dict[str, Any]:  # noqa: ANN001
    [attachment] = call.json["attachments"]
    assert attachment["contentType"] == CONTENT_TYPE
    return attachment["content"]


def assert_card_valid(card: dict[str, Any]) -> None:
    """What Teams needs of the cards Pedir sends: Adaptive Card 1.5, no empty text,
    at most MAX_ACTIONS buttons per set (Teams drops the rest silently), data it reads back."""
    assert card["type"] == "AdaptiveCard" and card["$schema"] == SCHEMA and card["version"] == "1.5"
    assert card["body"] and card_bytes(card) <= CARD_BYTES_MAX
    for element in card["body"]:
        assert element["type"] in TEXT_ELEMENTS, element
        if element["type"] == "TextBlock":
            assert element["text"].strip() and element["wrap"] is True
        if element["type"] == "ActionSet":
            assert 1 <= len(element["actions"]) <= MAX_ACTIONS
    assert len(card.get("actions", [])) <= MAX_ACTIONS
    for action in every_action(card):
        assert action["type"] == "Action.Submit" and action["title"].strip()
        assert set(action["data"]) == {"pedir_action", "value"} and isinstance(action["data"]["value"], str)
        assert action.get("style", "positive") in ("positive", "destructive")


def every_action(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Buttons in the card's actions and in its body's action sets, in reading order."""
    inside = [a for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]]
    return inside + card.get("actions", [])


def titles(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in every_action(card)]


def by_title(card: dict[str, Any], title: str) -> dict[str, Any]:
    [found] = [a for a in every_action(card) if a["title"] == title]
    return found


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card["body"], ensure_ascii=False).replace("\\\\", "\\")


def sends_to(env: TeamsEnv, conversation: str) -> list:
    return [c for c in env.connector.calls_to("send")
            if c.status in (200, 201) and (c.conversation_id or "").split(";")[0] == conversation]


def updates_of(env: TeamsEnv, activity_id: str) -> list:
    return [c for c in env.connector.calls_to("update") if c.activity_id == activity_id and c.status == 200]


async def settled(env: TeamsEnv) -> None:
    async def drained() -> bool:
        async with env.sessions() as session:
            rows = (await session.exec(select(Outbox.status))).all()
        return all(status not in ("pending", "sending") for status in rows)

    await eventually(drained, "the outbox to drain", timeout=20, interval=0.02)


async def say_hello(pt: PulseTeams) -> None:
    """Each of the audience talks to the bot once: Pedir links their account and can write to them later."""
    for who in AUDIENCE:
        status, _ = await pt.env.post(pt.env.personal(who, "pulso ayuda"))
        assert status in (200, 201)


async def send_round(pt: PulseTeams, **options: Any) -> PulseRound:
    """Raquel (HR) opens a round for Ana, Irene and Pablo; the worker's jobs run and delivery settles."""
    await say_hello(pt)
    raquel = await make_hr(pt.pedir, await person(pt.pedir, "raquel.dominguez@example.com"))
    audience = [await person(pt.pedir, who[3]) for who in AUDIENCE]
    rnd = await open_round(pt.pedir, raquel, audience, **options)
    for _ in range(2):  # the fan-out, then the progress job that sees them sent
        await run_jobs(pt.pedir)
        await deliver(pt.pedir)
    await settled(pt.env)
    return rnd


def question_to(pt: PulseTeams, who: tuple[str, str, str, str]):  # noqa: ANN201
    """The proactive send that carried the question card to a person's chat."""
    [call] = [c for c in sends_to(pt.env, chat(who))
              if any(a["data"]["pedir_action"] in ("pulse.answer", "pulse.write") for a in every_action(card_of(c)))]
    return call


async def click(pt: PulseTeams, who: tuple[str, str, str, str], card: dict[str, Any], title: str,
                reply_to: str) -> tuple[list, list]:
    """An Action.Submit on the card the activity `reply_to` carries: (cards updated in place, new sends)."""
    updates_before, sends_before = len(pt.env.connector.calls_to("update")), len(sends_to(pt.env, chat(who)))
    status, _ = await pt.env.post(pt.env.click(who, by_title(card, title)["data"], reply_to_id=reply_to))
    assert status in (200, 201), status
    await settled(pt.env)
    return pt.env.connector.calls_to("update")[updates_before:], sends_to(pt.env, chat(who))[sends_before:]


# ------------------------------------------------------------------ the question card


async def test_the_question_card_has_a_button_per_score_and_enps_rows_of_six(teams):  # noqa: ANN001
    rnd = await send_round(teams)
    for who in AUDIENCE:
        card = card_of(question_to(teams, who))
        assert_card_valid(card)
        assert card["body"][0]["text"] == "Pulso P-1 · sobre Sistemas"
        assert QUESTION in shown(card) and "Anónimo" in shown(card)
        assert titles(card) == ["1", "2", "3", "4", "5"] and len(card["actions"]) == 5
        assert [score_in("pulse.answer", a["data"]["value"]) for a in card["actions"]] == [1, 2, 3, 4, 5]
        assert {receipt_in("pulse.answer", a["data"]["value"]) for a in card["actions"]} == {None}
    async with teams.env.sessions() as session:
        states = {p.state for p in (await session.exec(
            select(PulseParticipation).where(PulseParticipation.round_id == rnd.id))).all()}
    assert states == {"sent"}

    # An eNPS question: 0–10, eleven buttons, in body rows of six and five (Teams shows six a set).
    await send_round(teams, questions=[{"kind": ENPS, "text": "¿Recomendarías Sistemas a un compañero?"}])
    [enps] = [c for c in sends_to(teams.env, chat(ANA_T)) if "Recomendarías" in shown(card_of(c))]
    card = card_of(enps)
    assert_card_valid(card)
    assert "actions" not in card
    rows = [[a["title"] for a in b["actions"]] for b in card["body"] if b["type"] == "ActionSet"]
    assert rows == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]


# ------------------------------------------------------------------ answering in place


async def test_a_click_updates_the_card_in_place_and_the_receipt_changes_the_answer(teams, caplog):  # noqa: ANN001
    watch_logs(caplog)
    await send_round(teams)
    sent = question_to(teams, ANA_T)
    question, activity = card_of(sent), sent.response["id"]

    # "4": the card the button was on becomes the answer (PUT on the replyToId), no new message.
    updated, new = await click(teams, ANA_T, question, "4", activity)
    assert new == []
    [answered_call] = updated
    assert answered_call.activity_id == activity and answered_call.conversation_id == chat(ANA_T)
    answered = card_of(answered_call)
    assert_card_valid(answered)
    assert "✓ Tu respuesta: 4" in shown(answered)
    assert titles(answered) == ["Cambiar 1", "Comentario"]
    [receipt] = {receipt_in(a["data"]["pedir_action"], a["data"]["value"]) for a in every_action(answered)}
    assert receipt
    assert await ballot_answers(teams.pedir) == [{"0": 4}]

    # The original card's "1" (Teams still shows it to a slow client): refused, in a new message.
    updated, new = await click(teams, ANA_T, question, "1", activity)
    assert updated == []
    [refusal] = new
    assert "Ya has respondido a este pulso" in shown(card_of(refusal)) and every_action(card_of(refusal)) == []
    assert await ballot_answers(teams.pedir) == [{"0": 4}]

    # "Cambiar 1" then "2", both on the same card, updated in place each time.
    [changing] = (await click(teams, ANA_T, answered, "Cambiar 1", activity))[0]
    assert titles(card_of(changing)) == ["1", "2", "3", "4", "5"]
    assert {receipt_in("pulse.answer", a["data"]["value"]) for a in every_action(card_of(changing))} == {receipt}
    [changed] = (await click(teams, ANA_T, card_of(changing), "2", activity))[0]
    assert changed.activity_id == activity and "✓ Tu respuesta: 2" in shown(card_of(changed))
    assert await ballot_answers(teams.pedir) == [{"0": 2}]

    # After the window: the card says the pulse is closed, and has no buttons left.
    teams.clock.advance(timedelta(days=3))
    updated, new = await click(teams, ANA_T, card_of(changed), "Cambiar 1", activity)
    [closed] = updated
    assert new == [] and closed.activity_id == activity
    assert_card_valid(card_of(closed))
    assert "ya está cerrado" in shown(card_of(closed)) and every_action(card_of(closed)) == []
    irene = question_to(teams, IRENE_T)
    [irene_closed] = (await click(teams, IRENE_T, card_of(irene), "5", irene.response["id"]))[0]
    assert "ya está cerrado" in shown(card_of(irene_closed))
    assert await ballot_answers(teams.pedir) == [{"0": 2}]

    teams.clock.advance(timedelta(minutes=2))
    await run_jobs(teams.pedir)
    await deliver(teams.pedir)
    await settled(teams.env)
    await assert_receipt_kept_only_as_a_hash(teams.pedir, receipt)
    assert logged(caplog, receipt) == []
    assert caplog.records, "nothing was logged at all: the log check would prove nothing"


# ------------------------------------------------------------------ open text: a form card


async def test_an_open_question_opens_a_form_card_whose_answer_takes_its_place(teams, caplog):  # noqa: ANN001
    watch_logs(caplog)
    await send_round(teams, questions=[{"kind": TEXT, "text": "¿Qué mejorarías?"}])
    sent = question_to(teams, ANA_T)
    question = card_of(sent)
    assert_card_valid(question)
    assert titles(question) == ["Responder"]

    # "Responder": a form card, in the chat (a card cannot open a dialog from Action.Submit).
    updated, new = await click(teams, ANA_T, question, "Responder", sent.response["id"])
    assert updated == []
    [form_call] = new
    form = card_of(form_call)
    assert form["version"] == "1.5" and form["body"][0]["text"] == "Tu respuesta"
    [field] = [b for b in form["body"] if b["type"] == "Input.Text"]
    assert (field["id"], field["label"], field["isRequired"], field["isMultiline"]) == (
        "answer", "¿Qué mejorarías?", True, True)
    [submit] = form["actions"]
    assert set(submit["data"]) == {"pedir_form", "context"} and submit["data"]["pedir_form"] == "pulse.write"

    # Sent: the answer takes the form card's place, with the receipt on its buttons.
    form_id = form_call.response["id"]
    status, _ = await teams.env.post(teams.env.click(
        ANA_T, {**submit["data"], "answer": "Más documentación"}, reply_to_id=form_id))
    assert status in (200, 201)
    await settled(teams.env)
    [answered_call] = updates_of(teams.env, form_id)
    answered = card_of(answered_call)
    assert_card_valid(answered)
    assert "✓ Tu respuesta: Más documentación" in shown(answered)
    assert titles(answered) == ["Cambiar 1", "Comentario"]
    [receipt] = {receipt_in(a["data"]["pedir_action"], a["data"]["value"]) for a in every_action(answered)}
    assert receipt
    assert await ballot_answers(teams.pedir) == [{"0": "Más documentación"}]
    await assert_receipt_kept_only_as_a_hash(teams.pedir, receipt)
    assert logged(caplog, receipt) == []
