"""Runs the dispatcher: in a server process at once after each interaction and
on a short poll for retries that come due; in the worker on its ticks. Both
also run it when a row deferred for a rate-limited lane falls due, rather
than up to a poll later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.delivery.dispatcher import Dispatcher

log = logging.getLogger(__name__)
STOP_SECONDS = 10.0
# A turn this close is waited for this long instead: never a busy loop.
SHORTEST_WAIT_SECONDS = 0.01


class DeliveryLoop:
    def __init__(self, dispatcher: Dispatcher, poll_seconds: float = 2.0) -> None:
        self.dispatcher = dispatcher
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopped = False

    def kick(self) -> None:
        """Something was just written to the outbox: deliver it now."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pedir-delivery")

    async def stop(self) -> None:
        """Stops after the sends in flight (cutting a send short would leave
        it sent but unrecorded, and sent again after a restart), waiting a
        bounded time; only a send stuck past that is cancelled."""
        self._stopped = True
        self.dispatcher.stop()
        self._wake.set()
        if self._task is None:
            return
        _done, pending = await asyncio.wait({self._task}, timeout=STOP_SECONDS)
        if pending:
            log.warning("delivery still busy after %s s: cancelling it", STOP_SECONDS)
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=STOP_SECONDS)

    async def _run(self) -> None:
        while not self._stopped:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._wait_seconds())
            self._wake.clear()
            try:
                await drain_all(self.dispatcher)
            except Exception:  # noqa: BLE001  (the loop must outlive a bad round)
                log.exception("delivery round failed")

    def _wait_seconds(self) -> float:
        """Until the next poll, or sooner when a rate-limited row's turn comes before it."""
        until = seconds_to_next_turn(self.dispatcher)
        return self.poll_seconds if until is None else min(self.poll_seconds, until)


async def drain_all(dispatcher: Dispatcher, deadline: float | None = None) -> None:
    """Drains while drains send: one drain stops after a bounded number of
    batches, and a backlog (a survey to thousands) must not wait for the next
    poll or tick between them. Stops at `deadline` (time.monotonic())."""
    while (await dispatcher.drain()).sent and not dispatcher.stopping:
        if deadline is not None and time.monotonic() >= deadline:
            return


async def drain_within(dispatcher: Dispatcher, seconds: float) -> None:
    """One worker tick: drains, and drains again each time a rate-limited
    row's turn comes within `seconds`; returns by then, before the next tick."""
    deadline = time.monotonic() + seconds
    while True:
        await drain_all(dispatcher, deadline)
        until = seconds_to_next_turn(dispatcher)
        if dispatcher.stopping or until is None or time.monotonic() + until >= deadline:
            return
        await asyncio.sleep(until)


def seconds_to_next_turn(dispatcher: Dispatcher) -> float | None:
    """Seconds until a row waiting for a rate-limited lane, or the lane, is next due; None if none waits."""
    turn = dispatcher.next_turn()
    if turn is None:
        return None
    return max((turn - dispatcher.clock.now()).total_seconds(), SHORTEST_WAIT_SECONDS)
