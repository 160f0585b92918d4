"""What a send tells the logs and the metrics: one line per attempt, under the
id of the request that queued the message (bot.tracing), and its counts
(bot.observe). The line is INFO for a message a request queued, DEBUG for
scheduled work's. Never the message's text: only ids, the platform and the
exception's class."""

from __future__ import annotations

import logging

from bot import tracing
from bot.delivery.channel import DeliveryFailed, DeliveryRetry, Unreachable
from bot.delivery.routing import Plan
from bot.observe import observer

log = logging.getLogger(__name__)


def report_sent(row_id: int, plan: Plan, trace: tracing.Trace | None, home: bool) -> None:
    assert plan.channel is not None
    platform = plan.channel.platform
    log.log(_level(trace), "outbox %s delivered via %s (%s)", row_id, platform, plan.kind)
    observer().delivered(platform, "sent")
    seconds = tracing.seconds_since_received(trace)
    if seconds is not None and not home:  # a home page waits out its debounce: not the command's latency
        observer().end_to_end(seconds)


def report_refused(row_id: int, plan: Plan, exc: Exception, trace: tracing.Trace | None) -> None:
    assert plan.channel is not None
    result = refusal_kind(exc)
    # Rate limits are many in a fan-out and counted in the metrics: DEBUG.
    log.log(logging.DEBUG if result == "rate_limited" else _level(trace), "outbox %s not delivered via %s: %s (%s)",
            row_id, plan.channel.platform, result, exc.__class__.__name__)
    observer().delivered(plan.channel.platform, result)


def refusal_kind(exc: Exception) -> str:
    """How a send failed, as the deliveries metric counts it: rate_limited,
    retry, unreachable, failed, or error (anything unexpected)."""
    if isinstance(exc, DeliveryRetry):
        return "rate_limited" if exc.lane is not None and exc.retry_after is not None else "retry"
    if isinstance(exc, Unreachable):
        return "unreachable"
    if isinstance(exc, DeliveryFailed):
        return "failed"
    return "error"


def _level(trace: tracing.Trace | None) -> int:
    """INFO for a message a request queued (its line ties the delivery to the
    request's id); DEBUG for what scheduled jobs queue, which a pulse round
    does by the thousand: its progress is in the metrics, not a line each."""
    return logging.INFO if trace is not None else logging.DEBUG
