"""Races: two people claiming one request, two dispatchers sharing one outbox.

Every test runs on SQLite (BEGIN IMMEDIATE serialises the writers) and on
PostgreSQL (row locks, FOR UPDATE SKIP LOCKED), through the shared fixtures.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import Pedir
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbox import PERSON, enqueue
from bot.messages import Message
from storage.models import CardPlacement, Outbox, Request, RequestEvent
from tests.harness.support import RecordingChannel, chat_messages, person

ANA = "ana.garcia@example.com"
MARTA = "marta.lopez@example.com"
SARA = "sara.ruiz@example.com"
ROUNDS = 10


async def create(app: Pedir, description: str) -> int:
    reply = await app.command(await person(app.sessions, ANA), "/pedir", f"@facturacion {description}")
    assert reply.message is not None and reply.message.text.startswith("Creado PED-"), reply
    return int(reply.message.text.split("PED-", 1)[1].split()[0])


async def test_two_members_claim_at_once_and_exactly_one_wins(app, sessions):
    marta, sara = await person(sessions, MARTA), await person(sessions, SARA)
    winners = Counter()
    for n in range(ROUNDS):
        rid = await create(app, f"corregir la factura F-{n}")
        racers = [marta, sara] if n % 2 == 0 else [sara, marta]
        # Two sessions, two transactions, pressed "Tomar" at the same moment.
        replies = await asyncio.gather(*(app.action(p, "request.claim", str(rid)) for p in racers))
        texts = [reply.message.text for reply in replies]
        won = [p for p, text in zip(racers, texts) if text == f"Has tomado PED-{rid}."]
        assert len(won) == 1, texts
        winner = won[0]
        loser_text = next(text for text in texts if text != f"Has tomado PED-{rid}.")
        assert loser_text == f"PED-{rid} ya lo tiene {winner.name}."
        winners[winner.email] += 1

        async with sessions() as session:
            request = await session.get(Request, rid)
            assert request.owner_id == winner.id and request.status == "in_progress"
            claimed = (await session.exec(
                select(RequestEvent).where(RequestEvent.request_id == rid, RequestEvent.kind == "claimed")
            )).all()
            assert len(claimed) == 1 and claimed[0].actor_id == winner.id
            # The loser queued nothing: per request, two cards at creation, then
            # for the one claim two new card versions and a notice to the requester.
            queued = (await session.exec(select(func.count()).select_from(Outbox).where(chat_messages()))).one()
            assert queued == 5 * (n + 1)
    assert sum(winners.values()) == ROUNDS


async def _pending_texts(sessions, clock, n: int) -> list[str]:  # noqa: ANN001
    ana = await person(sessions, ANA)
    texts = [f"mensaje {i:02d}" for i in range(n)]
    async with sessions() as session:
        for text_ in texts:
            enqueue(session, recipient_kind=PERSON, recipient_id=ana.id, message=Message(text=text_), now=clock.now())
        await session.commit()
    return texts


@pytest.mark.parametrize("batch", [5, 50])
async def test_two_dispatchers_send_each_message_exactly_once(app, sessions, clock, batch):
    texts = await _pending_texts(sessions, clock, 30)
    one, two = RecordingChannel(), RecordingChannel()
    d1 = Dispatcher(sessions, [one], clock, batch=batch)
    d2 = Dispatcher(sessions, [two], clock, batch=batch)
    for _ in range(30):
        reports = await asyncio.gather(d1.run_once(), d2.run_once())
        if not any(report.handled for report in reports):
            break
    delivered = [call.message.text for call in one.calls + two.calls]
    assert sorted(delivered) == texts  # each once: none lost, none doubled
    async with sessions() as session:
        rows = (await session.exec(select(Outbox))).all()
    assert {row.status for row in rows} == {"sent"}
    assert {row.attempts for row in rows} == {1}  # nobody claimed a row twice


async def test_two_dispatchers_keep_cards_and_threads_consistent(app, sessions, clock):
    """Cards, their newer versions and thread replies, split across two workers."""
    ids = [await create(app, f"abono {n} pendiente") for n in range(6)]
    marta = await person(sessions, MARTA)
    for rid in ids[:4]:
        await app.action(marta, "request.claim", str(rid))
    channel = RecordingChannel()  # one platform, two workers posting to it
    d1 = Dispatcher(sessions, [channel], clock, batch=3)
    d2 = Dispatcher(sessions, [channel], clock, batch=3)
    for _ in range(40):
        clock.advance(seconds=5)  # thread replies that came early wait 5 s
        reports = await asyncio.gather(d1.drain(), d2.drain())
        if not any(report.handled for report in reports):
            break
    async with sessions() as session:
        rows = (await session.exec(select(Outbox).where(chat_messages()).order_by(Outbox.id))).all()
        placements = (await session.exec(select(CardPlacement))).all()
    assert {row.status for row in rows} <= {"sent", "superseded"}
    # One card per (card, recipient) on the platform, posted once.
    assert len(placements) == len(ids) * 2
    posted_cards = [c for c in channel.calls if c.kind == "send" and c.thread_id is None]
    assert len(posted_cards) == len(placements)
    # Every claim notice went out once, under the requester's card.
    notices = [c for c in channel.calls if c.thread_id is not None]
    assert len(notices) == 4
    parents = {p.external_id for p in placements if p.card_key.endswith(":requester")}
    assert {c.thread_id for c in notices} <= parents
    assert len(channel.calls) == sum(row.status == "sent" for row in rows)


class SlowChannel(RecordingChannel):
    """A send that hangs until the test lets it finish (a slow platform call)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        self.entered.set()
        await self.release.wait()
        return await super().send(address, message, thread_id)


async def test_a_send_slower_than_its_time_limit_is_abandoned_and_retried(app, sessions, clock):
    """A hung platform call must end before the lease does, or another worker
    would take the row while it is still in flight and deliver it twice."""
    await _pending_texts(sessions, clock, 1)
    slow = SlowChannel()
    dispatcher = Dispatcher(sessions, [slow], clock, send_timeout=0.05)
    report = await dispatcher.run_once()
    assert (report.sent, report.retried) == (0, 1)
    async with sessions() as session:
        row = (await session.exec(select(Outbox))).one()
    assert row.status == "pending" and "longer than" in row.last_error
    assert row.lease_until is None
    slow.release.set()
    clock.advance(minutes=10)
    assert (await dispatcher.run_once()).sent == 1
    assert len(slow.calls) == 1


def test_the_send_time_limit_is_always_inside_the_lease(sessions, clock):
    dispatcher = Dispatcher(sessions, [], clock, lease=timedelta(seconds=60))
    assert dispatcher.send_timeout < 60
    with pytest.raises(ValueError):
        Dispatcher(sessions, [], clock, lease=timedelta(seconds=60), send_timeout=60)
