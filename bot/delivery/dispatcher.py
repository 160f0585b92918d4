"""Delivers outbox rows through the channels, concurrently, with retries, and never drops one.

A round claims a batch under a lease (bot.delivery.claims), plans every row
in one transaction (which channel, where, as what: bot.delivery.routing), and
sends: rows that must keep their order (one recipient, one card) one after
another, the others side by side, up to `concurrency` at once
(bot.delivery.chains). Sends happen outside any transaction: a slow platform
never holds a database lock, which on SQLite would stall every other writer.
Their outcomes are written together (bot.delivery.records), each only while
this worker's lease on the row still holds. Sends time out at half the lease,
and none starts that its lease could not outlast, so a live worker never has
its row taken from under it. A send that may have gone out (its lease
expired, or it timed out) is looked up on the platform before it is posted
again, where the channel can do that (channel.Traceable).

A rate limit (429 with Retry-After) holds back only the lane it names
(bot.delivery.lanes): until the lane's Retry-After, and then at the pace it
showed. A row whose turn on such a lane is near waits for it in memory, when
the clock can be waited on; otherwise it is deferred to its turn in the
outbox, without a call and without counting an attempt, while rows on other
lanes are sent as usual.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import tracing
from bot.clock import Clock, waiter
from bot.delivery.chains import Chain, Sequencer, group, row_keys
from bot.delivery.channel import Channel, DeliveryRetry, HomeRenderer
from bot.delivery.claims import Claim, claim, leased
from bot.delivery.lanes import Lane, LaneSchedule, Turn
from bot.delivery.outbox import THREAD_KEY
from bot.delivery.prefetch import Prefetched, prefetch
from bot.delivery.records import (  # noqa: F401  (the backoff is read here by tests and tools)
    BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, DEFERRED, FAILED, RELEASED, SENT, Outcome, Records, backoff_seconds,
    defer, finish,
)
from bot.delivery.report import DispatchReport
from bot.delivery.routing import ParentPending, Plan, plan_delivery
from bot.delivery.sending import send_within
from bot.delivery.telemetry import report_refused, report_sent
from bot.observe import observer
from storage.models import Outbox

# Sends in flight at once: enough to keep up with Slack's workspace-wide cap
# on chat.postMessage at tens of milliseconds a call.
DEFAULT_CONCURRENCY = 32
# How long a chain may wait in memory, in all, for its turns on rate-limited
# lanes; past that its rows wait for their turns in the outbox, and the batch
# ends without them.
HOLD = timedelta(seconds=5)
LATE = object()  # planned when its chain reaches it: an earlier row may change its plan


@dataclass
class _Budget:
    left: timedelta  # what the chain may still wait in memory
    # A row of the chain failed and waits for a retry: the rows after it go
    # back to the outbox unsent, to follow it in order (see claims.claim).
    broken: bool = False


@dataclass
class Job:
    """A claimed row to send, and where its outcome is counted."""

    claim: Claim
    home: bool
    report: DispatchReport
    hold: _Budget  # shared by its chain
    plan: Plan | None = None  # None: planned when its chain reaches it
    trace: tracing.Trace | None = None  # the request that queued it (bot.tracing)


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
        concurrency: int = DEFAULT_CONCURRENCY,
        hold: timedelta = HOLD,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.batch = batch
        self.lease = lease
        # Without one, home-page refreshes are skipped (the console, most tests).
        self.render_home = render_home
        # A send must end well inside its lease, or another worker would take
        # the row while it is still in flight and deliver it twice.
        self.send_timeout = send_timeout if send_timeout is not None else lease.total_seconds() / 2
        if self.send_timeout >= lease.total_seconds():
            raise ValueError("send_timeout must be shorter than the lease")
        self.hold = hold
        self.stopping = False
        self._stopped = asyncio.Event()
        self._sleep_until = waiter(clock)  # None: a test's clock, rows wait in the outbox instead
        self.schedule = LaneSchedule()  # turns on rate-limited lanes, in this process's memory
        self.sequencer = Sequencer(concurrency)
        self._probes: dict[Lane, asyncio.Future] = {}  # lanes being tried out by a first call
        self.records = Records(sessions, channels, clock, give_up_after)

    def stop(self) -> None:
        """Finish the sends in flight, then stop: the rest of a claimed batch
        goes back to the queue at once, for the next process to deliver."""
        self.stopping = True
        self._stopped.set()

    async def run_once(self) -> DispatchReport:
        """One batch, claimed and delivered to its end."""
        report = DispatchReport()
        claims = [] if self.stopping else await self._claim()
        await self._deliver(claims, report)
        return report

    async def drain(self, max_rounds: int = 100) -> DispatchReport:
        """Delivers until nothing is due now (what waits for a retry stays). The
        next batch is claimed as soon as this one needs no free slot any more,
        so sends never wait for a batch's slowest one."""
        total = DispatchReport()
        running: set[asyncio.Task] = set()
        try:
            for _ in range(max_rounds):
                if self.stopping:
                    break
                claims = await self._claim()
                if not claims:
                    if not running:
                        break
                    # What the running batches write may be due at once (a notice to a team's lead).
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        total.add(task.result())
                    continue
                report, under_way = DispatchReport(), asyncio.Event()
                batch = asyncio.create_task(self._deliver(claims, report, under_way), name="pedir-delivery-batch")
                running.add(batch)
                waiting = asyncio.create_task(under_way.wait())
                await asyncio.wait({batch, waiting}, return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                for task in [task for task in running if task.done()]:
                    running.discard(task)
                    total.add(task.result())
        finally:
            for report in await asyncio.gather(*running):
                total.add(report)
        return total

    def next_turn(self) -> datetime | None:
        """When the next row deferred for a rate-limited lane falls due."""
        return self.schedule.next_turn(self.clock.now())

    async def _claim(self) -> list[Claim]:
        async with self.sessions() as session:
            return await claim(session, self.clock.now(), self.lease, self.batch)

    async def _deliver(self, claims: list[Claim], report: DispatchReport,
                       under_way: asyncio.Event | None = None) -> DispatchReport:
        try:
            chains = await self._plan(claims, report)
            await self.sequencer.run(chains, self._step, under_way)
        finally:
            if under_way is not None:
                under_way.set()
            await self.records.flush()
        return report

    # ------------------------------------------------------------ planning

    async def _plan(self, claims: list[Claim], report: DispatchReport) -> list[Chain[Job]]:
        """Plans the batch in one transaction, which first writes what earlier
        sends came to; rows with nothing to send are settled in it."""
        if not claims:
            return []
        async with self.records.transaction() as session:
            now = self.clock.now()
            rows = await leased(session, claims)
            live = [(c, rows[c.row_id]) for c in claims if c.row_id in rows]
            known = await prefetch(session, [row for _, row in live])
            chains = []
            for chain in group(live, lambda pair: row_keys(pair[1])):
                # A chain of an earlier batch shares its recipient or card and is still
                # running: what it sends may change these plans, so they are made after.
                late = self.sequencer.busy(chain.keys)
                jobs, budget, cards = [], _Budget(self.hold), set()
                for row_claim, row in chain.items:
                    home = row.payload.get("surface") == "home"
                    turn = self.schedule.waiting(row_claim.row_id, now)
                    if turn is not None:  # its turn is still to come: back unplanned
                        defer(row, turn, row_claim.interrupted)
                        report.count("deferred", home)
                        continue
                    job = Job(row_claim, home, report, budget,
                              trace=tracing.Trace(row.request_id, row.received_at) if row.request_id else None)
                    if not late:
                        # Rendering a row is work without a wait: between rows the
                        # loop lets through the sends whose turns have come.
                        await asyncio.sleep(0)
                        plan = await self._plan_row(session, row, report, home, cards, known)
                        if plan is None:
                            continue
                        job.plan = None if plan is LATE else plan  # type: ignore[assignment]
                    if row.card_key:
                        cards.add(row.card_key)
                    jobs.append(job)
                if jobs:
                    chains.append(Chain(chain.keys, jobs))
        return chains

    async def _plan_row(self, session: AsyncSession, row: Outbox, report: DispatchReport, home: bool,
                        cards: set[str] | None = None, known: Prefetched | None = None) -> Plan | object | None:
        """The row's plan; None when it was settled instead (nothing to send, or a
        failure); LATE for a thread reply whose card goes out earlier in its chain."""
        now = self.clock.now()
        try:
            plan = await plan_delivery(session, row, self.channels, now, self.render_home, known)
        except Exception as exc:  # noqa: BLE001  (sorted by settle)
            if isinstance(exc, ParentPending) and cards and row.payload.get(THREAD_KEY) in cards:
                return LATE
            await self.records.settle(session, row, exc, report, home, now)
            return None
        if plan is None or plan.outcome:
            finish(row, plan.outcome if plan else "superseded", report, home)
            return None
        return plan

    async def _plan_late(self, job: Job) -> Plan | None:
        # Its transaction first writes what the chain's earlier rows came to.
        async with self.records.transaction() as session:
            row = (await leased(session, [job.claim])).get(job.claim.row_id)
            if row is None:
                return None
            plan = await self._plan_row(session, row, job.report, job.home)
        return plan if isinstance(plan, Plan) else None

    # ------------------------------------------------------------- sending

    async def _step(self, job: Job) -> None:
        """Sends one row of a chain (its outcome waits in self.records), its
        log lines under the trace of the request that queued it."""
        with tracing.resumed(job.trace):
            await self._traced_step(job)

    async def _traced_step(self, job: Job) -> None:
        if self.stopping or job.hold.broken:
            self._note(RELEASED, job)
            return
        plan = job.plan or await self._plan_late(job)
        if plan is None:
            return
        assert plan.channel is not None
        lanes = plan.channel.lanes(plan.kind, plan.address)
        probe = await self._probe(lanes)
        try:
            if self.stopping:  # while it waited for a first call on its lanes
                self._note(RELEASED, job)
                return
            admitted = await self._admitted(job, lanes)
            if admitted is None:
                return
            try:
                sent_id = await send_within(plan, job.claim.row_id, job.claim.interrupted, self.send_timeout)
            except Exception as exc:  # noqa: BLE001  (sorted when written)
                report_refused(job.claim.row_id, plan, exc, job.trace)
                self._note(FAILED, job, error=exc, turn=self._refusal(exc, job.claim.row_id, lanes, admitted))
            else:
                self.schedule.accepted(lanes, admitted)
                report_sent(job.claim.row_id, plan, job.trace, job.home)
                self._note(SENT, job, plan=plan, sent_id=sent_id)
        finally:
            self._probed(probe)
        if self.records.due():
            await self.records.flush()

    async def _probe(self, lanes: tuple[Lane, ...]) -> tuple[tuple[Lane, ...], asyncio.Future]:
        """A lane nothing is known of takes one call first: were it refused, the
        rows behind would wait their turn instead of being found in flight.
        Returns the lanes this call tries out, and what tells the others it ended."""
        while pending := {self._probes[lane] for lane in lanes if lane in self._probes}:
            await asyncio.wait(pending)
        ended = asyncio.get_running_loop().create_future()
        trying = tuple(lane for lane in lanes if self.schedule.untried(lane))
        for lane in trying:
            self._probes[lane] = ended
        return trying, ended

    def _probed(self, probe: tuple[tuple[Lane, ...], asyncio.Future]) -> None:
        trying, ended = probe
        for lane in trying:
            if self._probes.get(lane) is ended:
                del self._probes[lane]
        ended.set_result(None)

    async def _admitted(self, job: Job, lanes: tuple[Lane, ...]) -> datetime | None:
        """When the row was let through its lanes; None if it was deferred or given back."""
        while True:
            now = self.clock.now()
            if now + timedelta(seconds=self.send_timeout) >= job.claim.lease:
                self._note(RELEASED, job)  # a send now could outlast the lease: another worker's turn
                return None
            turn = self.schedule.admit(job.claim.row_id, lanes, now)
            if turn is None:
                return now
            wait = turn.at - now
            if (self._sleep_until is None or wait > job.hold.left
                    or turn.at + timedelta(seconds=self.send_timeout) >= job.claim.lease):
                self._note(DEFERRED, job, turn=turn)
                return None
            job.hold.left -= wait
            if not await self._wait_until(turn.at):
                self._note(DEFERRED, job, turn=turn)
                return None

    async def _wait_until(self, at: datetime) -> bool:
        """Waits for `at` on the clock; False if the dispatcher was stopped meanwhile."""
        assert self._sleep_until is not None
        sleeping = asyncio.ensure_future(self._sleep_until(at))
        stopped = asyncio.ensure_future(self._stopped.wait())
        await asyncio.wait({sleeping, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (sleeping, stopped):
            task.cancel()
        return not self.stopping

    def _refusal(self, exc: Exception, row_id: int, lanes: tuple[Lane, ...], admitted: datetime) -> Turn | None:
        """A 429 on a lane: the lane rests, and the row gets the first turn after."""
        if not isinstance(exc, DeliveryRetry) or exc.lane is None or exc.retry_after is None:
            return None
        observer().rate_limited(exc.lane.platform, exc.lane.method)
        return self.schedule.refused(exc.lane, exc.retry_after, self.clock.now(), row_id, lanes=lanes,
                                     wider=exc.wider, admitted=admitted)

    def _note(self, kind: str, job: Job, **fields) -> None:  # noqa: ANN003
        if kind == FAILED and fields.get("turn") is None:
            # Retried after a backoff (a 5xx, a timeout), not on its lane's next turn
            # (which would hold the rows behind it anyway): the rest of its chain goes
            # back to the outbox, to follow it in order.
            job.hold.broken = True
        self.records.add(Outcome(kind, job.claim, job.home, job.report, self.clock.now(), **fields))
