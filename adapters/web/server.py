"""`pedir serve`: one aiohttp application for every platform's webhook.

On the SQLite default it is the whole install in one process: it delivers
the outbox (PEDIR_INLINE_DELIVERY) and runs the domains' scheduled jobs
(PEDIR_INLINE_JOBS) itself; with PostgreSQL `pedir worker` runs the jobs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import text

from adapters import heap
from adapters.web import observability
from adapters.web.admission import Admission
from adapters.web.background import Background
from adapters.web.dashboard import mount as mount_dashboard
from adapters.worker import scheduled
from bot.app import Pedir
from bot.clock import Clock, SystemClock
from bot.commands.registry import Registry
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.loop import DeliveryLoop
from storage.engine import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)
SESSIONS = web.AppKey("sessions", object)
PEDIR = web.AppKey("pedir", Pedir)
BACKGROUND = web.AppKey("background", Background)
# Shutdown (SIGTERM, a deploy): stop listening, let the requests in flight end
# (they store their input before answering), then what they started after
# answering and the scheduled ticks running (side by side), then the delivery
# in flight; each within a bound.
REQUESTS_SECONDS = 10.0
AFTER_ACK_SECONDS = 5.0
JOBS_SECONDS = 5.0


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[SESSIONS]() as session:
            await session.exec(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        return web.json_response({"ok": False, "database": exc.__class__.__name__}, status=503)
    return web.json_response({"ok": True, "database": "ok"})


def _platform_off(name: str):  # noqa: ANN202
    async def off(_request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error": f"{name} is not configured on this server"}, status=503)
    return off


def _slack(app: web.Application, settings: Settings, pedir: Pedir, loop: DeliveryLoop, channels: list,
           admission: Admission) -> None:
    if not settings.slack_enabled:
        log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on")
        app.router.add_post("/slack/events", _platform_off("Slack"))
        return
    from adapters.slack.app import bolt_app, web_client
    from adapters.slack.authorization import Authorization
    from adapters.slack.channel import SlackChannel
    from adapters.slack.endpoint import events_handler

    client = web_client(settings)
    authorization = Authorization(client)
    bolt = bolt_app(settings, pedir, client, loop.kick, app[BACKGROUND], authorization)
    channels.append(SlackChannel(client))
    log.info("Slack is on: POST /slack/events")

    async def shared_http(app_: web.Application):  # noqa: ANN202
        # Without a session of its own, slack_sdk opens a new connection per call.
        # slack_sdk applies its timeout only to sessions it opens: this one needs it too.
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
        bolt.client.session = client.session
        yield
        await client.session.close()

    app.cleanup_ctx.append(shared_http)

    async def token_checked(app_: web.Application):  # noqa: ANN202
        # Before the first request is accepted: a refused token stops the server here, in one line.
        await authorization.check_at_start()
        yield

    app.cleanup_ctx.append(token_checked)

    # The signature is checked on the raw body before anything reads it (adapters/slack/gate.py).
    slack_events = events_handler(bolt, settings.slack_signing_secret.get_secret_value())
    app.router.add_post("/slack/events", admission.guard(slack_events))
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())

        async def socket_mode(app_: web.Application):  # noqa: ANN202
            await handler.connect_async()
            log.info("Slack Socket Mode connected")
            yield
            await handler.close_async()

        app.cleanup_ctx.append(socket_mode)


def _teams(app: web.Application, settings: Settings, pedir: Pedir, loop: DeliveryLoop, channels: list,
           sessions, teams_options: dict, admission: Admission) -> None:  # noqa: ANN001
    if not settings.teams_enabled:
        log.info("Teams is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn it on "
                 "(or PEDIR_TEAMS_UNAUTHENTICATED=true to test locally without authentication)")
        app.router.add_post("/api/messages", _platform_off("Teams"))
        return
    from adapters.teams.app import build
    from adapters.teams.channel import TeamsChannel

    adapter, _bot, handler = build(settings, pedir, loop.kick, **teams_options)
    channels.append(TeamsChannel(adapter, sessions, settings.microsoft_app_id))
    app.router.add_post("/api/messages", admission.guard(handler))
    if settings.microsoft_app_id:
        log.info("Teams is on: POST /api/messages (Bot Framework tokens required)")
    else:
        log.warning("Teams is on WITHOUT authentication (PEDIR_TEAMS_UNAUTHENTICATED): for local testing only")


def build_app(
    settings: Settings, clock: Clock | None = None, *, teams_options: dict | None = None,
    registry: Registry | None = None,
) -> web.Application:
    """The server; `registry` replaces the domains it serves (tests add one)."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    channels: list = []  # filled below, per platform turned on; Pedir and the dispatcher share it
    pedir = Pedir(sessions, settings, clock, registry, channels)
    loop = DeliveryLoop(Dispatcher(sessions, channels, clock, render_home=pedir.render_home,
                                   lease=timedelta(seconds=settings.delivery_lease_seconds)))
    app = web.Application()
    app[SESSIONS] = sessions
    app[PEDIR] = pedir
    app[BACKGROUND] = Background()
    admission = Admission()
    observability.mount(app, settings, sessions, clock)  # request ids, request metrics, GET /metrics
    app.router.add_get("/healthz", healthz)
    mount_dashboard(app, pedir)  # /panel: the web dashboard, reached from chat with /pedir panel
    _slack(app, settings, pedir, loop, channels, admission)
    _teams(app, settings, pedir, loop, channels, sessions, teams_options or {}, admission)
    # The jobs only: delivery is the loop's. What a job queues is delivered at once.
    jobs = scheduled(pedir, None, on_done=loop.kick) if settings.runs_jobs_inline else None

    async def lifecycle(app_: web.Application):  # noqa: ANN202
        if is_sqlite(settings.database_url):
            await upgrade_async(settings.database_url)
        if channels and settings.inline_delivery:
            loop.start()
        if jobs is not None:  # after the upgrade: the jobs read the tables
            jobs.start()
            log.info("scheduled jobs run in this process: %s", ", ".join(jobs.job_ids) or "none declared")
        yield
        await engine.dispose()

    async def no_new_ticks(app_: web.Application) -> None:
        # Shutdown begins (before the requests in flight are waited for): no tick starts from here.
        if jobs is not None:
            jobs.pause()

    async def drain(app_: web.Application):  # noqa: ANN202
        yield
        # Requests in flight have ended by now (aiohttp waits for them first).
        # Registered last, so it ends first: the platforms' HTTP sessions are still open.
        # Ticks running are let end (a job's item is a transaction): never cut mid-way.
        left, _ = await asyncio.gather(
            app_[BACKGROUND].wait(AFTER_ACK_SECONDS),
            jobs.stop(JOBS_SECONDS) if jobs is not None else asyncio.sleep(0),
        )
        if left:
            log.warning("shutdown: %d replies still being shown after %.0f s; leaving them", left, AFTER_ACK_SECONDS)
        await loop.stop()

    app.cleanup_ctx.insert(0, lifecycle)
    app.on_shutdown.append(no_new_ticks)
    app.cleanup_ctx.append(drain)
    return app


def serve(settings: Settings) -> None:
    app = build_app(settings)
    heap.settle()  # the libraries and the app live as long as the process
    web.run_app(app, port=settings.port, print=lambda line: log.info(line), shutdown_timeout=REQUESTS_SECONDS)
