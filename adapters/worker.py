"""`pedir worker`: the scheduler process. Each tick asks storage what is due.

APScheduler runs the ticks; a tick that is still running when the next is due
is skipped rather than stacked, and several workers may run at once (the
dispatcher claims rows with leases and SKIP LOCKED).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import SystemClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from storage.engine import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)
DELIVERY_SECONDS = 2


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


async def run_worker(settings: Settings) -> int:
    if is_sqlite(settings.database_url):
        await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    channels = platform_channels(settings, sessions)
    if not channels:
        log.warning("no platform is configured (SLACK_BOT_TOKEN, MICROSOFT_APP_ID): nothing to deliver to")
    dispatcher = Dispatcher(sessions, channels, SystemClock(),
                            default_locale=settings.locale, default_timezone=settings.timezone)
    scheduler = AsyncIOScheduler(timezone="UTC")
    if channels:
        scheduler.add_job(dispatcher.drain, "interval", seconds=DELIVERY_SECONDS, id="deliver",
                          max_instances=1, coalesce=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scheduler.start()
    log.warning("worker started: delivery every %s s", DELIVERY_SECONDS)
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await engine.dispose()
    return 0
