"""A request id follows a command from its ack to its deliveries, in the logs
and in the outbox rows it wrote, and no log line holds what people wrote or a
secret. Signed Slack requests against the real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from sqlmodel import select

from slack_bolt.request.async_request import AsyncBoltRequest

from adapters import logs
from adapters.slack.app import bolt_app, web_client
from adapters.web.background import Background
from adapters.web.observability import REQUEST_ID
from adapters.web.server import PEDIR
from bot import tracing
from bot.config import Settings
from bot.delivery.channel import DeliveryFailed
from bot.delivery.outbox import PERSON, enqueue
from bot.delivery.routing import Plan
from bot.delivery.telemetry import report_refused, report_sent
from bot.messages import Message
from storage.models import Outbox
from tests.harness import slack_wire as wire
from tests.harness.logs import restore_logging  # noqa: F401  (pytest fixture)
from tests.harness.slack_env import (  # noqa: F401  (slack: fixture)
    ANA,
    BOT_TOKEN,
    FACTURACION,
    SECRET,
    slack,
    start_env,
    unique,
)
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.support import RecordingChannel
from tests.harness.teams_env import ANA_T, fake_connector_running, teams  # noqa: F401
from tests.harness.waiting import eventually

# What Ana writes: personal data that must never reach a log line.
PRIVATE = "la nómina de Marta López es 3.250 € y su IBAN ES91 2100 0418"
PRIVATE_PARTS = ("nómina", "IBAN", "3.250", "ES91", "Marta López")


@pytest.fixture
def log_lines(restore_logging):  # noqa: ANN001, ANN201
    """Pedir's logging as `pedir serve` sets it up with LOG_FORMAT=json, into a buffer."""
    out = io.StringIO()
    logs.configure(Settings(LOG_FORMAT="json", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET), stream=out)

    def lines() -> list[dict]:
        return [json.loads(line) for line in out.getvalue().splitlines()]

    lines.text = out.getvalue  # type: ignore[attr-defined]
    return lines


