"""Injected time: services ask a clock, tests move it.

A clock that moves by itself can also be waited on (`sleep_until`); one that
moves only when a test says so cannot, and whoever would wait on it leaves
the work for later instead (see `waiter`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


def waiter(clock: Clock) -> Callable[[datetime], Awaitable[None]] | None:
    """How to wait until a moment on this clock, or None if it does not move by itself."""
    return getattr(clock, "sleep_until", None)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep_until(self, at: datetime) -> None:
        await asyncio.sleep(max((at - self.now()).total_seconds(), 0.0))


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(timezone.utc)

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


class ShiftedClock:
    """Another clock moved forward on demand: the console's ':espera 2h'."""

    def __init__(self, base: Clock) -> None:
        self.base = base
        self.offset = timedelta()

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
