"""Delivers outbox rows through the channels, with retries, and never drops one.

Each row goes through three short steps: claim (a lease, taken with FOR
UPDATE SKIP LOCKED on PostgreSQL so several workers can run at once), send
(outside any transaction: a slow platform never holds a database lock, which
on SQLite would stall every other writer), and record. A worker that dies
mid-send leaves a lease that expires, and the row is delivered again.
Sends time out at half the lease, so a live worker never has its row taken
from under it. A send that may have gone out (its lease expired, or it timed
out) is looked up on the platform before it is posted again, where the
channel can do that (channel.Traceable).

A rate limit (429 with Retry-After) holds back only the lane it names
(bot.delivery.lanes): until the lane's Retry-After, and then at the pace it
showed, rows that would go down it are deferred to their turn without a call
and without counting an attempt, while rows on other lanes are sent as usual.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.delivery import reach
from bot.delivery.channel import (
    MAYBE_SENT, Channel, DeliveryFailed, DeliveryRetry, HomeRenderer, Traceable, Unreachable,
)
from bot.delivery.lanes import LaneSchedule, Turn
from bot.delivery.routing import Plan, plan_delivery
from storage.models import CardPlacement, Outbox
from storage.upsert import upsert

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0


class Claim(NamedTuple):
    row_id: int
    lease: datetime
    interrupted: bool  # its last send may have gone out: look before posting again


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    superseded: int = 0
    skipped: int = 0
    deferred: int = 0  # left uncalled for their turn on a rate-limited lane
    homes: int = 0  # home-page refreshes handled, whatever their outcome

    @property
    def handled(self) -> int:
        """Messages dealt with this round, whatever the outcome (home pages apart)."""
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "homes")

    def add(self, other: "DispatchReport") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


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
        render_home: HomeRenderer | None = None,
        send_timeout: float | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.give_up_after = give_up_after
        # Without one, home-page refreshes are skipped (the console, most tests).
        self.render_home = render_home
        # A send must end well inside its lease, or another worker would take
        # the row while it is still in flight and deliver it twice.
        self.send_timeout = send_timeout if send_timeout is not None else lease.total_seconds() / 2
        if self.send_timeout >= lease.total_seconds():
            raise ValueError("send_timeout must be shorter than the lease")
        self.stopping = False
        self.schedule = LaneSchedule()  # turns on rate-limited lanes, in this process's memory

    def stop(self) -> None:
        """Finish the send in flight, then stop: the rest of a claimed batch
        goes back to the queue at once, for the next process to deliver."""
        self.stopping = True

    async def run_once(self) -> DispatchReport:
        report = DispatchReport()
        claimed = [] if self.stopping else await self._claim()
        waiting: list[tuple[Claim, Turn]] = []
        for index, claim in enumerate(claimed):
            if self.stopping:
                await self._release(claimed[index:])
                break
            # Checked row by row: a 429 earlier in the batch may have moved its turn.
            turn = self.schedule.waiting(claim.row_id, self.clock.now())
            if turn is not None:
                waiting.append((claim, turn))
            else:
                await self._deliver(claim, report)
        await self._put_back(waiting, report)
        return report

    async def drain(self, max_rounds: int = 100) -> DispatchReport:
        """Delivers until nothing is due now (what waits for a retry stays)."""
        total = DispatchReport()
        for _ in range(max_rounds):
            report = await self.run_once()
            total.add(report)
            if self.stopping or not (report.handled or report.homes):
                break
        return total

    def next_turn(self) -> datetime | None:
        """When the next row deferred for a rate-limited lane falls due."""
        return self.schedule.next_turn(self.clock.now())

    async def _release(self, claimed: list[Claim]) -> None:
        """Gives back rows claimed but not attempted, as if never claimed."""
        async with self.sessions() as session, session.begin():
            for row_id, lease, _interrupted in claimed:
                row = await self._leased(session, row_id, lease)
                if row is not None:
                    row.status, row.lease_until, row.attempts = "pending", None, max(row.attempts - 1, 0)

    async def _claim(self) -> list[Claim]:
        now = self.clock.now()
        lease = now + self.lease
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
            # A card whose previous version is still being sent waits for it:
            # otherwise two workers could both post the card instead of one editing.
            in_flight = set((await session.exec(
                select(Outbox.card_key, Outbox.recipient_kind, Outbox.recipient_id).where(
                    Outbox.status == "sending", Outbox.lease_until >= now, Outbox.card_key.is_not(None)  # type: ignore[union-attr]
                )
            )).all())
            rows = [row for row in rows if (row.card_key, row.recipient_kind, row.recipient_id) not in in_flight]
            claims = []
            for row in rows:
                # Its last send was cut short or timed out: it may be out there.
                interrupted = row.status == "sending" or (row.last_error or "").startswith(MAYBE_SENT)
                claims.append(Claim(row.id, lease, interrupted))
                row.status = "sending"
                row.lease_until = lease
                row.attempts += 1
                session.add(row)
            await session.commit()
            return claims

    async def _deliver(self, claim: Claim, report: DispatchReport) -> None:
        # Home-page refreshes are counted apart: the report speaks of messages.
        own = DispatchReport()
        if await self._deliver_row(claim, own):
            report.homes += own.handled
        else:
            report.add(own)

    async def _deliver_row(self, claim: Claim, report: DispatchReport) -> bool:
        """Delivers one claimed row; True when it was a home-page refresh."""
        row_id, lease, interrupted = claim
        async with self.sessions() as session, session.begin():
            row = await self._leased(session, row_id, lease)
            if row is None:
                return False
            is_home = row.payload.get("surface") == "home"
            try:
                plan = await plan_delivery(session, row, self.channels, self.clock.now(), self.render_home)
            except Exception as exc:  # noqa: BLE001  (sorted by _settle)
                self._settle(row, exc, report)
                await self._after_settle(session, row)
                return is_home
            if plan is None or plan.outcome:
                outcome = plan.outcome if plan else "superseded"
                row.status, row.lease_until = outcome, None
                setattr(report, outcome, getattr(report, outcome) + 1)
                return is_home
            lanes, admitted_at = plan.channel.lanes(plan.kind, plan.address), self.clock.now()
            turn = self.schedule.admit(row_id, lanes, admitted_at)
            if turn is not None:
                self._defer(row, turn, interrupted)
                report.deferred += 1
                return is_home
        try:
            try:
                sent_id = await asyncio.wait_for(self._send(plan, row_id, interrupted), self.send_timeout)
            except TimeoutError:
                raise DeliveryRetry(f"{MAYBE_SENT}send took longer than {self.send_timeout:g} s") from None
        except Exception as exc:  # noqa: BLE001  (sorted by _settle)
            async with self.sessions() as session, session.begin():
                row = await self._leased(session, row_id, lease)
                if row is not None:
                    self._settle(row, exc, report)
                    await self._after_settle(session, row)
            return is_home
        self.schedule.accepted(lanes, admitted_at)
        async with self.sessions() as session, session.begin():
            row = await session.get(Outbox, row_id)
            if row is None:
                return is_home
            if row.lease_until != lease:
                log.warning("outbox %s: lease lost during a slow send", row_id)
            row.status, row.lease_until, row.sent_at = "sent", None, self.clock.now()
            row.platform, row.address, row.external_id = plan.channel.platform, plan.address, sent_id
            if plan.card_key and not plan.home:
                await self._place(session, plan, sent_id)
            report.sent += 1
        return is_home

    async def _leased(self, session: AsyncSession, row_id: int, lease: datetime) -> Outbox | None:
        """The row, if this worker's lease on it still holds."""
        row = await session.get(Outbox, row_id)
        if row is None or row.status != "sending" or row.lease_until != lease:
            return None
        return row

    async def _send(self, plan: Plan, row_id: int, interrupted: bool) -> str:
        if plan.home:
            await plan.channel.publish_home(plan.address, plan.message)
            return ""
        if plan.placed_id is not None:
            return await plan.channel.update(plan.address, plan.placed_id, plan.message)
        if not isinstance(plan.channel, Traceable):
            return await plan.channel.send(plan.address, plan.message, plan.thread_id)
        tag = f"outbox:{row_id}"
        if interrupted:
            found = await plan.channel.find_tagged(plan.address, plan.thread_id, tag)
            if found is not None:
                log.warning("outbox %s: an interrupted send had gone out; not posting it again", row_id)
                return found
        return await plan.channel.send_tagged(plan.address, plan.message, plan.thread_id, tag)

    async def _place(self, session: AsyncSession, plan: Plan, sent_id: str) -> None:
        """Records where the card now lives: one upsert, whoever placed it first."""
        assert plan.channel is not None and plan.card_key is not None
        await upsert(session, CardPlacement, ["card_key", "platform", "address"], dict(
            card_key=plan.card_key, platform=plan.channel.platform, address=plan.address,
            external_id=sent_id, updated_at=self.clock.now(),
        ))

    async def _after_settle(self, session: AsyncSession, row: Outbox) -> None:
        """A message that cannot reach its team is told to people, in the same transaction."""
        if row.status == "unreachable":
            await reach.undelivered(session, row, self.channels, self.clock.now())

    def _settle(self, row: Outbox, exc: Exception, report: DispatchReport) -> None:
        """Sorts a failure: retry later, or record why it cannot be delivered."""
        row.lease_until = None
        if isinstance(exc, DeliveryRetry):
            self._retry(row, exc.reason, exc.retry_after, report)
            if exc.lane is not None and exc.retry_after is not None:
                turn = self.schedule.refused(exc.lane, exc.retry_after, self.clock.now(), row.id)
                if row.status == "pending":  # first in line once the lane has rested
                    row.next_attempt_at = turn.at
        elif isinstance(exc, Unreachable):
            row.status, row.last_error = "unreachable", str(exc)[:500]
            report.unreachable += 1
        elif isinstance(exc, DeliveryFailed):
            row.status, row.last_error = "failed", str(exc)[:500]
            report.failed += 1
            log.warning("outbox %s failed: %s", row.id, exc)
        else:
            # Unknown errors are retried, never lost. Only the class is logged:
            # an exception's text may quote the message being delivered.
            log.error("outbox %s: unexpected delivery error %s", row.id, exc.__class__.__name__)
            self._retry(row, exc.__class__.__name__, None, report)

    async def _put_back(self, waiting: list[tuple[Claim, Turn]], report: DispatchReport) -> None:
        """Rows holding a turn still to come: deferred to it unplanned, in one transaction."""
        if not waiting:
            return
        async with self.sessions() as session, session.begin():
            ids = [claim.row_id for claim, _ in waiting]
            found = await session.exec(select(Outbox).where(Outbox.id.in_(ids)))  # type: ignore[union-attr]
            rows = {row.id: row for row in found.all()}
            for claim, turn in waiting:
                row = rows.get(claim.row_id)
                if row is None or row.status != "sending" or row.lease_until != claim.lease:
                    continue  # this worker's lease is gone: the row is someone else's now
                self._defer(row, turn, claim.interrupted)
                if row.payload.get("surface") == "home":
                    report.homes += 1
                else:
                    report.deferred += 1

    @staticmethod
    def _defer(row: Outbox, turn: Turn, interrupted: bool) -> None:
        """Leaves the row for its turn on a rate-limited lane: no call was made, so no attempt counts."""
        row.status, row.lease_until, row.next_attempt_at = "pending", None, turn.at
        row.attempts -= 1
        # A send cut short before stays marked as such: it is still looked up before posting.
        row.last_error = f"{MAYBE_SENT if interrupted else ''}waiting for {turn.lane} (rate limited)"

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
