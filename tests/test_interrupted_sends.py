"""Sends cut short: a stopping process finishes the send in flight and gives
back the rest, and a send that may have gone out (a killed process, a
timeout) is looked up on Slack by its tag before it is posted again."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from adapters.slack.channel import SlackChannel, split_external_id
from bot.app import Pedir
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.routing import plan_delivery
from storage.models import CardPlacement, Outbox
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.support import chat_messages, person
from tests.harness.waiting import eventually

ANA = "ana.garcia@example.com"
FACTURACION = "C04FACTURA"


async def new_request(app: Pedir, n: int = 1) -> None:
    reply = await app.command(await person(app.sessions, ANA), "/pedir", f"@facturacion corregir la factura F-{n}")
    assert reply.message is not None and "Creado PED-" in reply.message.text


async def messages(sessions) -> list[Outbox]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Outbox).where(chat_messages()).order_by(Outbox.id))).all())


def slack_dispatcher(app: Pedir, clock, fake) -> tuple[Dispatcher, SlackChannel]:  # noqa: ANN001
    channel = SlackChannel(AsyncWebClient(token="xoxb-test", base_url=fake.api_url))
    return Dispatcher(app.sessions, [channel], clock), channel


async def test_a_killed_send_that_went_out_is_recorded_not_posted_twice(app, clock, fake_slack):  # noqa: ANN001, F811
    await new_request(app)
    dispatcher, channel = slack_dispatcher(app, clock, fake_slack)
    claims = await dispatcher._claim()  # noqa: SLF001  (a worker claims the rows...)
    team_row = next(row for row in await messages(app.sessions) if row.recipient_kind == "team")
    async with app.sessions() as session:
        plan = await plan_delivery(session, await session.get(Outbox, team_row.id), [channel], clock.now())
    # ... posts the team card, and is killed before recording it.
    posted = await channel.send_tagged(plan.address, plan.message, None, f"outbox:{team_row.id}")
    assert {claim.row_id for claim in claims} >= {team_row.id}

    clock.advance(seconds=61)  # the dead worker's lease runs out
    report = await dispatcher.drain()
    assert report.failed == 0
    cards = [m for m in fake_slack.messages_in(FACTURACION) if m.get("thread_ts") is None]
    assert len(cards) == 1  # not posted again
    async with app.sessions() as session:
        row = await session.get(Outbox, team_row.id)
        [placement] = (await session.exec(select(CardPlacement).where(
            CardPlacement.card_key == row.card_key, CardPlacement.platform == "slack"))).all()
    assert (row.status, row.external_id, placement.external_id) == ("sent", posted, posted)
    # Every row claimed by the dead worker is looked up once where it would be (team channel, Ana's DM).
    lookups = [call.args for call in fake_slack.calls_to("conversations.history")]
    assert sorted(args["channel"] for args in lookups) == sorted([FACTURACION, fake_slack.dm_channel("U012AB3CD")])
    assert all(args["include_all_metadata"] in ("1", True) for args in lookups)


async def test_a_killed_send_that_never_went_out_is_posted_once(app, clock, fake_slack):  # noqa: ANN001, F811
    await new_request(app)
    dispatcher, _channel = slack_dispatcher(app, clock, fake_slack)
    await dispatcher._claim()  # noqa: SLF001  (claimed, then killed before any send)
    clock.advance(seconds=61)
    await dispatcher.drain()
    cards = [m for m in fake_slack.messages_in(FACTURACION) if m.get("thread_ts") is None]
    assert len(cards) == 1
    assert cards[0]["metadata"]["event_payload"]["tag"].startswith("outbox:")
    assert all(row.status == "sent" for row in await messages(app.sessions))


async def test_a_send_that_timed_out_is_looked_up_before_it_is_retried(app, clock, fake_slack):  # noqa: ANN001, F811
    await new_request(app)
    channel = SlackChannel(AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=0.3))
    dispatcher = Dispatcher(app.sessions, [channel], clock)
    # Slack stores the card but answers after the client gave up.
    fake_slack.stall_next("chat.postMessage", 0.6, times=10)
    report = await dispatcher.run_once()
    assert report.retried >= 1
    await eventually(lambda: len(fake_slack.messages_in(FACTURACION)) == 1, "the stalled post to land")
    clock.advance(seconds=600)
    await dispatcher.drain()
    cards = [m for m in fake_slack.messages_in(FACTURACION) if m.get("thread_ts") is None]
    assert len(cards) == 1
    row = next(row for row in await messages(app.sessions) if row.recipient_kind == "team")
    assert row.status == "sent" and split_external_id(row.external_id)[1] == cards[0]["ts"]


async def test_a_stopping_dispatcher_finishes_the_send_in_flight_and_gives_back_the_rest(app, clock, fake_slack):  # noqa: ANN001, F811
    for n in range(3):
        await new_request(app, n)
    dispatcher, _channel = slack_dispatcher(app, clock, fake_slack)
    fake_slack.stall_next("chat.postMessage", 0.3)  # the first send waits on Slack
    running = asyncio.create_task(dispatcher.run_once())
    await eventually(lambda: fake_slack.calls_to("chat.postMessage"), "the first send to start")
    dispatcher.stop()
    report = await running
    rows = await messages(app.sessions)
    assert report.sent == 1
    assert [row.status for row in rows].count("sent") == 1
    assert [row.status for row in rows].count("pending") == len(rows) - 1
    assert all(row.attempts == 0 for row in rows if row.status == "pending")  # given back, as never claimed
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_stopping_worker_lets_its_running_tick_end_instead_of_cancelling_it():
    from adapters.worker import Ticks

    ticks = Ticks()
    ended: list[str] = []

    async def deliver() -> None:
        await asyncio.sleep(0.2)
        ended.append("recorded")

    running = asyncio.create_task(ticks.tracked(deliver)())
    await asyncio.sleep(0.05)
    await ticks.wait(timeout=2)
    assert ended == ["recorded"] and running.done() and not running.cancelled()
