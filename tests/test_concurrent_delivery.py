"""Concurrent delivery: many sends in flight, each conversation and card still
in order, Slack's workspace-wide cap honoured, DMs posted without opening a
conversation, a lease lost mid-send left to its new holder, and two
dispatchers at once sending each message once (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from adapters.slack.channel import SlackChannel
from bot.delivery.chains import group
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbox import PERSON, TEAM, enqueue
from bot.messages import Message
from storage.engine import create_engine, session_factory
from storage.models import Outbox, Person, PlatformAccount, Team
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.support import RecordingChannel
from tests.harness.waiting import eventually

SLACK_PEOPLE = 8  # the demo people with a Slack account, the first ones by id


# ---------------------------------------------------------------- helpers


@dataclass
class JitteryChannel(RecordingChannel):
    """Answers each call after a random short pause, so concurrent sends finish in
    any order; counts how many were in flight at once."""

    in_flight: int = 0
    most_in_flight: int = 0
    seed: int = 7
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    async def _pause(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.rng.random() * 0.004)
        finally:
            self.in_flight -= 1

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        await self._pause()
        return await super().send(address, message, thread_id)

    async def update(self, address: str, external_id: str, message: Message) -> str:
        await self._pause()
        return await super().update(address, external_id, message)


async def recipients(sessions) -> tuple[list[int], list[int]]:  # noqa: ANN001
    """(people ids, team ids) of the demo organisation."""
    async with sessions() as session:
        people = list((await session.exec(select(Person.id).order_by(Person.id))).all())
        teams = list((await session.exec(select(Team.id).order_by(Team.id))).all())
    return people, teams


async def slack_people(sessions) -> list[tuple[int, str]]:  # noqa: ANN001
    """(person id, Slack user id) of the demo people on Slack."""
    async with sessions() as session:
        rows = (await session.exec(select(PlatformAccount.person_id, PlatformAccount.external_id).where(
            PlatformAccount.platform == "slack").order_by(PlatformAccount.person_id))).all()
    return [(person_id, user) for person_id, user in rows]


async def write(sessions, clock, messages: list[tuple[str, int, str, str | None]]) -> list[int]:  # noqa: ANN001
    """Queues (recipient kind, id, text, card key) in one transaction; their row ids."""
    async with sessions() as session:
        rows = [enqueue(session, recipient_kind=kind, recipient_id=rid, message=Message(text=text), now=clock.now(),
                        card_key=card) for kind, rid, text, card in messages]
        await session.commit()
        return [row.id for row in rows]


async def outbox(sessions) -> list[Outbox]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Outbox).order_by(Outbox.id))).all())


# ---------------------------------------------------------------- order


async def test_many_sends_in_flight_and_each_conversation_and_card_in_order(app, sessions, clock):
    people, teams = await recipients(sessions)
    to = [(PERSON, p) for p in people[:6]] + [(TEAM, t) for t in teams[:3]]
    channel = JitteryChannel()
    d = Dispatcher(sessions, [channel], clock, concurrency=8, batch=40)
    sent = 0
    for wave in range(3):  # cards posted in the first wave are edited in the next ones
        messages = []
        for n in range(wave * 45, (wave + 1) * 45):
            kind, rid = to[n % len(to)]
            # Every third message to a recipient is a new version of one of its two cards.
            card = f"card:{kind}:{rid}:{n % 2}" if n % 3 == 0 else None
            messages.append((kind, rid, f"{kind} {rid} #{n:03d}", card))
        await write(sessions, clock, messages)
        sent += (await d.drain()).sent

    rows = await outbox(sessions)
    assert {row.status for row in rows} <= {"sent", "superseded"} and sent == len(channel.calls)
    assert any(call.kind == "update" for call in channel.calls)
    assert channel.most_in_flight > 1  # sends did overlap
    by_text = {row.payload["text"]: row for row in rows}
    for address in {call.address for call in channel.calls}:
        # One conversation: its messages reached the platform in the order they were written...
        ids = [by_text[call.message.text].id for call in channel.calls if call.address == address]
        assert ids == sorted(ids), address
    for key in {row.card_key for row in rows if row.card_key}:
        # ...and a card was posted once, by its newest version at the time, then edited in order.
        calls = [call for call in channel.calls if by_text[call.message.text].card_key == key]
        assert [call.kind for call in calls][:1] == ["send"] and all(c.kind == "update" for c in calls[1:])
        ids = [by_text[call.message.text].id for call in calls]
        assert ids == sorted(ids) and ids[-1] == max(row.id for row in rows if row.card_key == key)


def test_rows_sharing_a_recipient_or_a_card_form_one_chain_in_order():
    rows = [("ana", None), ("ben", "c1"), ("cai", None), ("ana", "c2"), ("dan", "c1"), ("eva", None), ("cai", None)]

    def keys(item):  # noqa: ANN001, ANN202
        who, card = item
        return (who,) if card is None else (who, card)

    chains = [chain.items for chain in group(rows, keys)]
    assert chains == [
        [("ana", None), ("ana", "c2")],
        [("ben", "c1"), ("dan", "c1")],  # Ben's and Dan's copies of one card
        [("cai", None), ("cai", None)],
        [("eva", None)],
    ]


# ---------------------------------------------------------------- Slack's limits


def slack_dispatcher(sessions, fake: FakeSlackAPI, clock, **kwargs) -> Dispatcher:  # noqa: ANN001, ANN003
    return Dispatcher(sessions, [SlackChannel(AsyncWebClient(token="xoxb-test", base_url=fake.api_url))], clock,
                      **kwargs)


async def test_a_workspace_429_rests_the_whole_method_and_its_pace_keeps_the_rest_under_the_cap(
    sessions, clock, fake_slack,  # noqa: F811
):
    # Slack takes 3 posts a second across the workspace (on the test's clock), and one in any channel.
    cap = fake_slack.limit_rate("chat.postMessage", 3, monotonic=lambda: clock.now().timestamp())
    fake_slack.limit_rate("chat.postMessage", 1, channel="*", monotonic=lambda: clock.now().timestamp())
    people = (await slack_people(sessions))[:SLACK_PEOPLE]
    ids = await write(sessions, clock, [(PERSON, person_id, f"pregunta {n}", None)
                                        for n, (person_id, _user) in enumerate(people)])
    d = slack_dispatcher(sessions, fake_slack, clock, concurrency=1)

    report = await d.run_once()

    # Three went through; the fourth and fifth, to DMs that took nothing lately, were
    # refused: the workspace's cap, so the whole method rests and the rest wait for it.
    assert (report.sent, report.retried, report.deferred) == (3, 2, 3)
    rows = {row.id: row for row in await outbox(sessions)}
    waiting = [rows[row_id] for row_id in ids[5:]]
    assert {row.last_error for row in waiting} == {"waiting for slack chat.postMessage (rate limited)"}
    assert all(row.attempts == 0 and row.next_attempt_at > clock.now() for row in waiting)
    assert d.next_turn() == clock.now() + timedelta(seconds=1)
    while (turn := d.next_turn()) is not None:
        clock.set(turn)
        await d.drain()
    # The pace the cap showed: no burst into more refusals, every DM once, in its DM.
    assert (cap.accepted, cap.refused) == (len(people), 2)
    assert {row.status for row in await outbox(sessions)} == {"sent"}
    for _person_id, user in people:
        assert len(fake_slack.messages_in(FakeSlackAPI.dm_channel(user))) == 1
    assert fake_slack.calls_to("conversations.open") == []


async def test_dms_go_to_the_user_id_and_a_lookup_uses_the_dm_slack_named(sessions, clock, fake_slack):  # noqa: F811
    (person_id, user), *_ = await slack_people(sessions)
    channel = SlackChannel(AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url))
    [row_id] = await write(sessions, clock, [(PERSON, person_id, "hola", None)])
    await Dispatcher(sessions, [channel], clock).drain()

    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == user  # no conversations.open first
    [row] = await outbox(sessions)
    assert row.external_id.startswith(FakeSlackAPI.dm_channel(user) + "|")
    # Looking up an interrupted send needs the DM's channel id: the one Slack named, not opened again.
    assert await channel.find_tagged(user, None, f"outbox:{row_id}") == row.external_id
    assert fake_slack.calls_to("conversations.open") == []
    # A new process knows no DM yet: it opens the conversation, for that lookup only.
    fresh = SlackChannel(AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url))
    assert await fresh.find_tagged(user, None, f"outbox:{row_id}") == row.external_id
    assert [call.args["users"] for call in fake_slack.calls_to("conversations.open")] == [user]


async def test_the_stand_in_counts_a_dm_posted_to_a_user_id_against_that_dm(fake_slack):  # noqa: F811
    each = fake_slack.limit_rate("chat.postMessage", 1, channel="*")
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    await client.chat_postMessage(channel="U123", text="uno")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="D123", text="dos")
    assert refused.value.response.status_code == 429 and refused.value.response.headers["Retry-After"] == "1"
    assert (each.accepted, each.refused) == (1, 1)


# ---------------------------------------------------------------- leases


@dataclass
class GatedChannel(RecordingChannel):
    """Traceable: tags what it posts and finds it again; its sends wait for the test."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    tags: dict[str, str] = field(default_factory=dict)

    async def send_tagged(self, address: str, message: Message, thread_id: str | None, tag: str) -> str:
        self.entered.set()
        await self.gate.wait()
        sent = await self.send(address, message, thread_id)
        self.tags[tag] = sent
        return sent

    async def find_tagged(self, address: str, thread_id: str | None, tag: str) -> str | None:
        return self.tags.get(tag)


