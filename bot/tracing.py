"""Which inbound request a piece of work belongs to: its id, and when it came in.

An adapter begins a trace when a request arrives (adapters/web/observability.py).
Everything done for that request carries it: its log lines (adapters/logs.py)
and the outbox rows it writes (bot.delivery.outbox), because a context
variable follows every await and every task started from there. The
dispatcher takes a row's trace up again while it sends that row, so the
delivery's log lines carry the id of the command that caused it, and the
time from the command to its delivery can be measured.

`received_at` is the wall clock (UTC), not the domain's injected clock: it
measures latency, and nothing in the domain reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime

# The longest request id kept (the outbox column's size).
ID_LENGTH = 64


@dataclass(frozen=True)
class Trace:
    request_id: str
    received_at: datetime | None = None  # wall clock, UTC


_CURRENT: ContextVar[Trace | None] = ContextVar("pedir_trace", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def current() -> Trace | None:
    return _CURRENT.get()


def begin(request_id: str | None = None, received_at: datetime | None = None) -> Token:
    """Starts a trace for the work that follows in this context; `end` with the token."""
    trace = Trace((request_id or new_id())[:ID_LENGTH], received_at or datetime.now(UTC))
    return _CURRENT.set(trace)


def end(token: Token) -> None:
    _CURRENT.reset(token)


@contextmanager
def resumed(trace: Trace | None) -> Iterator[None]:
    """A stored row's trace, for as long as the block runs (no trace when it has none)."""
    token = _CURRENT.set(trace)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def seconds_since_received(trace: Trace | None) -> float | None:
    """Wall-clock seconds since the traced request came in; None without one."""
    if trace is None or trace.received_at is None:
        return None
    return (datetime.now(UTC) - trace.received_at).total_seconds()
