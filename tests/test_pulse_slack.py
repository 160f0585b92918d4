"""Answering a pulse on Slack, end to end: the real server on loopback, signed
clicks and modal submissions in, Web API and response_url calls out.

HR's round goes out as a DM per person with one button per score; a click
answers and the message becomes the answer with the receipt on its buttons
(response_url, replace_original); the original buttons cannot answer twice;
the receipt changes the answer until the window closes, and then every
button says the pulse is closed. An open question opens a modal. The receipt
reaches nothing but the respondent's own message: not the database, not the logs.

The server's clock is shifted by the test (the window closing); its jobs do not
run by themselves here (PEDIR_INLINE_JOBS=false): the test runs them, as a
tick of `pedir worker` would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_sdk.models.blocks import Block

from adapters.web.server import PEDIR, SESSIONS, build_app
from bot.app import Pedir
from bot.clock import ShiftedClock, SystemClock
from bot.config import Settings
from bot.domains import REGISTRY
from bot.pulses.states import COMMENT, ENPS, TEXT
from storage.models import PulseParticipation, PulseRound
from tests.harness.slack_env import BOT_TOKEN, PROFILES, SECRET, SlackEnv, unique, with_demo_org
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (fixture)
from tests.pulse_support import make_hr, open_round
from tests.pulse_wire_support import (
    assert_receipt_kept_only_as_a_hash, ballot_answers, deliver, logged, person, receipt_in, run_jobs, score_in,
    watch_logs,
)

ANA, SARA, MARTA = "U012AB3CD", "U04SRUIZ02", "U04MLOPEZ1"
RAQUEL = "U04RDOMING"
DM_ANA, DM_RAQUEL = FakeSlackAPI.dm_channel(ANA), FakeSlackAPI.dm_channel(RAQUEL)
AUDIENCE = {ANA: "ana.garcia@example.com", SARA: "sara.ruiz@example.com", MARTA: "marta.lopez@example.com"}
QUESTION = "¿Cómo valoras el servicio de Sistemas?"


@dataclass
class PulseSlack:
    env: SlackEnv
    pedir: Pedir  # the server's own
    clock: ShiftedClock  # the server's clock

    @property
    def fake(self) -> FakeSlackAPI:
        return self.env.fake


@pytest.fixture
async def slack(fake_slack, database_url):  # noqa: ANN001, F811
    for user_id, (name, email, locale) in PROFILES.items():
        fake_slack.add_user(user_id, email=email, real_name=name, locale=locale)
    fake_slack.add_user(RAQUEL, email="raquel.dominguez@example.com", real_name="Raquel Domínguez Gil")
    await with_demo_org(database_url)
    clock = ShiftedClock(SystemClock())
    settings = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        SLACK_API_URL=fake_slack.api_url, PEDIR_INLINE_JOBS=False)
    app = build_app(settings, clock)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    env = SlackEnv(fake=fake_slack, url=str(server.make_url("/slack/events")), http=http, sessions=app[SESSIONS])
    yield PulseSlack(env, app[PEDIR], clock)
    await http.close()
    await server.close()


# ------------------------------------------------------------------ helpers


def assert_slack_valid(blocks: list[dict]) -> None:
    """slack_sdk's own models encode Block Kit's limits: a shape Slack rejects fails here."""
    assert blocks, "a message without blocks"
    for block in blocks:
        assert Block.parse(block).to_dict() == block
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids)), f"action ids must be unique in a message: {ids}"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(message)]


def by_label(message: dict[str, Any], label: str) -> dict[str, Any]:
    [found] = [b for b in buttons(message) if b["text"]["text"] == label]
    return found


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks"), ensure_ascii=False)


def neutral(button: dict[str, Any]) -> str:
    return button["action_id"].rpartition(":")[0]


async def send_round(ps: PulseSlack, **options: Any) -> PulseRound:
    """Raquel (HR) opens a round for Ana, Sara and Marta; the fan-out job runs and delivery settles."""
    raquel = await make_hr(ps.pedir, await person(ps.pedir, "raquel.dominguez@example.com"))
    audience = [await person(ps.pedir, email) for email in AUDIENCE.values()]
    rnd = await open_round(ps.pedir, raquel, audience, **options)
    await run_jobs(ps.pedir)
    await deliver(ps.pedir)
    await run_jobs(ps.pedir)  # the progress job sees them sent
    await deliver(ps.pedir)
    await ps.env.settled()
    return rnd


def question_in(ps: PulseSlack, channel: str) -> dict[str, Any]:
    [message] = [m for m in ps.env.top_level(channel) if any(neutral(b).startswith("pulse.") for b in buttons(m))]
    return message


async def click(ps: PulseSlack, user: str, message: dict[str, Any], label: str, *,
                trigger: str | None = None) -> list[dict[str, Any]]:
    """Clicks the button labelled `label` on a message in the user's DM, as Slack sends
    it (the message's ts, a response_url of its own); what came back through that url."""
    button = by_label(message, label)
    hook = unique("pulse-")
    status, body = await ps.env.click(user, button["action_id"], button.get("value", ""), hook=hook,
                                      trigger=trigger or unique("trig-"),
                                      channel_id=FakeSlackAPI.dm_channel(user), message_ts=message["ts"])
    assert (status, body) == (200, ""), (status, body)
    await ps.env.settled()
    return ps.fake.responses_to(hook)


async def participations(ps: PulseSlack) -> dict[int, PulseParticipation]:
    from sqlmodel import select

    async with ps.env.sessions() as session:
        return {p.person_id: p for p in (await session.exec(select(PulseParticipation))).all()}


# ------------------------------------------------------------------ the question


async def test_each_person_gets_a_dm_with_five_one_click_buttons(slack):  # noqa: ANN001
    rnd = await send_round(slack)
    for user in AUDIENCE:
        message = question_in(slack, FakeSlackAPI.dm_channel(user))
        assert_slack_valid(message["blocks"])
        assert labels(message) == ["1", "2", "3", "4", "5"]
        assert {neutral(b) for b in buttons(message)} == {"pulse.answer"}
        assert [score_in("pulse.answer", b["value"]) for b in buttons(message)] == [1, 2, 3, 4, 5]
        assert {REGISTRY.context("pulse.answer", b["value"]).id for b in buttons(message)} == {rnd.id}
        # Nobody has answered: no button carries a receipt yet.
        assert {receipt_in("pulse.answer", b["value"]) for b in buttons(message)} == {None}
        assert message["blocks"][0]["text"]["text"] == "*Pulso P-1 · sobre Sistemas*"
        assert QUESTION in shown(message) and "Anónimo" in shown(message)
        assert QUESTION in message["text"]  # the notification's text
    assert {p.state for p in (await participations(slack)).values()} == {"sent"}
    # The creator watches the sending on one message.
    assert any("Enviado a 3 de 3" in shown(m) for m in slack.env.top_level(DM_RAQUEL))


# ------------------------------------------------------------------ answering, changing, closed


async def test_one_click_answers_in_place_and_the_receipt_changes_it_until_the_window_closes(slack, caplog):  # noqa: ANN001
    watch_logs(caplog)
    await send_round(slack)
    question = question_in(slack, DM_ANA)
    posts_before = len(slack.fake.calls_to("chat.postMessage"))

    # "4": the reply replaces the question, through the click's response_url.
    [answered] = await click(slack, ANA, question, "4")
    assert answered["replace_original"] is True and "response_type" not in answered
    assert_slack_valid(answered["blocks"])
    assert "✓ Tu respuesta: 4" in shown(answered) and "¡Gracias!" in shown(answered)
    assert labels(answered) == ["Cambiar 1", "Comentario"]
    receipts = {receipt_in(neutral(b), b["value"]) for b in buttons(answered)}
    [receipt] = receipts
    assert receipt, "the answer's buttons carry the receipt"
    assert await ballot_answers(slack.pedir) == [{"0": 4}]
    # Straight back to Ana, never through the outbox: no new message anywhere.
    assert len(slack.fake.calls_to("chat.postMessage")) == posts_before

    # The original "1" cannot answer again: refused, only to her, the message left as it is.
    [again] = await click(slack, ANA, question, "1")
    assert again["response_type"] == "ephemeral" and not again.get("replace_original")
    assert "Ya has respondido a este pulso" in again["text"]
    assert await ballot_answers(slack.pedir) == [{"0": 4}]

    # "Cambiar 1" shows the scores again, with the receipt; "2" changes the answer.
    [changing] = await click(slack, ANA, {**answered, "ts": question["ts"]}, "Cambiar 1")
    assert changing["replace_original"] is True
    assert_slack_valid(changing["blocks"])
    assert "✓ Tu respuesta: 4" in shown(changing) and labels(changing) == ["1", "2", "3", "4", "5"]
    assert {receipt_in("pulse.answer", b["value"]) for b in buttons(changing)} == {receipt}
    [changed] = await click(slack, ANA, {**changing, "ts": question["ts"]}, "2")
    assert changed["replace_original"] is True and "✓ Tu respuesta: 2" in shown(changed)
    assert await ballot_answers(slack.pedir) == [{"0": 2}]
    ana = await person(slack.pedir, "ana.garcia@example.com")
    assert (await participations(slack))[ana.id].answered

    # Sara answers from her own DM: her own receipt, her own ballot.
    [sara] = await click(slack, SARA, question_in(slack, FakeSlackAPI.dm_channel(SARA)), "5")
    sara_receipt = receipt_in("pulse.change", by_label(sara, "Cambiar 1")["value"])
    assert sara_receipt and sara_receipt != receipt
    assert sorted(a["0"] for a in await ballot_answers(slack.pedir)) == [2, 5]

    # The window closes: every button, old or new, now says so in place of the message.
    slack.clock.advance(timedelta(days=3))
    for message, label in ((changed, "Cambiar 1"), (question, "3")):
        [closed] = await click(slack, ANA, {**message, "ts": question["ts"]}, label)
        assert closed["replace_original"] is True
        assert_slack_valid(closed["blocks"])
        assert "ya está cerrado" in shown(closed) and buttons(closed) == []
    [marta] = await click(slack, MARTA, question_in(slack, FakeSlackAPI.dm_channel(MARTA)), "1")
    assert "ya está cerrado" in shown(marta)
    assert sorted(a["0"] for a in await ballot_answers(slack.pedir)) == [2, 5]

    # Closing mixes the box; the receipts were never kept, only their hashes.
    slack.clock.advance(timedelta(minutes=2))
    await run_jobs(slack.pedir)
    await deliver(slack.pedir)
    await slack.env.settled()
    for held in (receipt, sara_receipt):
        await assert_receipt_kept_only_as_a_hash(slack.pedir, held)
        assert logged(caplog, held) == []
    assert caplog.records, "nothing was logged at all: the log check would prove nothing"


# ------------------------------------------------------------------ open text: a modal


async def test_an_open_question_opens_a_modal_whose_answer_comes_back_as_a_dm(slack, caplog):  # noqa: ANN001
    watch_logs(caplog)
    await send_round(slack, questions=[{"kind": TEXT, "text": "¿Qué mejorarías?"},
                                       {"kind": ENPS, "text": "¿Recomendarías a Sistemas?"}])
    question = question_in(slack, DM_ANA)
    assert_slack_valid(question["blocks"])
    assert labels(question) == ["Responder"]

    # The click opens a modal with the click's own trigger_id; nothing goes through response_url.
    trigger = unique("trig-write-")
    assert await click(slack, ANA, question, "Responder", trigger=trigger) == []
    [opened] = slack.fake.calls_to("views.open")
    assert opened.args["trigger_id"] == trigger
    view = opened.args["view"]
    assert_slack_valid(view["blocks"])
    [field] = view["blocks"]
    assert field["label"]["text"] == "¿Qué mejorarías?" and field["element"]["multiline"] is True

    # Blank: the modal stays open with the error under the field; nothing stored.
    status, ack = await slack.env.submit(ANA, view, {"answer": "   "})
    assert status == 200 and json.loads(ack) == {"response_action": "errors",
                                                  "errors": {"answer": "Escribe tu respuesta."}}
    await slack.env.settled()
    assert await ballot_answers(slack.pedir) == []

    # Filled in: the modal closes; a modal has no response_url, so the answer comes as a DM.
    posts_before = len(slack.fake.calls_to("chat.postMessage"))
    status, ack = await slack.env.submit(ANA, view, {"answer": "Más documentación"})
    assert (status, ack) == (200, "")
    await slack.env.settled()
    [posted] = [c.args for c in slack.fake.calls_to("chat.postMessage")[posts_before:]]
    assert posted["channel"] == ANA
    assert_slack_valid(posted["blocks"])
    assert "✓ Tu respuesta: Más documentación" in shown(posted)
    # The eNPS question comes next: eleven buttons, each with the receipt.
    assert labels(posted) == [str(n) for n in range(11)]
    [receipt] = {receipt_in("pulse.answer", b["value"]) for b in buttons(posted)}
    assert receipt
    assert await ballot_answers(slack.pedir) == [{"0": "Más documentación"}]

    # "9" on that DM answers in place; the comment opens a modal too.
    dm = slack.env.top_level(DM_ANA)[-1]
    assert dm["ts"] != question["ts"]
    [enps] = await click(slack, ANA, dm, "9")
    assert enps["replace_original"] is True and "✓ Tu respuesta: 9" in shown(enps)
    assert labels(enps) == ["Cambiar 1", "Cambiar 2", "Comentario"]
    await click(slack, ANA, {**enps, "ts": dm["ts"]}, "Comentario")
    comment_view = (await slack.fake.wait_for_calls("views.open", 2))[1].args["view"]
    assert "comentario" in comment_view["blocks"][0]["label"]["text"]
    status, ack = await slack.env.submit(ANA, comment_view, {"answer": "Gracias por todo"})
    assert (status, ack) == (200, "")
    await slack.env.settled()
    assert await ballot_answers(slack.pedir) == [{"0": "Más documentación", "1": 9, str(COMMENT): "Gracias por todo"}]
    assert "Tu comentario: Gracias por todo" in shown(slack.fake.calls_to("chat.postMessage")[-1].args)

    # The modal's metadata carried the receipt to Slack and back: still nothing of it stored or logged.
    await assert_receipt_kept_only_as_a_hash(slack.pedir, receipt)
    assert logged(caplog, receipt) == []

    # After the window, the modal is refused too: the closed notice, as a DM.
    await click(slack, ANA, {**enps, "ts": dm["ts"]}, "Comentario")
    late_view = (await slack.fake.wait_for_calls("views.open", 3))[2].args["view"]
    slack.clock.advance(timedelta(days=3))
    status, ack = await slack.env.submit(ANA, late_view, {"answer": "Demasiado tarde"})
    assert status == 200
    await slack.env.settled()
    assert "ya está cerrado" in shown(slack.fake.calls_to("chat.postMessage")[-1].args)
    assert (await ballot_answers(slack.pedir))[0][str(COMMENT)] == "Gracias por todo"
