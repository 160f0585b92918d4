"""`pedir worker`: the scheduler process. Each tick asks storage what is due.

APScheduler runs the ticks: the outbox dispatcher, and every job a domain
declares (bot.commands.registry.Job). A tick still running when the next is
due is skipped rather than stacked. Several workers may run at once: the
dispatcher claims rows with leases and SKIP LOCKED, and APScheduler keeps its
jobs in memory, one store per process, never shared.

On the SQLite default `pedir serve` runs the same jobs in-process
(PEDIR_INLINE_JOBS, adapters/web/server.py) with `scheduled` below.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from adapters import heap
from adapters.metrics import PrometheusObserver
from adapters.web.background import Background
from adapters.web.observability import metrics_app
from bot.app import Pedir
from bot.clock import Clock, SystemClock
from bot.commands.registry import Job
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.loop import drain_within
from bot.observe import install, observer
from bot.scheduling import JobReport
from storage.engine import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)
DELIVERY_SECONDS = 2
# A tick also delivers the rows whose turn on a rate-limited lane comes before
# the next tick, but ends before that tick is due (APScheduler would skip it, and say so).
DELIVERY_TICK_SECONDS = DELIVERY_SECONDS * 0.9
# On SIGTERM, ticks in flight get this long to finish (a delivery cut short
# mid-send would be sent again after the restart).
STOP_SECONDS = 12.0


class Ticks(Background):
    """The ticks running now, so shutdown can let them end instead of
    cancelling them (APScheduler's asyncio executor cancels what is running).
    Each tick's duration is reported under `name` (bot.observe: the metrics)."""

    def tracked(self, func: Callable[..., Awaitable[object]], name: str = "other") -> Callable[..., Awaitable[object]]:
        async def tick(*args: object) -> object:
            task = asyncio.current_task()
            assert task is not None
            self.track(task)
            started = time.perf_counter()
            try:
                return await func(*args)
            finally:
                observer().tick(name, time.perf_counter() - started)

        return tick


def platform_channels(settings: Settings, sessions) -> list:  # noqa: ANN001
    """The delivery channels of every platform configured in the settings."""
    channels: list = []
    if settings.slack_enabled:
        from adapters.slack.app import web_client
        from adapters.slack.channel import SlackChannel

        channels.append(SlackChannel(web_client(settings)))
    if settings.teams_enabled:
        from adapters.teams.app import cloud_adapter
        from adapters.teams.channel import TeamsChannel

        channels.append(TeamsChannel(cloud_adapter(settings), sessions, settings.microsoft_app_id))
    return channels


def build_scheduler(
    pedir: Pedir, dispatcher: Dispatcher | None, ticks: Ticks | None = None,
    on_done: Callable[[], None] | None = None,
) -> AsyncIOScheduler:
    """Delivery (when there is somewhere to deliver) and every declared job.

    `on_done` is called after a job run that handled something (`pedir serve`
    kicks its delivery loop with it, so what a job queued goes out at once)."""
    ticks = Ticks() if ticks is None else ticks  # not `or`: no ticks running is a falsy Ticks
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"max_instances": 1, "coalesce": True}
    if dispatcher is not None:
        scheduler.add_job(ticks.tracked(drain_within, "deliver"), IntervalTrigger(seconds=DELIVERY_SECONDS),
                          args=[dispatcher, DELIVERY_TICK_SECONDS],
                          id="deliver", **common)
    run_job = pedir.run_job if on_done is None else _then(pedir.run_job, on_done)
    for job in pedir.registry.jobs:
        trigger = (IntervalTrigger(seconds=job.every_seconds) if job.every_seconds is not None
                   else CronTrigger.from_crontab(job.cron, timezone="UTC"))
        scheduler.add_job(ticks.tracked(run_job, job.name), trigger, args=[job], id=f"job:{job.name}", **common)
    return scheduler


def _then(run_job: Callable[[Job], Awaitable[JobReport]], on_done: Callable[[], None]):  # noqa: ANN202
    async def run(job: Job) -> JobReport:
        report = await run_job(job)
        if report.done:
            on_done()
        return report
    return run


class Scheduled:
    """A started scheduler and its ticks, stopped by letting the ticks end
    (within a bound) instead of cancelling them mid-transaction."""

    def __init__(self, scheduler: AsyncIOScheduler, ticks: Ticks) -> None:
        self.scheduler, self.ticks = scheduler, ticks

    @property
    def job_ids(self) -> list[str]:
        return [job.id for job in self.scheduler.get_jobs()]

    def start(self) -> None:
        self.scheduler.start()

    def pause(self) -> None:
        """No new tick starts; the running ones go on."""
        if self.scheduler.running:
            self.scheduler.pause()

    async def stop(self, seconds: float = STOP_SECONDS) -> int:
        """Pauses, waits up to `seconds` for the running ticks, shuts down; returns how many were left."""
        self.pause()
        left = await self.ticks.wait(seconds)
        if left:
            log.warning("shutdown: %d scheduled ticks still running after %.0f s; cancelling them", left, seconds)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # cancels only what outlived the bound
        return left


def scheduled(pedir: Pedir, dispatcher: Dispatcher | None, on_done: Callable[[], None] | None = None) -> Scheduled:
    ticks = Ticks()
    return Scheduled(build_scheduler(pedir, dispatcher, ticks, on_done), ticks)


async def _slack_token_checked(settings: Settings) -> None:
    """One auth.test at start, as `pedir serve` does: a refused token stops the worker in one line."""
    from adapters.slack.app import web_client
    from adapters.slack.authorization import Authorization

    await Authorization(web_client(settings)).check_at_start()


async def run_worker(settings: Settings) -> int:
    if is_sqlite(settings.database_url):
        await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    pedir = Pedir(sessions, settings, SystemClock())
    if settings.slack_enabled:
        await _slack_token_checked(settings)
    channels = platform_channels(settings, sessions)
    if not channels:
        log.warning("no platform is configured (SLACK_BOT_TOKEN, MICROSOFT_APP_ID): nothing to deliver to")
    dispatcher = Dispatcher(sessions, channels, pedir.clock, render_home=pedir.render_home,
                            lease=timedelta(seconds=settings.delivery_lease_seconds)) if channels else None
    scheduler = scheduled(pedir, dispatcher)
    prometheus = PrometheusObserver()
    previous = install(prometheus)
    metrics = await _serve_metrics(settings, sessions, pedir.clock, prometheus)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    heap.settle()  # the libraries and the app live as long as the process
    scheduler.start()
    log.info("worker started: %s", ", ".join(scheduler.job_ids) or "no jobs")
    try:
        await stop.wait()
    finally:
        scheduler.pause()
        if dispatcher is not None:
            dispatcher.stop()
        await scheduler.stop(STOP_SECONDS)
        if metrics is not None:
            await metrics.cleanup()
        install(previous)
        await engine.dispose()
    return 0


async def _serve_metrics(settings: Settings, sessions, clock: Clock,  # noqa: ANN001
                         prometheus: PrometheusObserver) -> web.AppRunner | None:
    """GET /metrics on PEDIR_WORKER_METRICS_PORT, when set (adapters/web/observability.py)."""
    if settings.worker_metrics_port is None:
        return None
    if settings.metrics_token is None:
        log.warning("PEDIR_WORKER_METRICS_PORT is set without PEDIR_METRICS_TOKEN: /metrics answers 404")
    runner = web.AppRunner(metrics_app(settings, sessions, clock, prometheus), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, port=settings.worker_metrics_port).start()
    log.info("worker metrics: GET /metrics on port %d", settings.worker_metrics_port)
    return runner
