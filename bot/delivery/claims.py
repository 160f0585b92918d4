"""Taking outbox rows to deliver, under a lease, and finding them again while it holds.

A claim is one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL, so
several workers can claim at once). A worker that dies mid-send leaves a
lease that expires, and the row is delivered again, looked up first where the
channel can (it was "sending": it may have gone out).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import MAYBE_SENT
from storage.models import Outbox

HOME_CARDS = "home:"  # the card key of a person's home page (bot.home)


class Claim(NamedTuple):
    row_id: int
    lease: datetime
    interrupted: bool  # its last send may have gone out: look before posting again


def _behind(now: datetime, *, postgresql: bool):  # noqa: ANN202
    """An earlier row to the same recipient, or of the same card, is still on its
    way: tried and waiting for its retry (after a 5xx or a timeout, or a 429's
    turn), or being sent under a live lease (its outcome may not be written
    yet). This one waits behind it, so a conversation never receives its
    messages out of order: not after a retry, not from two batches or two
    processes. A home page's refresh (not a message in any conversation)
    holds nothing back.

    Written for each database's planner. PostgreSQL's takes one EXISTS with
    the ways OR'd (a bitmap OR of the indexes). SQLite's would walk every
    earlier row of the recipient, sent ones included, for each candidate (a
    claim grew with the square of the backlog: 0.5 s with 1,000 rows queued),
    so there the recipient's two ways are an EXISTS each, with the status as
    an equality, each a seek: a retry on ix_outbox_recipient_status_next_attempt
    (the recipient's rows due later; `id + 0` keeps SQLite from walking the
    recipient's history by id instead), a send on ix_outbox_recipient_status_id
    (a handful of rows); the card's stay one, a seek on ix_outbox_card_key_id
    (a card has a few versions). On PostgreSQL that form measured twice as slow."""
    earlier = aliased(Outbox)
    not_home = or_(earlier.card_key.is_(None), ~earlier.card_key.startswith(HOME_CARDS))  # type: ignore[union-attr]
    retrying = and_(earlier.status == "pending", earlier.next_attempt_at > now, earlier.attempts > 0)
    sending = and_(earlier.status == "sending", earlier.lease_until >= now)
    recipient = and_(earlier.recipient_id == Outbox.recipient_id, earlier.recipient_kind == Outbox.recipient_kind)
    card = and_(Outbox.card_key.is_not(None), earlier.card_key == Outbox.card_key)  # type: ignore[union-attr]
    if postgresql:
        return exists().where(or_(retrying, sending), earlier.id < Outbox.id, or_(recipient, card), not_home)
    return or_(  # a send in flight is what usually holds a row back in a backlog: asked first
        exists().where(recipient, sending, earlier.id < Outbox.id, not_home),
        exists().where(recipient, retrying, earlier.id + 0 < Outbox.id, not_home),
        exists().where(card, or_(retrying, sending), earlier.id < Outbox.id, not_home),
    )


async def claim(session: AsyncSession, now: datetime, lease: timedelta, batch: int) -> list[Claim]:
    """Leases up to `batch` due rows, oldest first; commits. Reads only what the
    claim needs (a row's payload is read once, when it is planned)."""
    lease_until = now + lease
    postgresql = await _postgresql(session)
    stmt = (
        select(Outbox.id, Outbox.status, Outbox.last_error, Outbox.card_key, Outbox.recipient_kind,
               Outbox.recipient_id)
        .where(
            or_(
                and_(Outbox.status == "pending", Outbox.next_attempt_at <= now),
                and_(Outbox.status == "sending", Outbox.lease_until < now),
            ),
            ~_behind(now, postgresql=postgresql),
        )
        .order_by(Outbox.id)
        .limit(batch)
    )
    if postgresql:
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list((await session.exec(stmt)).all())
    # A card whose previous version is still being sent waits for it:
    # otherwise two workers could both post the card instead of one editing.
    in_flight = set((await session.exec(
        select(Outbox.card_key, Outbox.recipient_kind, Outbox.recipient_id).where(
            Outbox.status == "sending", Outbox.lease_until >= now, Outbox.card_key.is_not(None)  # type: ignore[union-attr]
        )
    )).all())
    rows = [row for row in rows if (row.card_key, row.recipient_kind, row.recipient_id) not in in_flight]
    # Its last send was cut short or timed out: it may be out there.
    claims = [Claim(row.id, lease_until, row.status == "sending" or (row.last_error or "").startswith(MAYBE_SENT))
              for row in rows]
    if claims:
        await session.exec(update(Outbox).where(Outbox.id.in_([c.row_id for c in claims]))  # type: ignore[call-overload, union-attr]
                           .values(status="sending", lease_until=lease_until, attempts=Outbox.attempts + 1))
    await session.commit()
    return claims


async def held(session: AsyncSession, claims: Iterable[Claim]) -> set[int]:
    """Which of the claimed rows are still under this worker's lease: one query,
    reading no payload. Locked on PostgreSQL, as `leased`."""
    claims = list(claims)
    if not claims:
        return set()
    stmt = select(Outbox.id, Outbox.status, Outbox.lease_until).where(
        Outbox.id.in_([c.row_id for c in claims]))  # type: ignore[union-attr]
    if await _postgresql(session):
        stmt = stmt.with_for_update()
    found = {row_id: (status, lease) for row_id, status, lease in (await session.exec(stmt)).all()}
    return {c.row_id for c in claims if found.get(c.row_id) == ("sending", c.lease)}


async def leased(session: AsyncSession, claims: Iterable[Claim]) -> dict[int, Outbox]:
    """The claimed rows whose lease is still this worker's, by id: one query.
    Locked on PostgreSQL, so a worker claiming an expired lease waits for this
    transaction (or this one for its claim) instead of both writing the row."""
    claims = list(claims)
    if not claims:
        return {}
    stmt = select(Outbox).where(Outbox.id.in_([c.row_id for c in claims]))  # type: ignore[union-attr]
    if await _postgresql(session):
        stmt = stmt.with_for_update()
    rows = {row.id: row for row in (await session.exec(stmt)).all()}
    return {c.row_id: rows[c.row_id] for c in claims
            if c.row_id in rows and rows[c.row_id].status == "sending" and rows[c.row_id].lease_until == c.lease}


async def _postgresql(session: AsyncSession) -> bool:
    return (await session.connection()).dialect.name == "postgresql"
