"""Writing messages to the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import tracing
from bot.messages import Message
from storage.models import Outbox

PERSON = "person"
TEAM = "team"
# Payload keys that steer delivery and are not part of the message.
THREAD_KEY = "thread_key"
WATCHERS = "watchers"
HOME_DEBOUNCE = timedelta(seconds=2)
HOME_REFRESH = Message(text="", surface="home")  # rendered at delivery (bot.home)


def enqueue(
    session: AsyncSession,
    *,
    recipient_kind: str,
    recipient_id: int,
    message: Message,
    now: datetime,
    card_key: str | None = None,
    thread_key: str | None = None,
    delay: timedelta = timedelta(),
    watchers: Iterable[int] = (),
) -> Outbox:
    """Adds the message to the session; it commits with the state change that caused it.

    `card_key` makes later messages with the same key edit the card in place;
    `thread_key` posts the message as a reply under that card; `watchers` are
    the people told if it cannot reach its recipient (bot.delivery.reach).
    """
    row = Outbox(**entry(recipient_kind=recipient_kind, recipient_id=recipient_id, message=message, now=now,
                         card_key=card_key, thread_key=thread_key, delay=delay, watchers=watchers))
    session.add(row)
    return row


def entry(
    *, recipient_kind: str, recipient_id: int, message: Message, now: datetime, card_key: str | None = None,
    thread_key: str | None = None, delay: timedelta = timedelta(), watchers: Iterable[int] = (),
) -> dict:
    """The columns of the row enqueue() adds (its arguments mean the same), for
    enqueue_now(): several messages queued in one INSERT, without an ORM object each."""
    payload = message.model_dump(mode="json", exclude={"locale"})  # the reader's, set at delivery
    if thread_key:
        payload[THREAD_KEY] = thread_key
    if watchers := sorted(set(watchers)):
        payload[WATCHERS] = watchers
    return row_values(recipient_kind, recipient_id, payload, now, card_key=card_key, delay=delay)


async def enqueue_now(session: AsyncSession, rows: list[dict]) -> None:
    """Rows (entry()) written at once, in one INSERT, in the caller's transaction.
    Messages the session still holds unwritten go first, so the queue keeps
    the order in which they were all queued (a conversation's order is the ids')."""
    if any(isinstance(obj, Outbox) for obj in session.new):
        await session.flush()
    await enqueue_many(session, rows)


async def enqueue_latest(session: AsyncSession, *, recipient_kind: str, recipient_id: int, message: Message,
                         now: datetime, card_key: str) -> None:
    """A card's newest version. One still waiting in the outbox takes its words
    and keeps its place in the queue; a new row would supersede it and start at
    the back, and a card updated more often than a long queue drains (a round's
    progress behind its thousands of questions) would never be shown."""
    replaced = await session.exec(  # type: ignore[call-overload]
        update(Outbox).where(col(Outbox.card_key) == card_key, col(Outbox.recipient_kind) == recipient_kind,
                             col(Outbox.recipient_id) == recipient_id, col(Outbox.status) == "pending")
        .values(payload=message.model_dump(mode="json")).execution_options(synchronize_session=False))
    if not replaced.rowcount:
        enqueue(session, recipient_kind=recipient_kind, recipient_id=recipient_id, message=message, now=now,
                card_key=card_key)


def row_values(recipient_kind: str, recipient_id: int, payload: dict, now: datetime, *,
               card_key: str | None = None, delay: timedelta = timedelta()) -> dict:
    """An outbox row's columns, as it is queued; with the trace of the request
    being handled, if any (bot.tracing), so its delivery carries that request's id."""
    trace = tracing.current()
    return dict(recipient_kind=recipient_kind, recipient_id=recipient_id, card_key=card_key, payload=payload,
                status="pending", next_attempt_at=now + delay, created_at=now,
                request_id=trace.request_id if trace else None, received_at=trace.received_at if trace else None)


async def enqueue_many(session: AsyncSession, rows: list[dict]) -> list[int]:
    """Rows (row_values) in one INSERT, without an ORM object each: a pulse round
    queues thousands, and building those objects would hold the event loop,
    delivery included, for a second. Returns their ids, in order."""
    if not rows:
        return []
    result = await session.exec(  # type: ignore[call-overload]
        insert(Outbox).returning(col(Outbox.id), sort_by_parameter_order=True), params=rows)
    return [row_id for (row_id,) in result.all()]


# Built once (a statement built per call costs more than its seek): the people
# among `ids` whose home refresh still waits, for home_refreshes().
_WAITING_HOMES = select(Outbox.recipient_id).where(
    col(Outbox.recipient_id).in_(bindparam("ids", expanding=True)), col(Outbox.status) == "pending",
    col(Outbox.recipient_kind) == PERSON, col(Outbox.card_key).in_(bindparam("keys", expanding=True)))
_WAITING_HOMES_LOCKED = _WAITING_HOMES.with_for_update(skip_locked=True)


def refresh_homes(session: AsyncSession, person_ids: set[int], now: datetime) -> None:
    """Queues a home-page refresh per person. The page is rendered when delivered,
    and a newer refresh supersedes one still waiting, so a burst of changes
    within HOME_DEBOUNCE costs one render."""
    for person_id in sorted(person_ids):
        session.add(Outbox(**_home_refresh(person_id, now)))


def _home_refresh(person_id: int, now: datetime) -> dict:
    return entry(recipient_kind=PERSON, recipient_id=person_id, now=now, message=HOME_REFRESH,
                 card_key=f"home:{person_id}", delay=HOME_DEBOUNCE)


async def home_refreshes(session: AsyncSession, person_ids: set[int], now: datetime) -> list[dict]:
    """refresh_homes' rows, for enqueue_now(), but none for a person whose
    refresh is still waiting in the outbox: that one renders the page when it
    is delivered, after this transaction, so it shows this change too. On
    PostgreSQL it is locked here (no claim takes it before this commits); one
    locked already (by a claim, or another change in flight) is not counted
    on, and this change queues a refresh of its own (SKIP LOCKED: no change
    waits for another's). SQLite has one writer. Under load a busy person's
    page costs one row per delivery, not one per change."""
    if not person_ids:
        return []
    ids = sorted(person_ids)
    locks = (await session.connection()).dialect.name == "postgresql"
    waiting = set((await session.exec(  # type: ignore[call-overload]
        _WAITING_HOMES_LOCKED if locks else _WAITING_HOMES,
        params={"ids": ids, "keys": [f"home:{person_id}" for person_id in ids]})).all())
    return [_home_refresh(person_id, now) for person_id in sorted(person_ids) if person_id not in waiting]


async def recipients_of(session: AsyncSession, card_key: str) -> list[tuple[str, int]]:
    """Who a card was sent to, as (recipient kind, id): a seek on the card_key index."""
    result = await session.exec(
        select(Outbox.recipient_kind, Outbox.recipient_id).where(Outbox.card_key == card_key).distinct()
    )
    return sorted(result.all())
