"""Rate-limit lanes: a 429 pauses the lane it was answered on (a method, and for
Slack's chat.postMessage one channel; a Teams conversation) until its
Retry-After, and every other lane keeps moving.

Slack through the real SlackChannel against the Web API stand-in; Teams
through the real TeamsChannel over an adapter that answers like the Bot
Connector's client (an error carrying the HTTP response)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from adapters.slack.channel import SlackChannel
from adapters.teams.channel import TeamsChannel
from bot.delivery.dispatcher import BACKOFF_BASE_SECONDS, Dispatcher
from bot.delivery.outbox import PERSON, TEAM, enqueue
from bot.messages import Message
from storage import references
from storage.models import Outbox, Person, Team
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.support import person

FACTURACION, SOPORTE, VENTAS = "C04FACTURA", "C04SOPORTE", "C04VENTAS1"
ANA, MARTA, SARA = "ana.garcia@example.com", "marta.lopez@example.com", "sara.ruiz@example.com"
MARTA_SLACK, SARA_SLACK = "U04MLOPEZ1", "U04SRUIZ02"
CARLOS, JAMES = "carlos.navarro@example.com", "james.whitaker@example.com"


# ---------------------------------------------------------------- helpers


async def team_id(sessions, slug: str) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(Team.id).where(Team.slug == slug))).one()


async def queue(sessions, clock, to: str, text: str, card_key: str | None = None) -> int:  # noqa: ANN001
    """One message into the outbox: to a team's intake ("#slug") or a person (email)."""
    if to.startswith("#"):
        kind, recipient = TEAM, await team_id(sessions, to[1:])
    else:
        kind, recipient = PERSON, (await person(sessions, to)).id
    async with sessions() as session:
        row = enqueue(session, recipient_kind=kind, recipient_id=recipient, message=Message(text=text),
                      now=clock.now(), card_key=card_key)
        await session.commit()
        return row.id


async def queue_home(sessions, clock, who: str) -> int:  # noqa: ANN001
    """A home-page refresh, due now (refresh_homes would debounce it)."""
    recipient = await person(sessions, who)
    async with sessions() as session:
        row = enqueue(session, recipient_kind=PERSON, recipient_id=recipient.id, now=clock.now(),
                      message=Message(text="", surface="home"), card_key=f"home:{recipient.id}")
        await session.commit()
        return row.id


async def rows(sessions, *ids: int) -> list[Outbox]:  # noqa: ANN001
    async with sessions() as session:
        return [await session.get(Outbox, row_id) for row_id in ids]


async def render_home(session, who: Person, now) -> Message:  # noqa: ANN001
    return Message(text=f"Inicio de {who.name}", surface="home")


def slack_dispatcher(sessions, fake: FakeSlackAPI, clock) -> Dispatcher:  # noqa: ANN001
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    return Dispatcher(sessions, [SlackChannel(client)], clock, render_home=render_home)


def posts(fake: FakeSlackAPI) -> list[tuple[str, str]]:
    """chat.postMessage calls as (channel, text), refused ones included."""
    return [(c.args["channel"], c.args["text"]) for c in fake.calls_to("chat.postMessage")]


def texts_in(fake: FakeSlackAPI, channel: str) -> list[str]:
    return [m["text"] for m in fake.messages_in(channel)]


# ---------------------------------------------------------------- Slack


async def test_a_429_on_one_channel_pauses_that_channel_and_the_others_go_in_the_same_round(
    sessions, clock, fake_slack,  # noqa: F811
):
    ids = [await queue(sessions, clock, to, text) for to, text in [
        ("#facturacion", "f1"), ("#soporte", "s1"), ("#facturacion", "f2"), ("#ventas", "v1"), ("#facturacion", "f3"),
    ]]
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30, channel=FACTURACION)

    report = await slack_dispatcher(sessions, fake_slack, clock).run_once()

    # f1 was refused; f2 and f3 were not even tried; the other channels went through.
    assert posts(fake_slack) == [(FACTURACION, "f1"), (SOPORTE, "s1"), (VENTAS, "v1")]
    assert (report.sent, report.retried, report.deferred) == (2, 1, 2)
    f1, s1, f2, v1, f3 = await rows(sessions, *ids)
    assert s1.status == v1.status == "sent"
    reopens = clock.now() + timedelta(seconds=30)
    assert (f1.status, f1.attempts, f1.next_attempt_at) == ("pending", 1, reopens)
    for row in (f2, f3):
        assert (row.status, row.attempts, row.next_attempt_at, row.lease_until) == ("pending", 0, reopens, None)
        assert row.last_error == f"waiting for slack chat.postMessage {FACTURACION} (rate limited)"


