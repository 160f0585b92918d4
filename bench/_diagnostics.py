"""What a benchmark prints with --verbose to show where time went: the event
loop's stalls, the jobs' ticks, and when the platform refused calls."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

STALL_SECONDS = 0.03  # a wait this much longer than asked for is a stall
PROBE_SECONDS = 0.01


class LoopLag:
    """Sleeps a little, over and over, and keeps how late each wake-up was."""

    def __init__(self) -> None:
        self.lags: list[float] = []

    async def _watch(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(PROBE_SECONDS)
            self.lags.append(time.monotonic() - before - PROBE_SECONDS)

    @asynccontextmanager
    async def watching(self) -> AsyncIterator[LoopLag]:
        task = asyncio.create_task(self._watch())
        try:
            yield self
        finally:
            task.cancel()

    def __str__(self) -> str:
        stalls = [lag for lag in self.lags if lag > STALL_SECONDS]
        return (f"event loop: {len(stalls)} stalls over {STALL_SECONDS * 1000:.0f} ms, {sum(stalls):.1f} s in all, "
                f"the longest {max(self.lags, default=0) * 1000:.0f} ms")


class TickLog:
    """Each job tick: when it began (from `started`) and how long it took."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.ticks: list[str] = []

    def add(self, name: str, began: float) -> None:
        self.ticks.append(f"{name}@{began - self.started:.1f}s+{(time.monotonic() - began) * 1000:.0f}ms")

    def __str__(self) -> str:
        return "job ticks: " + " ".join(self.ticks)


def refusal_bursts(refused_at: list[float], started: float) -> str:
    """The refused calls grouped into bursts (a tenth of a second apart at most):
    seconds from `started`, and how many calls each refused."""
    bursts: list[list[float]] = []
    for at in sorted(refused_at):
        if bursts and at - bursts[-1][-1] <= 0.1:
            bursts[-1].append(at)
        else:
            bursts.append([at])
    return "429s at (s: calls): " + (" ".join(f"{burst[0] - started:.1f}: {len(burst)}" for burst in bursts) or "none")
