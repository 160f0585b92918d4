"""Helpers for the pulse tests that go through a platform (Slack, Teams, the
console): run the worker's jobs on a running server, read the receipt a
button carries, and look for that receipt anywhere it must never be."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from bot.app import Pedir
from bot.delivery.dispatcher import Dispatcher
from bot.domains import REGISTRY
from bot.people import service as people
from bot.pulses import ballots
from bot.pulses.answering import read_click
from storage.models import Person, PulseBallot

# Pedir's own loggers, read at DEBUG; everything else at INFO (the CLI logs at WARNING).
OWN_LOGGERS = ("bot", "adapters", "storage")


def watch_logs(caplog: Any) -> None:
    """Every record a receipt could leak into: Pedir's at DEBUG, the libraries' at INFO."""
    caplog.set_level(logging.INFO)
    for name in OWN_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def logged(caplog: Any, needle: str) -> list[str]:
    """Log records (message, arguments, traceback) that contain `needle`."""
    found = []
    for record in caplog.records:
        parts = [record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(repr(record.exc_info[1]))
        if any(needle in part for part in parts):
            found.append(f"{record.name}: {record.getMessage()[:200]}")
    return found


async def person(pedir: Pedir, email: str) -> Person:
    async with pedir.sessions() as session:
        found = await people.by_email(session, email)
    assert found is not None, email
    return found


async def run_jobs(pedir: Pedir) -> None:
    """Every scheduled job once, as one tick of `pedir worker` runs them."""
    for job in pedir.registry.jobs:
        await pedir.run_job(job)


async def deliver(pedir: Pedir) -> None:
    """Delivers the outbox through the server's own channels, as the worker would."""
    await Dispatcher(pedir.sessions, pedir.channels, pedir.clock, render_home=pedir.render_home).drain()


def receipt_in(action_id: str, value: str) -> str | None:
    """The receipt a pulse button carries (None on a question's first buttons)."""
    return read_click(REGISTRY.context(action_id, value)).receipt


def score_in(action_id: str, value: str) -> int | None:
    return read_click(REGISTRY.context(action_id, value)).score


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


async def stored_anywhere(pedir: Pedir, needle: str) -> list[str]:
    """Every table.column of the database whose value holds `needle` (every table,
    every column: the outbox's payloads, processed_delivery's keys, pulse_*...)."""
    found = []
    async with pedir.sessions() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            rows = (await connection.execute(sa_select(table))).all()
            for row in rows:
                for column, value in zip(table.columns, row, strict=True):
                    if needle in _text(value):
                        found.append(f"{table.name}.{column.name}")
    return sorted(set(found))


async def assert_receipt_kept_only_as_a_hash(pedir: Pedir, receipt: str) -> None:
    """The receipt is nowhere in the database, while its hash is (so the scan sees what is there)."""
    assert receipt and len(receipt) >= 20, receipt
    assert await stored_anywhere(pedir, receipt) == [], "the receipt itself was stored"
    hashed = ballots.receipt_hash(receipt)
    where = await stored_anywhere(pedir, hashed)
    assert where and set(where) <= {"pulse_ballot.receipt_hash", "pulse_answer.receipt_hash"}, where


async def ballot_answers(pedir: Pedir) -> list[dict[str, Any]]:
    async with pedir.sessions() as session:
        return [b.answers for b in (await session.exec(select(PulseBallot))).all()]