async def test_nothing_reaches_a_paused_lane_before_its_retry_after_and_its_rows_then_go_in_order(
    sessions, clock, fake_slack,  # noqa: F811
):
    first = [await queue(sessions, clock, "#facturacion", f"f{n}") for n in (1, 2, 3)]
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30, channel=FACTURACION)
    d = slack_dispatcher(sessions, fake_slack, clock)
    await d.drain()
    assert posts(fake_slack) == [(FACTURACION, "f1")]
    assert d.next_turn() == clock.now() + timedelta(seconds=30)

    # A second before the reopening: a newcomer to the paused channel waits too,
    # while another channel is served at once. It is not even taken from the
    # outbox: f1, tried and refused, waits for its turn, and the channel's later
    # rows wait behind it (bot.delivery.claims), whichever process would send them.
    clock.advance(seconds=29)
    late = await queue(sessions, clock, "#facturacion", "f4")
    elsewhere = await queue(sessions, clock, "#soporte", "s1")
    report = await d.drain()
    assert (report.sent, report.deferred) == (1, 0)
    assert posts(fake_slack) == [(FACTURACION, "f1"), (SOPORTE, "s1")]
    waiting = (await rows(sessions, late))[0]
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 0, clock.now())

    clock.advance(seconds=1)
    report = await d.drain()
    assert report.sent == 4 and d.next_turn() is None
    assert texts_in(fake_slack, FACTURACION) == ["f1", "f2", "f3", "f4"]
    # Only the refused row counted an attempt more; the deferred ones were tried once.
    assert [(r.status, r.attempts) for r in await rows(sessions, *first, late, elsewhere)] == [
        ("sent", 2), ("sent", 1), ("sent", 1), ("sent", 1), ("sent", 1)]


@pytest.mark.parametrize("refused", ["chat.postMessage", "chat.update", "views.publish"])
async def test_post_update_and_home_are_separate_lanes(sessions, clock, fake_slack, refused):  # noqa: F811
    d = slack_dispatcher(sessions, fake_slack, clock)
    for card in ("card-1", "card-2"):  # posted once, so their next versions edit them
        await queue(sessions, clock, "#facturacion", f"{card} v1", card_key=card)
    await d.drain()
    fake_slack.reset()

    by_method: dict[str, list[int]] = {"chat.postMessage": [], "chat.update": [], "views.publish": []}
    for n, who in ((1, ANA), (2, MARTA)):  # interleaved: post, edit, home, post, edit, home
        by_method["chat.postMessage"].append(await queue(sessions, clock, "#soporte", f"new {n}"))
        by_method["chat.update"].append(await queue(sessions, clock, "#facturacion", f"card-{n} v2", card_key=f"card-{n}"))
        by_method["views.publish"].append(await queue_home(sessions, clock, who))
    fake_slack.fail_next(refused, status=429, retry_after=10)
    await d.run_once()

    # The refused method was called once and its second row left unsent; the others went through.
    assert {method: len(fake_slack.calls_to(method)) for method in by_method} == {
        method: 1 if method == refused else 2 for method in by_method}
    for method, ids in by_method.items():
        states = [(r.status, r.attempts) for r in await rows(sessions, *ids)]
        assert states == ([("pending", 1), ("pending", 0)] if method == refused else [("sent", 1), ("sent", 1)])
    clock.advance(seconds=10)
    await d.drain()
    assert {r.status for ids in by_method.values() for r in await rows(sessions, *ids)} == {"sent"}
    assert texts_in(fake_slack, FACTURACION) == ["card-1 v2", "card-2 v2"]
    assert texts_in(fake_slack, SOPORTE) == ["new 1", "new 2"]


