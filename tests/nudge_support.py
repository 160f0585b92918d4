"""Helpers for nudge tests: run the worker's ticks as `pedir worker` would, and
read what reached whom."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.app import Pedir
from bot.delivery.dispatcher import Dispatcher
from storage.models import Nudge
from tests.harness.support import Delivered, RecordingChannel


async def tick(app: Pedir, channel: RecordingChannel, rounds: int = 2) -> list[Delivered]:
    """Every scheduled job once, then delivery; twice, so a delivered nudge is
    confirmed (and its cards refreshed) as the next tick would. Returns the new calls."""
    before = len(channel.calls)
    for _ in range(rounds):
        for job in app.registry.jobs:
            await app.run_job(job)
        await Dispatcher(app.sessions, [channel], app.clock).drain()
    return channel.calls[before:]


def sent(calls: list[Delivered], address: str) -> list[Delivered]:
    """New messages (not card edits, not threads) to one address."""
    return [c for c in calls if c.address == address and c.kind == "send" and c.thread_id is None]


def texts(calls: list[Delivered]) -> list[str]:
    return [c.message.text for c in calls]


async def nudges(app: Pedir, **where: object) -> list[Nudge]:
    async with app.sessions() as session:
        query = select(Nudge).order_by(Nudge.id)
        for name, value in where.items():
            query = query.where(getattr(Nudge, name) == value)
        return list((await session.exec(query)).all())


def at(app: Pedir, moment: datetime) -> None:
    app.clock.set(moment)
