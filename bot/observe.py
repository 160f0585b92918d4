"""What the domain reports for monitoring, without knowing who listens.

The domain calls `observer()` at the moments worth counting (a delivery and
its result, a rate limit, a nudge sent, the time from a command to its
delivery); an adapter installs an observer that turns them into metrics
(adapters/metrics.py, Prometheus). By default nothing listens, and nothing
is counted: the console and most tests run without one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession


class Observer:
    """Every report, ignored; an installed observer overrides what it counts."""

    def delivered(self, platform: str, result: str) -> None:
        """One call to a platform to deliver a message: `result` is sent,
        rate_limited, retry, failed, unreachable or error."""

    def end_to_end(self, seconds: float) -> None:
        """A message delivered `seconds` after the command that caused it came in."""

    def rate_limited(self, platform: str, method: str) -> None:
        """The platform answered 429 (or its equivalent) to this API method."""

    def nudge_sent(self, kind: str) -> None:
        """A reminder or escalation of this kind was delivered."""

    def tick(self, job: str, seconds: float) -> None:
        """A scheduled tick (a job's run, a delivery round) took this long."""


_OBSERVER: list[Observer] = [Observer()]


def observer() -> Observer:
    return _OBSERVER[0]


def install(new: Observer) -> Observer:
    """Makes `new` the observer; returns the one it replaces (to put back)."""
    old, _OBSERVER[0] = _OBSERVER[0], new
    return old


def after_commit(session: AsyncSession, report: Callable[[], None]) -> None:
    """Reports once the session's transaction commits: a rolled-back change is never counted."""
    event.listen(session.sync_session, "after_commit", lambda _session: report(), once=True)