async def test_a_refused_dm_holds_only_that_persons_dm_and_no_conversation_is_opened(sessions, clock, fake_slack):  # noqa: F811
    d = slack_dispatcher(sessions, fake_slack, clock)
    await queue(sessions, clock, ANA, "hola Ana")
    await d.drain()
    fake_slack.reset()

    marta, sara = await queue(sessions, clock, MARTA, "hola Marta"), await queue(sessions, clock, SARA, "hola Sara")
    again = await queue(sessions, clock, MARTA, "otra vez")
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=5, channel=MARTA_SLACK)
    report = await d.run_once()

    # Each DM is posted to the person's user id: Slack answers with the DM's channel.
    assert fake_slack.calls_to("conversations.open") == []
    assert sorted(posts(fake_slack)) == [(MARTA_SLACK, "hola Marta"), (SARA_SLACK, "hola Sara")]
    assert (report.sent, report.retried, report.deferred) == (1, 1, 1)
    first, sent, waiting = await rows(sessions, marta, sara, again)
    assert sent.external_id.startswith(FakeSlackAPI.dm_channel(SARA_SLACK) + "|")
    # Marta's DM rests for its Retry-After, her second message behind her first, uncounted.
    reopens = clock.now() + timedelta(seconds=5)
    assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 1, reopens)
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 0, reopens)
    clock.advance(seconds=5)
    await d.drain()
    assert texts_in(fake_slack, FakeSlackAPI.dm_channel(MARTA_SLACK)) == ["hola Marta", "otra vez"]
    assert [(r.status, r.attempts) for r in await rows(sessions, marta, sara, again)] == [
        ("sent", 2), ("sent", 1), ("sent", 1)]
    assert fake_slack.calls_to("conversations.open") == []


async def test_after_a_refusal_a_lane_keeps_the_pace_it_showed(sessions, clock, fake_slack):  # noqa: F811
    # Slack takes 3 posts a second in Facturación, counted on the test's clock.
    window = fake_slack.limit_rate("chat.postMessage", 3, channel=FACTURACION, monotonic=lambda: clock.now().timestamp())
    ids = [await queue(sessions, clock, "#facturacion", f"f{n}") for n in range(1, 11)]
    elsewhere = await queue(sessions, clock, "#soporte", "s1")
    d = slack_dispatcher(sessions, fake_slack, clock)
    start = clock.now()
    while True:  # deliver, and move the clock to each next turn
        await d.drain()
        if (turn := d.next_turn()) is None:
            break
        clock.set(turn)

    # One burst of three and one refusal teach the lane; then no refusal at all.
    assert (window.accepted, window.refused) == (10, 1)
    assert texts_in(fake_slack, FACTURACION) == [f"f{n}" for n in range(1, 11)]
    sent = await rows(sessions, *ids, elsewhere)
    assert all(row.status == "sent" for row in sent) and sent[-1].sent_at == start
    paced = [row.sent_at for row in sent[3:10]]
    assert paced[0] == start + timedelta(seconds=1)  # the Retry-After
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(paced, paced[1:])]
    assert all(gap >= 1 / 3 for gap in gaps), gaps


async def test_a_send_cut_short_then_deferred_is_still_looked_up_before_posting(sessions, clock, fake_slack):  # noqa: F811
    first, cut = await queue(sessions, clock, "#facturacion", "f1"), await queue(sessions, clock, "#facturacion", "f2")
    dead = slack_dispatcher(sessions, fake_slack, clock)
    await dead._claim()  # noqa: SLF001  (a worker claims both, posts f2, and is killed before recording it)
    channel = dead.channels[0]
    posted = await channel.send_tagged(FACTURACION, Message(text="f2"), None, f"outbox:{cut}")

    clock.advance(seconds=61)  # its lease runs out
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30, channel=FACTURACION)
    d = slack_dispatcher(sessions, fake_slack, clock)
    await d.drain()  # f1 is refused; f2 waits for the lane, still marked as maybe sent
    clock.advance(seconds=30)
    await d.drain()

    assert texts_in(fake_slack, FACTURACION) == ["f2", "f1"]  # f2 found, not posted again
    f1, f2 = await rows(sessions, first, cut)
    assert (f1.status, f2.status, f2.external_id) == ("sent", "sent", posted)


