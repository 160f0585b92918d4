"""A rate limit as Slack applies one: so many calls in a window (a second, a
minute for the Tier 3 methods), then 429 with Retry-After.

The stand-ins use it to limit one method (on one channel, on each channel,
or across all of them) in real time, and count what they accepted and
refused, for tests and benchmarks.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 1.0


class RateWindow:
    """Accepts at most `limit` calls in any `seconds`; refused calls are not counted against it."""

    def __init__(self, limit: int, monotonic: Callable[[], float] = time.monotonic,
                 seconds: float = WINDOW_SECONDS) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.seconds = seconds
        self.accepted = 0
        self.refused = 0
        self._monotonic = monotonic
        self._recent: deque[float] = deque()  # when the calls of the last window were accepted

    @property
    def per_second(self) -> float:
        return self.limit / self.seconds

    def admit(self) -> int | None:
        """None when the call is accepted; otherwise its Retry-After, whole seconds as Slack sends it."""
        retry_after = self.refusal()
        if retry_after is None:
            self.take()
        else:
            self.refused += 1
        return retry_after

    def refusal(self) -> int | None:
        """What `admit` would answer, counting nothing: a call passes only if every
        limit on it lets it through, and only then is it counted against each."""
        now = self._monotonic()
        while self._recent and self._recent[0] <= now - self.seconds:
            self._recent.popleft()
        if len(self._recent) < self.limit:
            return None
        return max(1, math.ceil(self._recent[0] + self.seconds - now))

    def take(self) -> None:
        self._recent.append(self._monotonic())
        self.accepted += 1


class PerChannel:
    """The same limit on every channel, each counted apart (Slack's chat.postMessage:
    about one message a second in any one channel)."""

    def __init__(self, limit: int, monotonic: Callable[[], float] = time.monotonic,
                 seconds: float = WINDOW_SECONDS) -> None:
        self.limit, self.seconds, self._monotonic = limit, seconds, monotonic
        self.windows: dict[str, RateWindow] = {}

    def window(self, channel: str) -> RateWindow:
        if channel not in self.windows:
            self.windows[channel] = RateWindow(self.limit, self._monotonic, self.seconds)
        return self.windows[channel]

    @property
    def accepted(self) -> int:
        return sum(window.accepted for window in self.windows.values())

    @property
    def refused(self) -> int:
        return sum(window.refused for window in self.windows.values())