async def command(env, text: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:  # noqa: ANN001
    """A signed /pedir from Ana: (status, body, the X-Request-Id it was answered with)."""
    body = wire.slash_command_body(text=text, user_id=ANA, trigger_id=unique("trig-"),
                                   response_url=env.fake.response_url(unique("hook-")))
    status, answer, answered_with = await wire.post_signed(env.http, env.url, SECRET, body, headers=headers)
    return status, answer, answered_with.get(REQUEST_ID, "")


async def rows_of(env, request_id: str) -> list[Outbox]:  # noqa: ANN001
    async with env.sessions() as session:
        return list((await session.exec(select(Outbox).where(Outbox.request_id == request_id))).all())


async def test_a_command_logs_its_ack_and_its_deliveries_under_one_request_id_and_nothing_private(
        slack, log_lines):  # noqa: ANN001, F811
    status, answer, request_id = await command(slack, f"@facturacion {PRIVATE}")
    assert status == 200 and "Creado PED-1" in answer
    await slack.settled()

    lines = log_lines()
    traced = [line for line in lines if line.get("request_id") == request_id]
    acks = [line for line in traced if line["message"].startswith("POST /slack/events 200 in ")]
    delivered = [line for line in traced if " delivered via slack " in line["message"]]
    assert len(acks) == 1 and acks[0]["level"] == "INFO"
    # The team's card in its channel and the requester's copy in her DM, at least.
    assert len(delivered) >= 2, lines
    rows = await rows_of(slack, request_id)
    assert {f"outbox {row.id} delivered via slack (send)" for row in rows if row.card_key
            and not row.card_key.startswith("home:")} <= {line["message"] for line in delivered}
    assert {row.recipient_kind for row in rows} >= {"team", "person"}
    assert all(row.received_at is not None and row.status == "sent" for row in rows if row.payload.get("surface") != "home")
    # Neither what Ana wrote nor any secret, anywhere in the log.
    for private in (*PRIVATE_PARTS, BOT_TOKEN, SECRET):
        assert private not in log_lines.text()


async def test_each_command_keeps_its_own_id_and_a_proxys_plain_id_is_kept(slack, log_lines):  # noqa: ANN001, F811
    _, _, first = await command(slack, "@facturacion primera")
    _, _, given = await command(slack, "@facturacion segunda", headers={REQUEST_ID: "lb-7f3a.9c:01"})
    assert given == "lb-7f3a.9c:01" and first and first != given
    await slack.settled()
    for request_id in (first, given):
        rows = await rows_of(slack, request_id)
        assert rows and all(row.request_id == request_id for row in rows)
    by_id: dict[str, set[str]] = {}
    for line in log_lines():
        if " delivered via slack " in line["message"]:
            by_id.setdefault(line.get("request_id", ""), set()).add(line["message"])
    # Every delivery carries the id of the command that queued it: the two sets are disjoint and complete.
    assert {first, given} <= set(by_id) and not by_id[first] & by_id[given]


@pytest.mark.parametrize("hostile", ["two words", "x" * 65, "id;DROP", "<b>id</b>", '"quoted"'])
async def test_a_request_id_that_is_not_a_plain_token_is_replaced(slack, log_lines, hostile):  # noqa: ANN001, F811
    _, _, request_id = await command(slack, "ayuda", headers={REQUEST_ID: hostile})
    assert request_id != hostile and len(request_id) == 32
    assert [line["request_id"] for line in log_lines() if line["message"].startswith("POST /slack/events")] == [
        request_id]
    assert hostile not in log_lines.text()


async def test_a_text_log_line_ends_with_the_request_id_while_a_request_is_handled(restore_logging):  # noqa: ANN001
    out = io.StringIO()
    logs.configure(Settings(), stream=out)
    log = logging.getLogger("pedir.test")
    token = tracing.begin("req-42")
    log.info("inside")
    tracing.end(token)
    log.info("outside")
    inside, outside = out.getvalue().splitlines()
    assert inside.endswith("INFO pedir.test: inside [request req-42]")
    assert outside.endswith("INFO pedir.test: outside")


async def test_scheduled_work_queues_rows_without_a_request_id(app, sessions, clock):  # noqa: ANN001
    async with sessions() as session, session.begin():
        untraced = enqueue(session, recipient_kind=PERSON, recipient_id=1, message=Message(text="a"), now=clock.now())
        token = tracing.begin("cmd-1")
        try:
            traced = enqueue(session, recipient_kind=PERSON, recipient_id=1, message=Message(text="b"),
                             now=clock.now())
        finally:
            tracing.end(token)
    async with sessions() as session:
        stored = {row.id: row for row in (await session.exec(select(Outbox))).all()}
    assert stored[untraced.id].request_id is None and stored[untraced.id].received_at is None
    assert stored[traced.id].request_id == "cmd-1" and stored[traced.id].received_at is not None


async def test_a_teams_activity_and_its_deliveries_share_one_request_id(teams, log_lines):  # noqa: ANN001, F811
    await teams.install_in_channel()
    status, _ = await teams.post(teams.personal(ANA_T, "pedir @sistemas la VPN se corta cada hora"))
    assert status in (200, 201)

    async def rows() -> list[Outbox] | None:
        async with teams.sessions() as session:
            found = list((await session.exec(select(Outbox).where(Outbox.request_id.is_not(None)))).all())
        queued = [row for row in found if row.payload.get("surface") != "home"]
        return queued if queued and all(row.status == "sent" for row in queued) else None

    queued = await eventually(rows, "the request's cards to be delivered on Teams", timeout=10)
    request_ids = {row.request_id for row in queued if row.recipient_kind == "team"}
    [request_id] = request_ids
    traced = [line for line in log_lines() if line.get("request_id") == request_id]
    assert [line["message"][:len("POST /api/messages 20")] for line in traced
            if line["message"].startswith("POST ")] == ["POST /api/messages 20"]
    assert sum(" delivered via teams " in line["message"] for line in traced) >= 2
    assert "VPN" not in log_lines.text()


async def test_a_command_over_socket_mode_gets_a_request_id_too(fake_slack, database_url):  # noqa: ANN001, F811
    env, server = await start_env(fake_slack, database_url)
    try:
        settings = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_API_URL=fake_slack.api_url)
        # What AsyncSocketModeHandler hands Bolt: the payload, no HTTP request around it.
        bolt = bolt_app(settings, server.app[PEDIR], web_client(settings), lambda: None, Background())
        payload = dict(parse_qsl(wire.slash_command_body(text="@facturacion por el socket", user_id=ANA,
                                                         trigger_id=unique("trig-"))))
        # slack_sdk handles each Socket Mode message in a task of its own (asyncio.ensure_future).
        response = await asyncio.create_task(bolt.async_dispatch(AsyncBoltRequest(body=payload, mode="socket_mode")))
        assert response.status == 200 and "PED-1" in response.body
        async with env.sessions() as session:
            rows = list((await session.exec(select(Outbox))).all())
        assert rows and len({row.request_id for row in rows}) == 1 and rows[0].request_id
        assert tracing.current() is None  # the trace ended with the message's task
    finally:
        await env.http.close()
        await server.close()


@pytest.mark.parametrize("traced", [True, False])
async def test_a_delivery_is_logged_at_info_only_for_a_message_a_request_queued(log_lines, traced):  # noqa: ANN001
    plan = Plan(channel=RecordingChannel(), address="person:ana.garcia@example.com", message=Message(text="hola"))
    trace = tracing.Trace("cmd-7", datetime.now(UTC)) if traced else None
    with tracing.resumed(trace):
        report_sent(41, plan, trace, home=False)
        report_refused(42, plan, DeliveryFailed("channel_not_found"), trace)
    shown = [(line["level"], line["message"], line.get("request_id")) for line in log_lines()]
    if traced:  # LOG_LEVEL=INFO: a request's deliveries are shown, under its id
        assert shown == [("INFO", "outbox 41 delivered via test (send)", "cmd-7"),
                         ("INFO", "outbox 42 not delivered via test: failed (DeliveryFailed)", "cmd-7")]
    else:  # a scheduled job's (a pulse round's thousands) only at DEBUG
        assert shown == []
