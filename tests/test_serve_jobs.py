"""`pedir serve` on the SQLite default is the whole install in one process: it
runs the domains' scheduled jobs itself (PEDIR_INLINE_JOBS, auto), lets a
running tick end on shutdown, and leaves the jobs to `pedir worker` when the
database is PostgreSQL or the setting says no."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web
from sqlmodel import select

from adapters.web.server import build_app
from bot.commands.registry import Domain, Job
from bot.config import Settings
from bot.context import Ctx
from bot.domains import REGISTRY
from storage.engine import create_engine, session_factory
from storage.models import ProcessedDelivery
from tests.harness.waiting import eventually

ROOT = Path(__file__).resolve().parents[1]


class Beat:
    """A test domain's job: every 50 ms, one item that takes `seconds` and leaves a row."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.started: list[int] = []
        self.finished: list[int] = []
        self.running = asyncio.Event()

    async def due(self, _session, _now: datetime) -> list[int]:  # noqa: ANN001
        return [len(self.started) + 1]

    async def run(self, ctx: Ctx, item: int) -> None:
        self.started.append(item)
        self.running.set()
        await asyncio.sleep(self.seconds)
        ctx.session.add(ProcessedDelivery(key=f"beat:{item}", created_at=ctx.now))
        self.finished.append(item)

    def registry(self):  # noqa: ANN201
        return REGISTRY.with_domain(Domain("beat", jobs=(Job("test.beat", due=self.due, run=self.run,
                                                             every_seconds=0.05),)))


async def started(settings: Settings, beat: Beat) -> web.AppRunner:
    """The server's app with its startup done (migrations, delivery, jobs); no port needed."""
    runner = web.AppRunner(build_app(settings, registry=beat.registry()))
    await runner.setup()
    return runner


async def beat_rows(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            keys = (await session.exec(select(ProcessedDelivery.key))).all()
    finally:
        await engine.dispose()
    return sorted(key for key in keys if key.startswith("beat:"))


async def test_on_sqlite_serve_runs_the_jobs_and_shutdown_lets_a_running_tick_end(tmp_path, caplog):  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    beat = Beat(seconds=0.3)
    with caplog.at_level(logging.INFO, logger="adapters.web.server"):  # a start-up line: INFO
        runner = await started(Settings(DATABASE_URL=url), beat)
    try:
        [started_line] = [m for m in caplog.messages if m.startswith("scheduled jobs run in this process:")]
        assert "job:test.beat" in started_line and "job:nudges.send" in started_line
        await asyncio.wait_for(beat.running.wait(), 5)  # it ran, well before the worker's 30 s
    finally:
        await runner.cleanup()  # what a SIGTERM does: shutdown, then the drain
    # The tick in flight was let finish and committed; none started after shutdown began.
    assert beat.started == beat.finished == [1]
    assert await beat_rows(url) == ["beat:1"]


async def test_serve_runs_the_job_on_its_interval(tmp_path):  # noqa: ANN001
    beat = Beat()
    runner = await started(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}"), beat)
    try:
        await eventually(lambda: len(beat.finished) >= 3, "three ticks of the job")
    finally:
        await runner.cleanup()


async def test_inline_jobs_false_leaves_them_to_the_worker(tmp_path, monkeypatch, caplog):  # noqa: ANN001
    monkeypatch.setenv("PEDIR_INLINE_JOBS", "false")
    beat = Beat()
    with caplog.at_level(logging.INFO, logger="adapters.web.server"):
        runner = await started(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}"), beat)
    try:
        await asyncio.sleep(0.3)  # proving that nothing happens: six intervals of the job
    finally:
        await runner.cleanup()
    assert beat.started == []
    assert not any("scheduled jobs" in message for message in caplog.messages)


@pytest.mark.parametrize(("env", "inline"), [
    ({}, True),  # the SQLite default: one process does everything
    ({"DATABASE_URL": "sqlite+aiosqlite:///./x.db"}, True),
    ({"DATABASE_URL": "postgresql://db.example/pedir"}, False),  # `pedir worker` runs them
    ({"DATABASE_URL": "postgres://db.example/pedir"}, False),
    ({"DATABASE_URL": "postgresql+psycopg://db.example/pedir", "PEDIR_INLINE_JOBS": "true"}, True),
    ({"PEDIR_INLINE_JOBS": "false"}, False),
    ({"PEDIR_INLINE_JOBS": "0"}, False),
    ({"PEDIR_INLINE_JOBS": ""}, True),  # empty in a .env: auto
    ({"PEDIR_INLINE_JOBS": "auto", "DATABASE_URL": "postgresql://db.example/pedir"}, False),
])
def test_inline_jobs_defaults_to_on_for_sqlite_only(monkeypatch, env, inline):  # noqa: ANN001
    for name in ("DATABASE_URL", "PEDIR_INLINE_JOBS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings(_env_file=None).runs_jobs_inline is inline


def test_the_procfile_runs_the_server_and_the_worker():
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    # WEB_CONCURRENCY (set by some platforms, or by hand): web processes on one port; 1 without it.
    assert lines == ["web: pedir serve --workers ${WEB_CONCURRENCY:-1}", "worker: pedir worker"]
