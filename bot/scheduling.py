"""Running a domain's scheduled job: ask what is due, then handle each item
in a transaction of its own, so one failing item never stops the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.commands.registry import Job
from bot.context import Ctx

log = logging.getLogger(__name__)


@dataclass
class JobReport:
    job: str
    done: int = 0
    failed: int = 0


async def run(job: Job, sessions, make_ctx: Callable[..., Ctx], now: datetime) -> JobReport:  # noqa: ANN001
    """One run of `job` at `now`; `make_ctx(session, now)` builds each item's context."""
    async with sessions() as session:
        items = list(await job.due(session, now))
    report = JobReport(job.name)
    for item in items:
        try:
            async with sessions() as session, session.begin():
                await job.run(make_ctx(session, now), item)
        except Exception:  # noqa: BLE001  (logged with the item; the next one still runs)
            log.exception("job %s failed on item %r", job.name, item)
            report.failed += 1
        else:
            report.done += 1
    return report


def chunks(ids: Sequence[int], size: int) -> list[tuple[int, ...]]:
    """Due ids as items of `size`: each chunk is one transaction, so a large
    batch (a 10,000-person round) never holds the database in one."""
    return [tuple(ids[i:i + size]) for i in range(0, len(ids), size)]
