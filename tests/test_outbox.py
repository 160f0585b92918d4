"""Durable delivery: the outbox commits with its cause, and the dispatcher
delivers every row once, with retries, in place, and without leaking text."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from bot.app import Pedir
from bot.delivery import dispatcher as dispatcher_module
from bot.delivery.channel import DeliveryFailed, DeliveryRetry, Unreachable
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.routing import THREAD_WAIT_SECONDS
from bot.delivery.outbox import PERSON, TEAM, THREAD_KEY, WATCHERS, enqueue, enqueue_latest, enqueue_many, row_values
from bot.errors import UserError
from bot.messages import Message
from bot.requests import flows, messaging
from storage.engine import create_engine, session_factory
from storage.models import CardPlacement, Outbox, Person, PlatformAccount, Request, RequestEvent, Team
from tests.harness.support import Delivered, RecordingChannel, chat_messages, person

ANA = "ana.garcia@example.com"
MARTA = "marta.lopez@example.com"
SARA = "sara.ruiz@example.com"
FACTURACION = "team:facturacion"
ANA_DM = f"person:{ANA}"


# ---------------------------------------------------------------- helpers


@pytest.fixture
async def reopen(engine):  # noqa: ANN001
    """Opens a second engine on the very same database, as a restarted process would.

    SQLite: the same file. PostgreSQL: the same server and the test's own schema
    (read back from the running engine, so conftest needs no change).
    """
    opened = []

    async def _reopen():  # noqa: ANN202
        url = engine.url.render_as_string(hide_password=False)
        kwargs = {}
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                schema = (await conn.execute(text("SELECT current_schema()"))).scalar_one()
            kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
        new = create_engine(url, **kwargs)
        opened.append(new)
        return new

    yield _reopen
    for eng in opened:
        await eng.dispose()


async def create(app: Pedir, description: str = "corregir la factura de #ACME", who: str = ANA) -> int:
    requester = await person(app.sessions, who)
    reply = await app.command(requester, "/pedir", f"@facturacion {description}")
    assert reply.message is not None and reply.message.text.startswith("Creado PED-"), reply
    return int(reply.message.text.split("PED-", 1)[1].split()[0])


async def claim(app: Pedir, request_id: int, who: str = MARTA) -> str:
    reply = await app.action(await person(app.sessions, who), "request.claim", str(request_id))
    assert reply.message is not None
    return reply.message.text


async def outbox_rows(sessions) -> list[Outbox]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Outbox).where(chat_messages()).order_by(Outbox.id))).all())


async def outbox_row(sessions, row_id: int) -> Outbox:  # noqa: ANN001
    async with sessions() as session:
        row = await session.get(Outbox, row_id)
        assert row is not None
        return row


async def count(sessions, model) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def enqueue_text(sessions, clock, who: str, text_: str, **kwargs) -> int:  # noqa: ANN001, ANN003
    """One plain message to a person, straight into the outbox."""
    async with sessions() as session:
        recipient = await person(sessions, who)
        row = enqueue(
            session, recipient_kind=PERSON, recipient_id=recipient.id,
            message=Message(text=text_), now=clock.now(), **kwargs,
        )
        await session.commit()
        return row.id


def dispatcher(sessions, channel, clock, **kwargs) -> Dispatcher:  # noqa: ANN001, ANN003
    return Dispatcher(sessions, [channel], clock, **kwargs)


def sends(channel: RecordingChannel) -> list[Delivered]:
    return [call for call in channel.calls if call.kind == "send"]


# ---------------------------------------------------------------- one transaction


async def test_refused_claim_leaves_no_outbox_row_and_no_change(app, sessions):
    rid = await create(app)
    before = await outbox_rows(sessions)
    # Ana is not in Facturación: the domain refuses, in her language.
    answer = await claim(app, rid, who=ANA)
    assert "Facturación" in answer and "Has tomado" not in answer
    assert [row.id for row in await outbox_rows(sessions)] == [row.id for row in before]
    async with sessions() as session:
        request = await session.get(Request, rid)
        assert request.owner_id is None and request.status == "new"


@pytest.mark.parametrize("error", [UserError("perm.not_member", ref="PED-1", team="x"), RuntimeError("boom")])
async def test_error_after_messages_were_queued_rolls_them_back(app, sessions, monkeypatch, error):
    """The claim's conditional UPDATE and its two cards are already in the session
    when the flow fails: the state change and the outbox rows go together."""
    rid = await create(app)
    rows_before = len(await outbox_rows(sessions))

    def fail(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise error

    # tell_requester runs after publish() queued the team and requester cards.
    monkeypatch.setattr(flows, "tell_requester", fail)
    answer = await claim(app, rid)
    assert "Has tomado" not in answer
    assert len(await outbox_rows(sessions)) == rows_before
    async with sessions() as session:
        request = await session.get(Request, rid)
        assert request.owner_id is None and request.status == "new" and request.version == 1
        kinds = (await session.exec(select(RequestEvent.kind).where(RequestEvent.request_id == rid))).all()
        assert list(kinds) == ["created"]


async def test_refused_create_queues_nothing(app, sessions):
    ana = await person(sessions, ANA)
    reply = await app.command(ana, "/pedir", "@facturacion corregir la factura para:2020-01-01")
    assert "Creado" not in reply.message.text
    assert await count(sessions, Outbox) == 0
    assert await count(sessions, Request) == 0


async def test_create_queues_exactly_the_team_card_and_the_requester_card(app, sessions, clock):
    rid = await create(app)
    rows = await outbox_rows(sessions)
    ana = await person(sessions, ANA)
    async with sessions() as session:
        facturacion = (await session.exec(select(Team).where(Team.slug == "facturacion"))).one()
    got = sorted((row.recipient_kind, row.card_key) for row in rows)
    assert got == [
        (PERSON, messaging.requester_card_key(rid)),
        (TEAM, messaging.team_card_key(rid)),
    ]
    for row in rows:
        assert row.status == "pending" and row.attempts == 0
        assert row.next_attempt_at == clock.now() and row.created_at == clock.now()
        assert row.external_id is None and row.lease_until is None
    by_kind = {row.recipient_kind: row for row in rows}
    assert by_kind[PERSON].recipient_id == ana.id
    assert by_kind[TEAM].recipient_id == facturacion.id

    channel = RecordingChannel()
    report = await dispatcher(sessions, channel, clock).drain()
    assert report.sent == 2
    assert sorted(call.address for call in channel.calls) == [ANA_DM, FACTURACION]
    assert all(call.kind == "send" and call.thread_id is None for call in channel.calls)
    assert "corregir la factura" in channel.to(FACTURACION)[0].message.text


async def home_refreshes_waiting(sessions) -> dict[int, int]:  # noqa: ANN001
    """Per person, how many home refreshes are pending."""
    async with sessions() as session:
        rows = (await session.exec(select(Outbox.recipient_id, func.count()).where(
            Outbox.card_key.startswith("home:"), Outbox.status == "pending").group_by(Outbox.recipient_id))).all()
    return dict(rows)


async def test_a_change_queues_no_home_refresh_for_a_person_whose_refresh_still_waits(app, sessions, clock):
    await create(app)
    ana, marta, sara = [await person(sessions, who) for who in (ANA, MARTA, SARA)]
    first = await home_refreshes_waiting(sessions)
    assert first == {ana.id: 1, marta.id: 1, sara.id: 1}  # requester, lead, member
    await create(app, "otra factura")
    assert await home_refreshes_waiting(sessions) == first  # the waiting ones will show both requests
    # Once a refresh is taken for delivery, the next change queues its own.
    async with sessions() as session:
        row = (await session.exec(select(Outbox).where(Outbox.card_key == f"home:{ana.id}"))).one()
        row.status = "sending"
        session.add(row)
        await session.commit()
    await create(app, "una tercera")
    assert await home_refreshes_waiting(sessions) == first


# ---------------------------------------------------------------- crashes


async def test_crash_between_commit_and_delivery_delivers_everything_once(app, engine, sessions, clock, reopen):
    ids = [await create(app, f"factura {n} mal emitida") for n in range(3)]
    await claim(app, ids[0])
    pending = await outbox_rows(sessions)
    assert len(pending) == 3 * 2 + 3 and all(row.status == "pending" for row in pending)

    # The worker that would have delivered them dies before running at all.
    doomed = Dispatcher(sessions, [RecordingChannel()], clock)
    del doomed
    await engine.dispose()

    # A new process: new engine, new sessions, new dispatcher.
    new_sessions = session_factory(await reopen())
    channel = RecordingChannel()
    report = await dispatcher(new_sessions, channel, clock).drain()
    rows = await outbox_rows(new_sessions)
    # Per request: both cards; for the claimed one the first versions are moot.
    assert report.superseded == 2
    assert report.sent == len(rows) - 2 == 7
    assert sorted(row.status for row in rows).count("sent") == 7
    external = [row.external_id for row in rows if row.status == "sent"]
    assert len(set(external)) == len(external) == len(channel.calls)
    # Nothing is left to deliver, and running again sends nothing twice.
    clock.advance(hours=1)
    again = await dispatcher(new_sessions, channel, clock).drain()
    assert again.handled == 0 and len(channel.calls) == 7


async def test_rows_of_a_dead_dispatcher_are_delivered_after_the_lease_not_before(app, sessions, clock):
    await create(app)
    lease = timedelta(seconds=60)
    dead = dispatcher(sessions, RecordingChannel(), clock, lease=lease)
    claimed = await dead._claim()  # it claimed, then died before sending
    assert len(claimed) == 2  # the two cards; home refreshes wait out their short debounce
    for row in await outbox_rows(sessions):
        assert row.status == "sending" and row.attempts == 1
        assert row.lease_until == clock.now() + lease

    channel = RecordingChannel()
    survivor = dispatcher(sessions, channel, clock, lease=lease)
    assert (await survivor.run_once()).handled == 0
    clock.advance(seconds=59)
    assert (await survivor.run_once()).handled == 0
    clock.advance(seconds=1)  # the lease ends now: still held
    assert (await survivor.run_once()).handled == 0
    assert channel.calls == []

    clock.advance(seconds=1)
    report = await survivor.run_once()
    assert report.sent == 2
    assert sorted(call.address for call in channel.calls) == [ANA_DM, FACTURACION]
    for row in await outbox_rows(sessions):
        assert row.status == "sent" and row.attempts == 2 and row.lease_until is None
    clock.advance(minutes=10)
    assert (await survivor.drain()).handled == 0 and len(channel.calls) == 2


# ---------------------------------------------------------------- retries


async def test_rate_limit_reschedules_at_retry_after_and_delivers_once(app, sessions, clock):
    await create(app)
    channel = RecordingChannel()
    channel.rate_limit_next(2, retry_after=30)
    d = dispatcher(sessions, channel, clock)
    start = clock.now()

    report = await d.drain()
    assert report.retried == 2 and report.sent == 0
    for row in await outbox_rows(sessions):
        assert row.status == "pending"
        assert row.next_attempt_at == start + timedelta(seconds=30)
        assert row.last_error == "429 rate limited"
        assert row.lease_until is None

    clock.advance(seconds=29)
    assert (await d.drain()).handled == 0
    assert channel.calls == []

    clock.advance(seconds=1)
    assert (await d.drain()).sent == 2
    clock.advance(minutes=5)
    assert (await d.drain()).handled == 0
    assert len(channel.calls) == 2
    assert {row.status for row in await outbox_rows(sessions)} == {"sent"}


@dataclass
class StormChannel(RecordingChannel):
    """Every message is refused with a 429 the first time it is offered."""

    seen: set[str] = field(default_factory=set)
    refused: int = 0

    def _first_time(self, key: str) -> None:
        if key not in self.seen:
            self.seen.add(key)
            self.refused += 1
            raise DeliveryRetry("429 rate limited", 30)

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        self._first_time(f"send|{address}|{thread_id}|{message.model_dump_json()}")
        return await super().send(address, message, thread_id)

    async def update(self, address: str, external_id: str, message: Message) -> str:
        self._first_time(f"update|{address}|{external_id}|{message.model_dump_json()}")
        return await super().update(address, external_id, message)


async def test_rate_limit_storm_delivers_every_message_once_and_in_order(app, sessions, clock):
    ids = [await create(app, f"factura {n} con el IVA mal") for n in range(10)]
    for rid in ids[:5]:
        await claim(app, rid)
    # A storm on everything queued so far, and more changes while it rages.
    channel = StormChannel()
    d = dispatcher(sessions, channel, clock, batch=7)
    await d.drain()
    for rid in ids[5:8]:
        await claim(app, rid, who=SARA)
    for _ in range(40):
        clock.advance(seconds=30)
        await d.drain()
    rows = await outbox_rows(sessions)
    assert {row.status for row in rows} <= {"sent", "superseded"}, [(r.id, r.status, r.last_error) for r in rows]
    assert len(rows) == 10 * 2 + 8 * 3

    sent = [row for row in rows if row.status == "sent"]
    # Each successful platform call belongs to exactly one sent row, and vice versa.
    assert len(channel.calls) == len(sent)
    # Every message was refused once first; so were some of the first versions of
    # the three cards claimed during the storm (superseded unsent), those that
    # were offered before a refused row ahead of them held their conversation.
    assert len(sent) <= channel.refused <= len(sent) + 3 * 2
    # Every thread reply ("X se encarga de PED-n") went out once, in its card's thread.
    replies = [row for row in sent if row.card_key is None]
    assert len(replies) == 8
    placements = await _placements(sessions)
    for row in replies:
        parent = placements[(row.payload["thread_key"], row.address)]
        call = next(c for c in channel.calls if c.external_id == row.external_id and c.kind == "send")
        assert call.thread_id == parent

    # In order per card: a card's deliveries follow its versions, newest last.
    for key in {row.card_key for row in rows if row.card_key}:
        versions = [row for row in rows if row.card_key == key]
        delivered = [row for row in versions if row.status == "sent"]
        assert delivered, key
        assert delivered[-1].id == versions[-1].id
        # One card per recipient: the first delivery posts it, later ones edit it,
        # and the platform sees the versions in the order they were written.
        calls = [c for c in channel.calls if c.external_id == delivered[0].external_id]
        assert [c.kind for c in calls] == ["send"] + ["update"] * (len(calls) - 1)
        assert [c.message.model_dump(mode="json", exclude={"locale"}) for c in calls] == [_without_thread(r.payload) for r in delivered]


async def _placements(sessions) -> dict[tuple[str, str], str]:  # noqa: ANN001
    async with sessions() as session:
        return {(p.card_key, p.address): p.external_id for p in (await session.exec(select(CardPlacement))).all()}


def _without_thread(payload: dict) -> dict:
    """The message alone: without the keys that only steer its delivery."""
    return {key: value for key, value in payload.items() if key not in (THREAD_KEY, WATCHERS)}


async def test_unknown_errors_are_retried_with_growing_backoff(sessions, clock, app):
    row_id = await enqueue_text(sessions, clock, ANA, "hola")
    channel = RecordingChannel()
    channel.fail_next = [ConnectionResetError("peer went away") for _ in range(10)]
    d = dispatcher(sessions, channel, clock)
    delays = []
    for attempt in range(1, 11):
        report = await d.run_once()
        assert report.retried == 1
        row = await outbox_row(sessions, row_id)
        assert row.status == "pending" and row.attempts == attempt
        assert row.last_error == "ConnectionResetError"
        delay = (row.next_attempt_at - clock.now()).total_seconds()
        ceiling = min(dispatcher_module.BACKOFF_CAP_SECONDS, dispatcher_module.BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
        delays.append(delay)
        # Not before its time...
        clock.set(row.next_attempt_at - timedelta(milliseconds=1))
        assert (await d.run_once()).handled == 0
        clock.set(row.next_attempt_at)
    assert delays[:8] == sorted(delays[:8])  # doubling ceilings outgrow the jitter
    assert delays[7] > delays[0] * 10
    assert max(delays) <= dispatcher_module.BACKOFF_CAP_SECONDS
    # ...and delivered once the trouble passes.
    assert (await d.run_once()).sent == 1
    assert len(channel.calls) == 1 and (await outbox_row(sessions, row_id)).attempts == 11


async def test_permanent_failure_is_recorded_and_not_retried(sessions, clock, app):
    row_id = await enqueue_text(sessions, clock, ANA, "hola")
    channel = RecordingChannel()
    channel.fail_next = [DeliveryFailed("channel_archived")]
    d = dispatcher(sessions, channel, clock)
    report = await d.run_once()
    assert report.failed == 1
    row = await outbox_row(sessions, row_id)
    assert row.status == "failed" and row.last_error == "channel_archived" and row.lease_until is None
    clock.advance(days=2)
    assert (await d.drain()).handled == 0
    assert channel.calls == [] and (await outbox_row(sessions, row_id)).attempts == 1


@dataclass
class OnlyTeamsChannel(RecordingChannel):
    """Reaches people only through an account on its platform."""

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        return next((a.external_id for a in accounts if a.platform == self.platform), None)


async def test_unreachable_recipient_is_recorded_not_dropped(sessions, clock, app):
    # Ana has only a Slack account; this deployment only speaks Teams.
    ana_row = await enqueue_text(sessions, clock, ANA, "hola Ana")
    james_row = await enqueue_text(sessions, clock, "james.whitaker@example.com", "hello James")
    said_unreachable = await enqueue_text(sessions, clock, "james.whitaker@example.com", "second")
    channel = OnlyTeamsChannel(platform="teams")

    original = channel.send

    async def send(address, message, thread_id):  # noqa: ANN001, ANN202
        if message.text == "second":
            raise Unreachable("bot not installed for this user")
        return await original(address, message, thread_id)

    channel.send = send  # type: ignore[method-assign]
    report = await dispatcher(sessions, channel, clock).drain()
    assert report.sent == 1 and report.unreachable == 2
    ana = await person(sessions, ANA)
    row = await outbox_row(sessions, ana_row)
    assert row.status == "unreachable" and str(ana.id) in row.last_error
    assert (await outbox_row(sessions, said_unreachable)).status == "unreachable"
    assert (await outbox_row(sessions, said_unreachable)).last_error == "bot not installed for this user"
    assert (await outbox_row(sessions, james_row)).status == "sent"
    assert [call.address for call in channel.calls] == ["29:1jWhitaker-demo"]
    clock.advance(hours=1)
    assert (await dispatcher(sessions, channel, clock).drain()).handled == 0


async def test_messages_older_than_give_up_after_become_failed(sessions, clock, app):
    row_id = await enqueue_text(sessions, clock, ANA, "hola")
    created = clock.now()
    channel = RecordingChannel()
    channel.rate_limit_next(1000, retry_after=600)
    d = dispatcher(sessions, channel, clock, give_up_after=timedelta(hours=1))
    while clock.now() - created <= timedelta(hours=1):
        await d.run_once()
        assert (await outbox_row(sessions, row_id)).status == "pending"
        clock.advance(seconds=600)
    report = await d.run_once()
    assert report.failed == 1
    row = await outbox_row(sessions, row_id)
    assert row.status == "failed" and row.last_error == "429 rate limited"
    clock.advance(days=1)
    assert (await d.drain()).handled == 0
    assert channel.calls == []


# ---------------------------------------------------------------- cards in place


async def test_the_next_version_of_a_card_edits_the_first(app, sessions, clock):
    rid = await create(app)
    channel = RecordingChannel()
    d = dispatcher(sessions, channel, clock)
    await d.drain()
    first = {call.address: call.external_id for call in channel.calls}
    assert set(first) == {FACTURACION, ANA_DM}

    await claim(app, rid)
    await d.drain()
    later = channel.calls[2:]
    updates = [call for call in later if call.kind == "update"]
    assert sorted((c.address, c.external_id) for c in updates) == sorted(first.items())
    team_update = next(c for c in updates if c.address == FACTURACION)
    assert any(f.value == "Marta López Fernández" for f in team_update.message.fields)
    # The notice goes in the requester card's thread, as a new message.
    (notice,) = [call for call in later if call.kind == "send"]
    assert notice.address == ANA_DM and notice.thread_id == first[ANA_DM]
    assert "Marta López Fernández" in notice.message.text
    assert len(channel.calls) == 5


async def test_only_the_newest_pending_version_of_a_card_is_sent(app, sessions, clock):
    rid = await create(app)
    await claim(app, rid)  # before any delivery: two versions of each card wait
    channel = RecordingChannel()
    report = await dispatcher(sessions, channel, clock).drain()
    assert report.superseded == 2 and report.sent == 3
    rows = await outbox_rows(sessions)
    assert [row.status for row in rows] == ["superseded", "superseded", "sent", "sent", "sent"]
    assert [call.kind for call in channel.calls] == ["send", "send", "send"]
    team = channel.to(FACTURACION)
    assert len(team) == 1 and any(f.value == "Marta López Fernández" for f in team[0].message.fields)
    card, notice = channel.to(ANA_DM)
    assert card.thread_id is None and notice.thread_id == card.external_id


async def test_thread_reply_waits_for_its_parent_card(app, sessions, clock):
    rid = await create(app)
    await claim(app, rid)
    channel = RecordingChannel()
    # Both current cards hit a rate limit; the notice cannot go before its card.
    channel.rate_limit_next(2, retry_after=30)
    d = dispatcher(sessions, channel, clock)
    start = clock.now()
    await d.run_once()
    notice_row = (await outbox_rows(sessions))[-1]
    assert notice_row.card_key is None and notice_row.payload["thread_key"] == messaging.requester_card_key(rid)
    # Its card was refused ahead of it in the same DM: it went back to the outbox unsent,
    # and waits there behind the card (bot.delivery.claims).
    assert notice_row.status == "pending" and notice_row.attempts == 0
    assert channel.calls == []

    clock.advance(seconds=THREAD_WAIT_SECONDS)
    report = await d.run_once()
    assert report.sent == 0 and channel.calls == []  # still waiting, never sent bare

    clock.set(start + timedelta(seconds=30))
    await d.drain()
    card, notice = channel.to(ANA_DM)
    assert card.kind == "send" and card.thread_id is None
    assert notice.kind == "send" and notice.thread_id == card.external_id
    assert (await outbox_row(sessions, notice_row.id)).status == "sent"


# ---------------------------------------------------------------- privacy


async def test_failure_logs_never_contain_the_message_text(app, sessions, clock, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")
    secret = "SECRET-TOKEN-xyz"
    rid = await create(app, f"la factura lleva la clave {secret}")
    await claim(app, rid)
    await enqueue_text(sessions, clock, ANA, f"otra vez {secret}")
    await enqueue_text(sessions, clock, ANA, f"y otra {secret}")
    channel = RecordingChannel()
    channel.fail_next = [
        RuntimeError("upstream exploded"),
        DeliveryFailed("invalid_blocks"),
        DeliveryRetry("503 service unavailable"),
        Unreachable("not installed"),
        TimeoutError(),
    ]
    d = dispatcher(sessions, channel, clock, give_up_after=timedelta(minutes=1))
    await d.drain()
    clock.advance(minutes=10)
    channel.fail_next = [RuntimeError("again")] * 10
    await d.drain()
    assert caplog.text, "the failures should have been logged"
    assert secret not in caplog.text
    for row in await outbox_rows(sessions):
        assert secret not in (row.last_error or "")


# ---------------------------------------------------------------- many rows, and a card's newest version


async def test_enqueue_many_writes_every_row_in_order_and_returns_their_ids(app, sessions, clock):
    ana, marta = await person(sessions, ANA), await person(sessions, MARTA)
    async with sessions() as session, session.begin():
        ids = await enqueue_many(session, [
            row_values(PERSON, who.id, Message(text=f"q{n}").model_dump(mode="json"), clock.now())
            for n, who in enumerate([ana, marta, ana])])
    rows = [await outbox_row(sessions, row_id) for row_id in ids]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [(row.recipient_id, row.payload["text"], row.status) for row in rows] == [
        (ana.id, "q0", "pending"), (marta.id, "q1", "pending"), (ana.id, "q2", "pending")]


async def test_a_cards_newest_version_replaces_one_still_waiting_and_keeps_its_place(app, sessions, clock):
    ana = await person(sessions, ANA)

    async def latest(text_: str) -> None:
        async with sessions() as session, session.begin():
            await enqueue_latest(session, recipient_kind=PERSON, recipient_id=ana.id, now=clock.now(),
                                 card_key="progress:1", message=Message(text=text_))

    await latest("enviado a 10 de 100")
    ahead = await enqueue_text(sessions, clock, ANA, "una pregunta")
    await latest("enviado a 20 de 100")
    rows = await outbox_rows(sessions)
    # One version waits, the newest words in the first one's place, ahead of the question.
    assert [(row.card_key, row.payload["text"]) for row in rows] == [
        ("progress:1", "enviado a 20 de 100"), (None, "una pregunta")]
    assert rows[1].id == ahead
    # Once that version is out, the next one is a new row: the card is edited.
    channel = RecordingChannel()
    await dispatcher(sessions, channel, clock).drain()
    await latest("enviado a 100 de 100")
    await dispatcher(sessions, channel, clock).drain()
    assert [(call.kind, call.message.text) for call in channel.calls] == [
        ("send", "enviado a 20 de 100"), ("send", "una pregunta"), ("update", "enviado a 100 de 100")]
