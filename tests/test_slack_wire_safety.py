"""Pedir on Slack when the wire misbehaves: retries, forged or stale requests,
rate limits and failures of the Web API, hostile text, secrets and logs."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from sqlmodel import select

from storage.models import Outbox, ProcessedDelivery, Request, RequestEvent
from tests.harness import slack_wire as wire
from tests.harness.slack_env import (  # noqa: F401  (slack, slack_short_timeout: fixtures)
    ANA,
    BOT_TOKEN,
    DM_ANA,
    FACTURACION,
    MARTA,
    SECRET,
    new_request,
    slack,
    slack_short_timeout,
    unique,
)
from tests.harness.slack_standin import fake_slack  # noqa: F401

HOSTILE = "<!channel> <@U123> <http://evil|banco> & co"
HOSTILE_ESCAPED = "&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|banco&gt; &amp; co"
RAW_MARKUP = ("<!channel>", "<@U123>", "<http://evil|banco>")


async def rows(slack, model) -> list:  # noqa: ANN001, F811
    async with slack.sessions() as session:
        return list((await session.exec(select(model))).all())


def comment_event(text: str, thread_ts: str) -> dict:
    return wire.message_event(text, user_id=ANA, channel_id=DM_ANA, ts=unique("1700000600."),
                              thread_ts=thread_ts, channel_type="im")


# ------------------------------------------------------------- Slack's retries


async def test_an_event_redelivered_by_slack_makes_one_comment(slack):  # noqa: F811
    cards = await new_request(slack)
    body = wire.event_body(comment_event("¿Hay novedades?", cards.requester), event_id="Ev0RETRY0001")
    status, _ = await slack.post(body)
    assert status == 200
    # Slack retries with the same event_id; its retries may overlap.
    answers = await asyncio.gather(*(slack.post(body, headers=wire.retry_headers(n)) for n in (1, 2, 3)))
    assert [status for status, _ in answers] == [200, 200, 200]
    await slack.settled()
    assert [m["text"] for m in slack.thread(FACTURACION, cards.team)] == ["Ana García Ruiz: ¿Hay novedades?"]
    comments = [e for e in await rows(slack, RequestEvent) if e.kind == "commented"]
    assert len(comments) == 1
    assert slack.fake.calls_to("chat.postEphemeral") == []  # the copies are not answered either


async def test_a_redelivered_ticket_reaction_prompts_once(slack):  # noqa: F811
    slack.fake.add_message("C04GENERAL", "1700000400.000100", "No me llega el certificado", MARTA)
    event = {"type": "reaction_added", "user": ANA, "reaction": "ticket", "item_user": MARTA,
             "item": {"type": "message", "channel": "C04GENERAL", "ts": "1700000400.000100"}}
    body = wire.event_body(event, event_id="Ev0RETRY0002")
    for headers in (None, wire.retry_headers(1), wire.retry_headers(2)):
        status, _ = await slack.post(body, headers=headers)
        assert status == 200
    await slack.listeners_idle()
    assert len(slack.fake.calls_to("chat.postEphemeral")) == 1


async def test_a_replayed_slash_command_creates_one_request(slack):  # noqa: F811
    answers = []
    for _ in range(2):
        status, body = await slack.command(ANA, "@facturacion corregir la factura de #ACME", trigger="trig-same")
        assert status == 200
        answers.append(body)
    await slack.settled()
    assert len(await rows(slack, Request)) == 1
    assert len(slack.top_level(FACTURACION)) == 1
    assert "Creado PED-1" in answers[0] and answers[1] == ""  # the replay is answered with silence
    assert slack.fake.responses == []


async def test_a_replayed_click_acts_once(slack):  # noqa: F811
    cards = await new_request(slack)
    for _ in range(2):
        await slack.press(MARTA, FACTURACION, cards.team, "request.claim", action_ts="1700000700.000001",
                          hook="claim")
    await slack.settled()
    assert [e.kind for e in await rows(slack, RequestEvent)].count("claimed") == 1
    assert len(slack.fake.responses_to("claim")) == 1  # no "already claimed" for the replay


# ------------------------------------------------------------ authenticity


async def test_a_bad_signature_is_refused_and_stores_nothing(slack):  # noqa: F811
    body = wire.slash_command_body(text="@facturacion corregir la factura", user_id=ANA,
                                   response_url=slack.fake.response_url("forged"))
    status, _ = await slack.post(body, secret="not-the-signing-secret")
    assert status == 401
    await slack.listeners_idle()
    assert await rows(slack, Request) == [] and await rows(slack, ProcessedDelivery) == []
    # Slack heard nothing but the token check made at start.
    assert [c.method for c in slack.fake.calls] == ["auth.test"] and slack.fake.responses == []


async def test_a_stale_timestamp_is_refused(slack):  # noqa: F811
    body = wire.slash_command_body(text="@facturacion corregir la factura", user_id=ANA,
                                   response_url=slack.fake.response_url("stale"))
    status, _ = await slack.post(body, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    await slack.listeners_idle()
    assert await rows(slack, Request) == [] and [c.method for c in slack.fake.calls] == ["auth.test"]  # at start


async def test_url_verification_is_answered_with_the_challenge(slack):  # noqa: F811
    status, text = await slack.post(wire.url_verification_body("3eZbrw1aBm2rZgRNFdxV"))
    assert (status, json.loads(text)) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV"})


# -------------------------------------------------- the Web API failing under us


async def test_a_rate_limit_storm_delivers_every_message_exactly_once(slack):  # noqa: F811
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1, times=3)
    cards = await new_request(slack)
    slack.fake.fail_next("chat.update", status=429, retry_after=1, times=2)
    await slack.press(MARTA, FACTURACION, cards.team, "request.claim")
    await slack.settled(timeout=30, homes=True)
    # One card per side, edited in place, and one notice in the requester's thread.
    assert [m["ts"] for m in slack.top_level(FACTURACION)] == [cards.team]
    assert [m["ts"] for m in slack.top_level(DM_ANA)] == [cards.requester]
    assert "Marta López Fernández" in str(slack.top_level(FACTURACION)[0]["blocks"])
    assert "Marta López Fernández" in str(slack.top_level(DM_ANA)[0]["blocks"])
    assert [m["text"] for m in slack.thread(DM_ANA, cards.requester)] == ["Marta López Fernández se encarga de PED-1."]
    # Every throttled call was made again, and nothing more.
    posted = len(slack.fake.messages_in(FACTURACION)) + len(slack.fake.messages_in(DM_ANA))
    assert len(slack.fake.calls_to("chat.postMessage")) == posted + 3
    assert len(slack.fake.calls_to("chat.update")) == 2 + 2
    assert {row.status for row in await rows(slack, Outbox)} == {"sent"}


async def test_a_server_error_is_retried_until_the_card_is_posted(slack):  # noqa: F811
    slack.fake.fail_next("chat.postMessage", status=500)
    await slack.command(ANA, "@facturacion corregir la factura de #ACME")
    await slack.settled(timeout=30, homes=True)
    assert len(slack.top_level(FACTURACION)) == 1 and len(slack.top_level(DM_ANA)) == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 3  # one failed, two cards
    assert {row.status for row in await rows(slack, Outbox)} == {"sent"}


async def test_a_stalled_call_is_abandoned_and_retried(slack_short_timeout):  # noqa: F811
    slack = slack_short_timeout
    # Slack never answers the first post (the stall outlasts the test).
    slack.fake.stall_next("chat.postMessage", seconds=60)
    cards = await new_request(slack)
    posts = [c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == FACTURACION]
    assert len(posts) == 2
    assert len(slack.top_level(FACTURACION)) == 1
    # The retried post is the one on record: the next change edits it.
    await slack.press(MARTA, FACTURACION, cards.team, "request.claim")
    await slack.settled()
    assert any(c.args["ts"] == cards.team for c in slack.fake.calls_to("chat.update"))


# ------------------------------------------------------------- hostile text


async def test_user_text_reaches_the_cards_escaped_never_as_markup(slack):  # noqa: F811
    await slack.command(ANA, "", trigger="trig-form")
    [opened] = await slack.fake.wait_for_calls("views.open")
    status, ack = await slack.submit(ANA, opened.args["view"], {"team": "facturacion", "description": HOSTILE})
    assert (status, ack) == (200, "")
    await slack.settled(homes=True)
    # The team's card in its channel, Ana's posted to her user id (her DM); both tagged by the outbox.
    cards = [c for c in slack.fake.calls_to("chat.postMessage")
             if c.args["channel"] in (FACTURACION, ANA) and c.args.get("metadata")]
    assert len(cards) == 2
    # Cards, confirmations and Home tabs alike: Slack never receives the markup itself.
    shown = [c for c in slack.fake.calls if c.method in ("chat.postMessage", "chat.update", "views.publish")]
    assert any(c.method == "views.publish" for c in shown)
    for call in shown:
        wire_text = json.dumps([call.args.get("text"), call.args.get("blocks"), call.args.get("view")],
                               ensure_ascii=False)
        assert not any(markup in wire_text for markup in RAW_MARKUP), wire_text
    for card in cards:
        assert HOSTILE_ESCAPED in str(card.args["blocks"]) and HOSTILE_ESCAPED in card.args["text"]


async def test_a_thread_reply_with_channel_mention_is_relayed_without_pinging(slack):  # noqa: F811
    cards = await new_request(slack)
    await slack.event(comment_event(HOSTILE, cards.requester), event_id=unique("Ev"))
    await slack.settled()
    [relayed] = slack.thread(FACTURACION, cards.team)
    # Slack's markup arrives as markup; Pedir relays what it means, as plain text.
    assert "@channel @U123 banco (http://evil) &amp; co" in str(relayed["blocks"])
    assert not any(markup in json.dumps(relayed, ensure_ascii=False) for markup in RAW_MARKUP)


# ------------------------------------------------------------- secrets


async def test_no_secret_reaches_the_logs(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    slack.fake.fail_next("chat.update", status=500)
    cards = await new_request(slack)
    await slack.press(MARTA, FACTURACION, cards.team, "request.claim")
    await slack.event(comment_event("Gracias", cards.requester), event_id=unique("Ev"))
    await slack.post(wire.slash_command_body(text="ayuda", user_id=ANA), secret="forged-secret")
    await slack.settled(timeout=30, homes=True)
    # slack_sdk logs whole request bodies at DEBUG: it is held at INFO whatever the root level.
    assert logging.getLogger("slack_sdk").getEffectiveLevel() >= logging.INFO
    assert not any(r.name.startswith("slack_sdk") and r.levelno < logging.INFO for r in caplog.records)
    assert any(r.name.startswith(("adapters", "bot")) for r in caplog.records)  # our own logs were captured
    logged = caplog.text + "".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert BOT_TOKEN not in logged
    assert SECRET not in logged
