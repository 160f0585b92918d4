"""Several web processes on one port: gunicorn, with aiohttp's worker.

`pedir serve --workers N` (N > 1) starts gunicorn in this process as the
arbiter; it forks N workers, each building its own server (build_app: its
own engine, pool, Slack client, delivery loop) after the fork, all
accepting on one listening socket that the kernel shares among them. An
operator who runs gunicorn directly gets the same worker from
`adapters.web.processes:app`:

    gunicorn adapters.web.processes:app --worker-class aiohttp.GunicornWebWorker --workers 4 --bind 0.0.0.0:3000

Nothing a request needs lives in one process only: what a webhook
acknowledges is in the database before the answer leaves; the outbox is
claimed under leases (SKIP LOCKED on PostgreSQL), so every process may
deliver; the caches (people, DM channels, signing keys) are shortcuts that
re-read the database or the platform when unsure; admission control and the
after-ack tasks are per process by design (a process's own capacity, its
own shutdown). Several processes need PostgreSQL: SQLite has one writer at
a time, and `pedir serve` on SQLite also runs the scheduled jobs in-process.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.log import access_logger
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from adapters import logs
from adapters.web.server import REQUESTS_SECONDS, build_app
from bot.config import Settings, get_settings
from storage.engine import is_sqlite

WORKER_CLASS = "aiohttp.GunicornWebWorker"
# gunicorn's own bound on a worker's shutdown (SIGTERM): the server's drain
# (requests 10 s, then after-ack work and ticks 5 s, then the delivery in
# flight up to 10 s) fits inside it, so the arbiter never SIGKILLs a drain.
GRACEFUL_SECONDS = 30
# A worker whose event loop has not checked in for this long is restarted.
HEARTBEAT_SECONDS = 30


class SeveralProcessesNeedPostgres(ValueError):
    """--workers N > 1 on SQLite."""


def runner(settings: Settings) -> web.AppRunner:
    """One worker's server, as `pedir serve` runs it in a single process."""
    app = build_app(settings)
    gc.freeze()  # as serve() does: the long-lived objects stay out of the collector's full passes
    return web.AppRunner(app, access_log=access_logger, shutdown_timeout=REQUESTS_SECONDS)


def factory(settings: Settings) -> Callable[[], Awaitable[web.AppRunner]]:
    """What gunicorn's aiohttp worker calls, after the fork, for its server."""
    async def make() -> web.AppRunner:
        return runner(settings)
    return make


async def app() -> web.AppRunner:
    """The entry for a gunicorn started by hand: settings and logs from the environment."""
    settings = get_settings()
    logs.configure(settings)
    return runner(settings)


class Logs(GunicornLogger):
    """gunicorn's own lines (workers booted, exited) through Pedir's handlers
    (adapters/logs.py: text or JSON a line, secrets masked), not its own."""

    def setup(self, cfg) -> None:  # noqa: ANN001
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.handlers.clear()
            logger.propagate = True


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings, self.workers = settings, workers
        super().__init__()

    def load_config(self) -> None:
        for key, value in options(self.settings, self.workers).items():
            self.cfg.set(key, value)

    def load(self) -> Callable[[], Awaitable[web.AppRunner]]:
        return factory(self.settings)


def options(settings: Settings, workers: int) -> dict[str, object]:
    return {
        "bind": [f"0.0.0.0:{settings.port}"],
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "graceful_timeout": GRACEFUL_SECONDS,
        "timeout": HEARTBEAT_SECONDS,
        "proc_name": "pedir-web",
        # Our logs (adapters/logs.py) are inherited through the fork, and gunicorn's lines
        # go through them. The access log stays aiohttp's, as with one process.
        "logger_class": Logs,
        "loglevel": settings.log_level.lower(),
        "accesslog": None,
        # gunicorn's control socket (`gunicornc`) lives at one path per user: two servers
        # on one machine would share it. Signals (TERM, HUP, TTIN/TTOU) do the same jobs.
        "control_socket_disable": True,
    }


def serve_processes(settings: Settings, workers: int) -> None:
    """`pedir serve --workers N`: runs until SIGTERM or SIGINT, then drains every worker."""
    if is_sqlite(settings.database_url):
        raise SeveralProcessesNeedPostgres(
            "--workers: several web processes need PostgreSQL (DATABASE_URL=postgresql://…); "
            "on SQLite run one (pedir serve)")
    _Gunicorn(settings, workers).run()