# ---------------------------------------------------------------- Teams


class Throttled(Exception):
    """What botframework-connector raises for an HTTP error: it carries the response."""

    def __init__(self, status: int, retry_after: str) -> None:
        super().__init__(f"({status})")
        self.response = type("Response", (), {"status_code": status, "headers": {"Retry-After": retry_after}})()


class Connector:
    """An adapter whose Bot Connector throttles one conversation once, and records the rest."""

    def __init__(self, throttled: str) -> None:
        self.throttled = throttled
        self.calls: list[str] = []

    async def continue_conversation(self, reference, logic, app_id):  # noqa: ANN001, ANN201
        conversation = reference.conversation.id
        self.calls.append(conversation)
        if conversation == self.throttled:
            self.throttled = ""
            raise Throttled(429, "20")
        await logic(self)

    async def send_activity(self, activity):  # noqa: ANN001, ANN201
        return type("Sent", (), {"id": f"act-{len(self.calls)}"})()


async def test_a_throttled_teams_conversation_waits_and_the_others_go_on(sessions, clock, app):  # app: the demo people
    james_chat, carlos_chat = "a:personal-james", "a:personal-carlos"
    for who, conversation in ((JAMES, james_chat), (CARLOS, carlos_chat)):
        found = await person(sessions, who)
        async with sessions() as session:
            await references.save(session, "teams", f"person:{found.id}", {
                "conversation": {"id": conversation}, "serviceUrl": "https://smba.example/amer/"}, clock.now())
            await session.commit()
    connector = Connector(throttled=james_chat)
    channel = TeamsChannel(connector, sessions, "app-id", sleep=no_pause)
    d = Dispatcher(sessions, [channel], clock)
    ids = [await queue(sessions, clock, who, text) for who, text in
           ((JAMES, "j1"), (CARLOS, "c1"), (JAMES, "j2"), (CARLOS, "c2"))]

    report = await d.run_once()
    assert connector.calls == [james_chat, carlos_chat, carlos_chat]
    assert (report.sent, report.retried, report.deferred) == (2, 1, 1)
    clock.advance(seconds=19)
    assert (await d.drain()).sent == 0 and len(connector.calls) == 3
    clock.advance(seconds=1)
    assert (await d.drain()).sent == 2
    assert connector.calls[3:] == [james_chat, james_chat]
    assert [r.status for r in await rows(sessions, *ids)] == ["sent"] * 4


async def no_pause(_seconds: float) -> None:
    """Teams' per-conversation pacing, tested in test_teams_channel, need not slow this test."""


async def test_a_500_holds_back_the_rest_of_its_channel_until_its_retry_in_every_dispatcher(
    sessions, clock, fake_slack,  # noqa: F811
):
    first = [await queue(sessions, clock, "#facturacion", f"f{n}") for n in (1, 2, 3)]
    elsewhere = await queue(sessions, clock, "#soporte", "s1")
    fake_slack.fail_next("chat.postMessage", status=500, channel=FACTURACION)

    await slack_dispatcher(sessions, fake_slack, clock).drain()
    # f1 failed and waits for its retry; f2 and f3 were not sent after it, nor was anything else held.
    assert posts(fake_slack) == [(FACTURACION, "f1"), (SOPORTE, "s1")]
    assert [row.status for row in await rows(sessions, *first, elsewhere)] == ["pending"] * 3 + ["sent"]

    # Another process's dispatcher takes nothing of that channel either while f1 waits.
    other = slack_dispatcher(sessions, fake_slack, clock)
    assert (await other.drain()).sent == 0

    clock.advance(seconds=BACKOFF_BASE_SECONDS)  # the first retry's backoff is at most this long
    await other.drain()
    assert texts_in(fake_slack, FACTURACION) == ["f1", "f2", "f3"]
    assert [row.status for row in await rows(sessions, *first)] == ["sent"] * 3
