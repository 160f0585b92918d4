"""Admission: at most so many webhook requests are worked on at once.

Every webhook does its work before it answers (the answer means "stored").
Under a burst, requests beyond the limit wait their turn, in order; one that
cannot start within the deadline is answered 503 with nothing stored, which
Slack and the Bot Framework report or retry. So under overload latency rises
to the deadline and no further, memory holds at most what arrives within it,
and nobody is told "done" for work that was never done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Slack gives up after 3 s: a request must start its work well before that.
START_DEADLINE_SECONDS = 2.0
CONCURRENT_REQUESTS = 8


class Admission:
    def __init__(self, limit: int = CONCURRENT_REQUESTS, deadline: float = START_DEADLINE_SECONDS) -> None:
        self._slots = asyncio.Semaphore(limit)
        self.deadline = deadline
        self.refused = 0
        self.closed = False

    def guard(self, handler: Handler) -> Handler:
        async def admitted(request: web.Request) -> web.StreamResponse:
            if self.closed:
                return self._refuse("shutting down")
            try:
                await asyncio.wait_for(self._slots.acquire(), self.deadline)
            except TimeoutError:
                return self._refuse("overloaded")
            try:
                return await handler(request)
            finally:
                self._slots.release()

        return admitted

    def _refuse(self, why: str) -> web.Response:
        self.refused += 1
        if self.refused in (1, 10, 100) or self.refused % 1000 == 0:
            log.warning("webhook refused (%s): %d so far", why, self.refused)
        return web.json_response({"ok": False, "error": why}, status=503, headers={"Retry-After": "1"})
