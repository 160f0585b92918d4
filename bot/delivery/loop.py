"""Runs the dispatcher in a server process: at once after each interaction,
and on a short poll for retries that come due."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.delivery.dispatcher import Dispatcher

log = logging.getLogger(__name__)
STOP_SECONDS = 10.0


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
        """Stops after the send in flight (cutting a send short would leave
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
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                await self.dispatcher.drain()
            except Exception:  # noqa: BLE001  (the loop must outlive a bad round)
                log.exception("delivery round failed")
