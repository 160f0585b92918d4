"""The console's stand-in for `pedir worker`: there is no scheduler beside a
terminal, so the jobs the domains declare run when the console's time moves
(start-up, `:espera`, and every 30 s of its clock otherwise), and what they
send is shown at once, as the worker would have delivered it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app import Pedir
from bot.delivery.dispatcher import DispatchReport

log = logging.getLogger(__name__)
# What one job sends may make more work due (a reminder, then its escalation):
# rounds go on while a round delivered something, up to this many.
ROUNDS = 5
# The worker runs jobs about this often: the console never runs them more often than that, in its own time.
EVERY = timedelta(seconds=30)


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