async def test_a_lease_lost_mid_send_is_not_recorded_and_its_new_holder_finds_the_send(app, sessions, clock):
    people, _teams = await recipients(sessions)
    [row_id] = await write(sessions, clock, [(PERSON, people[0], "hola", None)])
    channel = GatedChannel()
    slow = Dispatcher(sessions, [channel], clock)
    running = asyncio.create_task(slow.run_once())
    await eventually(channel.entered.is_set, "the send to start")

    # The lease runs out while the send hangs, and another worker takes the row over.
    clock.advance(seconds=61)
    [taken] = await Dispatcher(sessions, [channel], clock)._claim()  # noqa: SLF001
    channel.gate.set()
    report = await running

    assert report.sent == 0  # sent, but no longer this worker's to record
    [row] = await outbox(sessions)
    assert (row.status, row.lease_until, row.external_id) == ("sending", taken.lease, None)
    clock.advance(seconds=61)  # the new holder died too; a third worker looks the send up
    assert (await Dispatcher(sessions, [channel], clock).drain()).sent == 1
    [row] = await outbox(sessions)
    assert (row.id, row.status, row.external_id) == (row_id, "sent", channel.calls[0].external_id)
    assert len(channel.calls) == 1  # found by its tag, not posted again


# ---------------------------------------------------------------- two workers


async def test_two_concurrent_dispatchers_send_each_message_once(app, sessions, clock, database_url, backend):
    people, teams = await recipients(sessions)
    to = [(PERSON, p) for p in people] + [(TEAM, t) for t in teams]
    await write(sessions, clock, [(*to[n % len(to)], f"mensaje {n:03d}", None) for n in range(200)])
    # PostgreSQL: an engine each, as two processes. SQLite: one engine (see test_nudges_concurrency).
    engine = create_engine(database_url) if backend == "postgresql" else None
    try:
        other = session_factory(engine) if engine else sessions
        one, two = JitteryChannel(seed=1), JitteryChannel(seed=2)
        d1 = Dispatcher(sessions, [one], clock, concurrency=8, batch=20)
        d2 = Dispatcher(other, [two], clock, concurrency=8, batch=20)
        await asyncio.gather(d1.drain(), d2.drain())
    finally:
        if engine is not None:
            await engine.dispose()
    texts = [call.message.text for call in one.calls + two.calls]
    assert sorted(texts) == [f"mensaje {n:03d}" for n in range(200)]  # each once: none lost, none doubled
    rows = await outbox(sessions)
    assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}  # nobody claimed a row twice
