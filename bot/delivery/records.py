"""Writing down what became of claimed rows: in few transactions, and only
while this worker's lease on each row still holds.

Sends happen outside any transaction; their outcomes wait here and are
written together, at the end of a batch, before the next plan reads the
outbox, or once the oldest has waited FLUSH_SECONDS. A row whose lease was
taken over meanwhile (this worker was too slow) is left to the worker that
holds it now: that one looks the send up before posting again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.delivery import reach
from bot.delivery.channel import MAYBE_SENT, Channel, DeliveryFailed, DeliveryRetry, Unreachable
from bot.delivery.claims import Claim, held, leased
from bot.delivery.lanes import Turn
from bot.delivery.report import DispatchReport
from bot.delivery.routing import Plan
from storage.models import CardPlacement, Outbox, UTCDateTime
from storage.upsert import upsert_rows

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
# Outcomes wait at most this long to be written (real time): well inside a lease.
FLUSH_SECONDS = 1.0

SENT, FAILED, DEFERRED, RELEASED = "sent", "failed", "deferred", "released"

_OUTBOX = Outbox.__table__  # type: ignore[attr-defined]
# A send recorded without reading its row back; the lease is checked again here.
RECORD_SENT = (
    _OUTBOX.update()
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == "sending",
           _OUTBOX.c.lease_until == bindparam("lease", type_=UTCDateTime()))
    .values(status="sent", lease_until=None, sent_at=bindparam("at", type_=UTCDateTime()),
            platform=bindparam("platform_"), address=bindparam("address_"), external_id=bindparam("sent_id"))
)


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter, so a storm of retries spreads out."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return ceiling * (0.5 + random.random() / 2)


@dataclass
class Outcome:
    """What became of one claimed row, to be written."""

    kind: str  # SENT, FAILED, DEFERRED or RELEASED
    claim: Claim
    home: bool
    report: DispatchReport  # its batch's
    at: datetime
    plan: Plan | None = None
    sent_id: str = ""
    error: Exception | None = None
    turn: Turn | None = None  # FAILED: its first turn once the lane rests; DEFERRED: its turn


class Records:
    def __init__(self, sessions, channels: list[Channel], clock: Clock, give_up_after: timedelta) -> None:  # noqa: ANN001
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.give_up_after = give_up_after
        self._waiting: list[Outcome] = []
        self._since: float | None = None  # when the oldest waiting outcome came (monotonic)
        # Taken before a connection, never after: with SQLite's one pooled
        # connection the other order could deadlock against a flush.
        self._lock = asyncio.Lock()

    def add(self, outcome: Outcome) -> None:
        if not self._waiting:
            self._since = time.monotonic()
        self._waiting.append(outcome)

    def due(self) -> bool:
        return self._since is not None and time.monotonic() - self._since >= FLUSH_SECONDS

    async def flush(self) -> None:
        if self._waiting:
            async with self.transaction():
                pass

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction that first writes every outcome waiting, then is the caller's."""
        async with self._lock:
            waiting, self._waiting, self._since = self._waiting, [], None
            try:
                async with self.sessions() as session, session.begin():
                    await self._write(session, waiting)
                    yield session
            except BaseException:
                # Rolled back: written with the next transaction instead.
                if waiting:
                    self._waiting[:0] = waiting
                    self._since = self._since or time.monotonic()
                raise

    async def _write(self, session: AsyncSession, outcomes: Sequence[Outcome]) -> None:
        sent = [outcome for outcome in outcomes if outcome.kind == SENT]
        if sent:
            await self._sent(session, sent, await held(session, (outcome.claim for outcome in sent)))
        others = [outcome for outcome in outcomes if outcome.kind != SENT]
        rows = await leased(session, (outcome.claim for outcome in others))
        for outcome in sorted(others, key=lambda o: o.claim.row_id):
            row = rows.get(outcome.claim.row_id)
            if row is None:
                _lost(outcome)
                continue
            if outcome.kind == FAILED:
                assert outcome.error is not None
                await self.settle(session, row, outcome.error, outcome.report, outcome.home, outcome.at, outcome.turn)
            elif outcome.kind == DEFERRED:
                assert outcome.turn is not None
                defer(row, outcome.turn, outcome.claim.interrupted)
                outcome.report.count("deferred", outcome.home)
            else:
                release(row)

    async def _sent(self, session: AsyncSession, outcomes: list[Outcome], ours: set[int]) -> None:
        """Records the sends whose rows are still this worker's: one statement for all."""
        values, placements = [], []
        for outcome in outcomes:
            plan = outcome.plan
            assert plan is not None and plan.channel is not None
            if outcome.claim.row_id not in ours:
                _lost(outcome)
                continue
            values.append(dict(row_id=outcome.claim.row_id, lease=outcome.claim.lease, at=outcome.at,
                               platform_=plan.channel.platform, address_=plan.address, sent_id=outcome.sent_id))
            if plan.card_key and not plan.home:
                placements.append(dict(card_key=plan.card_key, platform=plan.channel.platform, address=plan.address,
                                       external_id=outcome.sent_id, updated_at=outcome.at))
            outcome.report.count("sent", outcome.home)
        # Where each card now lives: one statement for the batch, in send order, so a
        # card sent twice in it keeps where it was sent last.
        await upsert_rows(session, CardPlacement, ["card_key", "platform", "address"], placements)
        if values:
            await (await session.connection()).execute(RECORD_SENT, values)

    async def settle(self, session: AsyncSession, row: Outbox, exc: Exception, report: DispatchReport, home: bool,
                     now: datetime, turn: Turn | None = None) -> None:
        """Sorts a failure: retry later, or record why it cannot be delivered. `turn`:
        the row's first turn on the lane that refused it, once that lane has rested."""
        row.lease_until = None
        if isinstance(exc, DeliveryRetry):
            self._retry(row, exc.reason, exc.retry_after, report, home, now)
            if turn is not None and row.status == "pending":  # first in line once the lane has rested
                row.next_attempt_at = turn.at
        elif isinstance(exc, Unreachable):
            row.status, row.last_error = "unreachable", str(exc)[:500]
            report.count("unreachable", home)
            # A message that cannot reach its team is told to people, in the same transaction.
            await reach.undelivered(session, row, self.channels, now)
        elif isinstance(exc, DeliveryFailed):
            row.status, row.last_error = "failed", str(exc)[:500]
            report.count("failed", home)
            log.warning("outbox %s failed: %s", row.id, exc)
        else:
            # Unknown errors are retried, never lost. Only the class is logged:
            # an exception's text may quote the message being delivered.
            log.error("outbox %s: unexpected delivery error %s", row.id, exc.__class__.__name__)
            self._retry(row, exc.__class__.__name__, None, report, home, now)

    def _retry(self, row: Outbox, reason: str, retry_after: float | None, report: DispatchReport, home: bool,
               now: datetime) -> None:
        row.last_error = reason[:500]
        if row.created_at and now - row.created_at > self.give_up_after:
            row.status = "failed"
            report.count("failed", home)
            return
        delay = retry_after if retry_after is not None else backoff_seconds(row.attempts)
        row.status = "pending"
        row.next_attempt_at = now + timedelta(seconds=delay)
        report.count("retried", home)


def _lost(outcome: Outcome) -> None:
    log.warning("outbox %s: lease lost before its outcome (%s) was written; left to its new holder",
                outcome.claim.row_id, outcome.kind)


def finish(row: Outbox, outcome: str, report: DispatchReport, home: bool) -> None:
    """Nothing to send: a newer version supersedes it, or nobody renders the page."""
    row.status, row.lease_until = outcome, None
    report.count(outcome, home)


def defer(row: Outbox, turn: Turn, interrupted: bool) -> None:
    """Leaves the row for its turn on a rate-limited lane: no call was made, so no attempt counts."""
    row.status, row.lease_until, row.next_attempt_at = "pending", None, turn.at
    row.attempts -= 1
    # A send cut short before stays marked as such: it is still looked up before posting.
    row.last_error = f"{MAYBE_SENT if interrupted else ''}waiting for {turn.lane} (rate limited)"


def release(row: Outbox) -> None:
    """Gives back a row claimed but not attempted, as if never claimed."""
    row.status, row.lease_until, row.attempts = "pending", None, max(row.attempts - 1, 0)
