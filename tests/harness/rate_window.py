"""A rate limit as Slack applies one: so many calls a second, then 429 with Retry-After.

The stand-ins use it to limit one method (or one method on one channel) in
real time, and count what they accepted and refused, for tests and benchmarks.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 1.0


class RateWindow:
    """Accepts at most `per_second` calls in any one second; refused calls are not counted against it."""

    def __init__(self, per_second: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self.accepted = 0
        self.refused = 0
        self._monotonic = monotonic
        self._recent: deque[float] = deque()  # when the calls of the last second were accepted

    def admit(self) -> int | None:
        """None when the call is accepted; otherwise its Retry-After, whole seconds as Slack sends it."""
        now = self._monotonic()
        while self._recent and self._recent[0] <= now - WINDOW_SECONDS:
            self._recent.popleft()
        if len(self._recent) < self.per_second:
            self._recent.append(now)
            self.accepted += 1
            return None
        self.refused += 1
        return max(1, math.ceil(self._recent[0] + WINDOW_SECONDS - now))
