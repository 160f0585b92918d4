"""Writing messages to the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Message
from storage.models import Outbox

PERSON = "person"
TEAM = "team"
# Payload keys that steer delivery and are not part of the message.
THREAD_KEY = "thread_key"
WATCHERS = "watchers"
HOME_DEBOUNCE = timedelta(seconds=2)


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
    payload = message.model_dump(mode="json", exclude={"locale"})  # the reader's, set at delivery
    if thread_key:
        payload[THREAD_KEY] = thread_key
    if watchers := sorted(set(watchers)):
        payload[WATCHERS] = watchers
    row = Outbox(
        recipient_kind=recipient_kind,
        recipient_id=recipient_id,
        card_key=card_key,
        payload=payload,
        status="pending",
        next_attempt_at=now + delay,
        created_at=now,
    )
    session.add(row)
    return row


def refresh_homes(session: AsyncSession, person_ids: set[int], now: datetime) -> None:
    """Queues a home-page refresh per person. The page is rendered when delivered,
    and a newer refresh supersedes one still waiting, so a burst of changes
    within HOME_DEBOUNCE costs one render."""
    for person_id in sorted(person_ids):
        enqueue(session, recipient_kind=PERSON, recipient_id=person_id, now=now,
                message=Message(text="", surface="home"), card_key=f"home:{person_id}", delay=HOME_DEBOUNCE)


async def recipients_of(session: AsyncSession, card_key: str) -> list[tuple[str, int]]:
    """Who a card was sent to, as (recipient kind, id): a seek on the card_key index."""
    result = await session.exec(
        select(Outbox.recipient_kind, Outbox.recipient_id).where(Outbox.card_key == card_key).distinct()
    )
    return sorted(result.all())
