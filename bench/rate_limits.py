"""Delivery under a Slack rate limit: refused and accepted calls, time against the minimum.

The Slack stand-in (in this process) lets chat.postMessage reach one channel
only N times in any second and answers the rest 429 with Retry-After, as
Slack does; every other channel and method is unlimited. The outbox holds M
messages, most of them for that channel, interleaved with messages for the
other team channels and people's DMs. A Dispatcher with the SlackChannel
delivers them (SQLite), driven as `pedir serve` drives it (its DeliveryLoop)
or, with --driver worker, as `pedir worker` does (its APScheduler ticks).
Prints the refused and accepted Web API calls, the time until everything was
delivered against the theoretical minimum (the limited channel's messages /
N), and when the other channels were done.

    .venv/bin/python bench/rate_limits.py [--messages 150] [--limited 125] [--per-second 5] [--driver serve|worker]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402

import storage.models  # noqa: E402, F401  (registers the tables)
from adapters.slack.channel import SlackChannel  # noqa: E402
from adapters.worker import build_scheduler  # noqa: E402
from bot.app import Pedir  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.commands.registry import Registry  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery.dispatcher import Dispatcher  # noqa: E402
from bot.delivery.loop import DeliveryLoop  # noqa: E402
from bot.delivery.outbox import PERSON, TEAM, enqueue  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.org.importer import import_org  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.models import Outbox, PlatformAccount, Team  # noqa: E402
from tests.harness.slack_standin import FakeSlackAPI  # noqa: E402

DEMO_ORG = ROOT / "examples" / "demo-org.toml"
LIMITED_TEAM = "facturacion"  # its intake channel is the rate-limited one
TIMEOUT_SECONDS = 600


def interleave(limited: list, others: list) -> list:
    """Both lists in one, each spread evenly over it, as a burst of changes would queue them."""
    placed = [((i + 0.5) / len(limited), item) for i, item in enumerate(limited)]
    placed += [((j + 0.5) / len(others), item) for j, item in enumerate(others)]
    return [item for _, item in sorted(placed, key=lambda pair: pair[0])]


async def fill_outbox(sessions, now: datetime, total: int, limited: int) -> str:  # noqa: ANN001
    """Queues the messages; returns the rate-limited channel."""
    async with sessions() as session:
        teams = list((await session.exec(select(Team).order_by(Team.id))).all())
        on_slack = select(PlatformAccount.person_id).where(PlatformAccount.platform == "slack")
        people = list((await session.exec(on_slack.order_by(PlatformAccount.person_id))).all())
    target = next(t for t in teams if t.slug == LIMITED_TEAM)
    elsewhere = [(TEAM, t.id) for t in teams if t is not target and (t.intake or {}).get("slack")]
    elsewhere += [(PERSON, person_id) for person_id in people]
    others = [elsewhere[n % len(elsewhere)] for n in range(total - limited)]
    async with sessions() as session:
        for n, (kind, recipient) in enumerate(interleave([(TEAM, target.id)] * limited, others)):
            enqueue(session, recipient_kind=kind, recipient_id=recipient, message=Message(text=f"mensaje {n}"), now=now)
        await session.commit()
    return target.intake["slack"]


async def undelivered(sessions) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(Outbox).where(Outbox.status != "sent"))).one()


async def done_at(sessions, started: datetime, limited_channel: str) -> tuple[float, float]:  # noqa: ANN001
    """Seconds from the start until the last message of the limited channel, and of the others, was sent."""
    async with sessions() as session:
        rows = (await session.exec(select(Outbox.address, Outbox.sent_at))).all()
    last = {True: started, False: started}
    for address, sent_at in rows:
        key = address == limited_channel
        last[key] = max(last[key], sent_at.replace(tzinfo=started.tzinfo))
    return tuple((last[key] - started).total_seconds() for key in (True, False))  # type: ignore[return-value]


def start_driver(driver: str, dispatcher: Dispatcher, sessions, clock):  # noqa: ANN001, ANN201
    """Starts delivery the way `pedir serve` or `pedir worker` runs it; returns how to stop it."""
    if driver == "serve":
        loop = DeliveryLoop(dispatcher)
        loop.start()
        loop.kick()
        return loop.stop
    # The worker's own scheduler, without the domains' jobs (they would queue messages of their own).
    scheduler = build_scheduler(Pedir(sessions, Settings(), clock, Registry()), dispatcher)
    scheduler.start()

    async def stop() -> None:
        scheduler.shutdown(wait=False)

    return stop


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/bench.db")
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        sessions = session_factory(engine)
        clock = SystemClock()
        await import_org(sessions, DEMO_ORG, clock.now())
        async with FakeSlackAPI() as fake:
            limited_channel = await fill_outbox(sessions, clock.now(), args.messages, args.limited)
            window = fake.limit_rate("chat.postMessage", args.per_second, channel=limited_channel)
            for method in ("chat.postMessage", "conversations.open"):  # Slack answers in tens of ms, not at once
                if args.latency > 0:
                    fake.stall_next(method, args.latency, times=10**9)
            client = AsyncWebClient(token="xoxb-bench", base_url=fake.api_url)
            dispatcher = Dispatcher(sessions, [SlackChannel(client)], clock)
            started_wall, started = clock.now(), time.monotonic()
            stop = start_driver(args.driver, dispatcher, sessions, clock)
            while await undelivered(sessions) and time.monotonic() - started < TIMEOUT_SECONDS:
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
            await stop()
            left = await undelivered(sessions)
            limited_done, others_done = await done_at(sessions, started_wall, limited_channel)
            calls = len(fake.calls)
        await engine.dispose()

    minimum = args.limited / args.per_second
    refused = window.refused
    print(f"chat.postMessage to {limited_channel} limited to {args.per_second}/s (429 + Retry-After); "
          f"{args.messages} messages, {args.limited} for that channel; {args.latency:g} s per call; "
          f"delivered as `pedir {args.driver}` does")
    print(f"refused calls   {refused:>6}")
    print(f"accepted calls  {calls - refused:>6}   ({window.accepted} on the limited channel)")
    print(f"elapsed         {elapsed:>6.1f} s (theoretical minimum {minimum:.1f} s, ratio {elapsed / minimum:.2f})")
    print(f"limited channel done after {limited_done:.1f} s; other channels and DMs done after {others_done:.1f} s")
    if left:
        print(f"NOT DELIVERED after {TIMEOUT_SECONDS} s: {left} messages")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=150)
    parser.add_argument("--limited", type=int, default=125, help="how many of them go to the limited channel")
    parser.add_argument("--per-second", type=int, default=5)
    parser.add_argument("--driver", choices=["serve", "worker"], default="serve")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the stand-in takes to answer each call")
    args = parser.parse_args()
    if not 0 < args.limited < args.messages:
        parser.error("--limited must be between 0 and --messages")
    # APScheduler reports skipped ticks, and the tick it cancels at the end: not figures.
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
