"""The console's stand-in for `pedir worker`: there is no scheduler beside a
terminal, so the jobs the domains declare run when the console's time moves
(start-up, `:espera`, and every 30 s of its clock otherwise), and what they
send is shown at once, as the worker would have delivered it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.delivery.dispatcher import DispatchReport

log = logging.getLogger(__name__)
# What one job sends may make more work due (a reminder, then its escalation):
# rounds go on while a round delivered something, up to this many.
ROUNDS = 5
# The worker runs jobs about this often: the console never runs them more often than that, in its own time.
EVERY = timedelta(seconds=30)
# `:espera` stops at most this many times on its way (each a moment something fell due).
MAX_STOPS = 200


async def run_due(pedir: Pedir, deliver: Callable[[], Awaitable[DispatchReport]], rounds: int = ROUNDS) -> int:
    """Runs every job of `pedir`'s registry at its clock's now, then delivers;
    again while that delivered something. Returns how many messages went out."""
    delivered = 0
    for _ in range(rounds):
        for job in pedir.registry.jobs:
            try:
                await pedir.run_job(job)  # each item in its own transaction, failures logged
            except Exception:  # noqa: BLE001  (a job whose `due` fails must not end the console)
                log.exception("job %s failed", job.name)
        report = await deliver()
        delivered += report.handled
        if not report.handled:
            break
    return delivered


async def pass_time(
    pedir: Pedir, clock: ShiftedClock, target: datetime, deliver: Callable[[], Awaitable[DispatchReport]],
) -> int:
    """Moves the clock to `target`, stopping at every moment a job said work
    falls due on the way and running the jobs there: a reminder at 75 % shows
    before the escalation at 100 %, as with a worker ticking all along."""
    delivered = 0
    for _ in range(MAX_STOPS):
        moment = await _next_moment(pedir)
        if moment is None or moment > target or moment <= clock.now():
            break  # nothing more on the way (or only work the jobs could not do: a failing item)
        clock.advance(moment - clock.now())
        delivered += await run_due(pedir, deliver)
    clock.advance(max(target - clock.now(), timedelta()))
    return delivered + await run_due(pedir, deliver)


async def _next_moment(pedir: Pedir) -> datetime | None:
    moments = []
    async with pedir.sessions() as session:
        for job in pedir.registry.jobs:
            if job.next_at is not None and (moment := await job.next_at(session)) is not None:
                moments.append(moment)
    return min(moments, default=None)
