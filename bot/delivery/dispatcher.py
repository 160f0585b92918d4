"""Delivers outbox rows through the channels, with retries, and never drops one.

Rows are claimed with a lease (and FOR UPDATE SKIP LOCKED on PostgreSQL), so
several workers can run at once and each message goes out once; a worker that
dies mid-send leaves a lease that expires and the row is delivered again.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.delivery.channel import Channel, DeliveryFailed, DeliveryRetry, Unreachable
from bot.delivery.outbox import PERSON
from bot.messages import Message
from bot.people import service as people
from storage.models import CardPlacement, Outbox, Team

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
# A parent card still pending: its thread replies wait this long, then look again.
THREAD_WAIT_SECONDS = 5.0


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    superseded: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.unreachable + self.superseded


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter, so a storm of retries spreads out."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return ceiling * (0.5 + random.random() / 2)


class Dispatcher:
    def __init__(
        self,
        sessions,  # noqa: ANN001  (async_sessionmaker)
        channels: list[Channel],
        clock: Clock,
        *,
        batch: int = 50,
        lease: timedelta = timedelta(seconds=60),
        give_up_after: timedelta = timedelta(days=1),
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.give_up_after = give_up_after

    async def run_once(self) -> DispatchReport:
        report = DispatchReport()
        for row_id in await self._claim():
            await self._deliver(row_id, report)
        return report

    async def drain(self, max_rounds: int = 100) -> DispatchReport:
        """Delivers until nothing is due now (what waits for a retry stays)."""
        total = DispatchReport()
        for _ in range(max_rounds):
            report = await self.run_once()
            for name in ("sent", "retried", "failed", "unreachable", "superseded"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if not report.handled:
                break
        return total

    async def _claim(self) -> list[int]:
        now = self.clock.now()
        async with self.sessions() as session:
            stmt = (
                select(Outbox)
                .where(
                    or_(
                        and_(Outbox.status == "pending", Outbox.next_attempt_at <= now),
                        and_(Outbox.status == "sending", Outbox.lease_until < now),
                    )
                )
                .order_by(Outbox.id)
                .limit(self.batch)
            )
            if (await session.connection()).dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = list((await session.exec(stmt)).all())
            for row in rows:
                row.status = "sending"
                row.lease_until = now + self.lease
                row.attempts += 1
                session.add(row)
            await session.commit()
            return [row.id for row in rows]

    async def _deliver(self, row_id: int, report: DispatchReport) -> None:
        async with self.sessions() as session:
            row = await session.get(Outbox, row_id)
            if row is None or row.status != "sending":
                return
            try:
                if await self._superseded(session, row):
                    row.status = "superseded"
                    report.superseded += 1
                else:
                    await self._send(session, row)
                    row.status = "sent"
                    row.sent_at = self.clock.now()
                    report.sent += 1
            except DeliveryRetry as exc:
                self._retry(row, exc.reason, exc.retry_after, report)
            except Unreachable as exc:
                row.status, row.last_error = "unreachable", str(exc)[:500]
                report.unreachable += 1
            except DeliveryFailed as exc:
                row.status, row.last_error = "failed", str(exc)[:500]
                report.failed += 1
                log.warning("outbox %s failed: %s", row.id, exc)
            except Exception as exc:  # noqa: BLE001  (unknown errors are retried, never lost)
                log.exception("outbox %s: unexpected delivery error", row.id)
                self._retry(row, exc.__class__.__name__, None, report)
            row.lease_until = None
            session.add(row)
            await session.commit()

    def _retry(self, row: Outbox, reason: str, retry_after: float | None, report: DispatchReport) -> None:
        now = self.clock.now()
        row.last_error = reason[:500]
        if row.created_at and now - row.created_at > self.give_up_after:
            row.status = "failed"
            report.failed += 1
            return
        delay = retry_after if retry_after is not None else backoff_seconds(row.attempts)
        row.status = "pending"
        row.next_attempt_at = now + timedelta(seconds=delay)
        report.retried += 1

    async def _superseded(self, session: AsyncSession, row: Outbox) -> bool:
        """A newer version of the same card for the same recipient makes this one moot."""
        if not row.card_key:
            return False
        newer = await session.exec(
            select(Outbox.id).where(
                Outbox.card_key == row.card_key,
                Outbox.recipient_kind == row.recipient_kind,
                Outbox.recipient_id == row.recipient_id,
                Outbox.id > row.id,
            )
        )
        return newer.first() is not None

    async def _route(self, session: AsyncSession, row: Outbox) -> tuple[Channel, str]:
        if row.recipient_kind == PERSON:
            person = await people.get(session, row.recipient_id)
            accounts = await people.accounts(session, person.id)
            for channel in self.channels:
                address = channel.address_person(person, accounts)
                if address:
                    return channel, address
            raise Unreachable(f"no connected platform reaches person {person.id}")
        team = await session.get(Team, row.recipient_id)
        if team is None:
            raise DeliveryFailed(f"team {row.recipient_id} no longer exists")
        for channel in self.channels:
            address = channel.address_team(team)
            if address:
                return channel, address
        raise Unreachable(f"team {team.slug} has no intake on a connected platform")

    async def _placement(
        self, session: AsyncSession, card_key: str, platform: str, address: str
    ) -> CardPlacement | None:
        result = await session.exec(
            select(CardPlacement).where(
                CardPlacement.card_key == card_key,
                CardPlacement.platform == platform,
                CardPlacement.address == address,
            )
        )
        return result.first()

    async def _send(self, session: AsyncSession, row: Outbox) -> None:
        channel, address = await self._route(session, row)
        payload = dict(row.payload)
        thread_key = payload.pop("thread_key", None)
        message = Message.model_validate(payload)
        row.platform, row.address = channel.platform, address
        thread_id = None
        if thread_key:
            parent = await self._placement(session, thread_key, channel.platform, address)
            if parent is None:
                raise DeliveryRetry("parent card not delivered yet", THREAD_WAIT_SECONDS)
            thread_id = parent.external_id
        placement = (
            await self._placement(session, row.card_key, channel.platform, address)
            if row.card_key
            else None
        )
        if placement is not None:
            row.external_id = await channel.update(address, placement.external_id, message)
            placement.external_id = row.external_id
            placement.updated_at = self.clock.now()
            session.add(placement)
            return
        row.external_id = await channel.send(address, message, thread_id)
        if row.card_key:
            session.add(
                CardPlacement(
                    card_key=row.card_key,
                    platform=channel.platform,
                    address=address,
                    external_id=row.external_id,
                    updated_at=self.clock.now(),
                )
            )
