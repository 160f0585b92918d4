"""`eventually`: the one way a test waits for something to have happened.

Servers under test answer first and work after (Bolt acks, then runs the
listener; the outbox delivers in the background), so a test polls for the
effect instead of sleeping a fixed time: fast when it is quick, patient when
the machine is loaded, and a clear message when it never happens.

A fixed sleep is only right for proving that something did NOT happen; say so
in a comment where one is used.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.01


async def eventually(condition: Callable[[], T | Awaitable[T]], what: str | Callable[[], str] = "the condition",
                     *, timeout: float = 5.0, interval: float = POLL_SECONDS) -> T:
    """Calls ``condition`` (plain or async) until it returns something truthy; returns that.

    Raises AssertionError naming ``what`` after ``timeout`` seconds; ``what`` may be a
    callable, evaluated only then (to show, say, every call a stand-in received).
    The condition is always checked once more after the deadline has passed, so a
    slow poll never turns a success into a timeout.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        late = loop.time() >= deadline
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if late:
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout}s waiting for {described}")
        await asyncio.sleep(interval)
