"""One pulse to 10,000 people, through the jobs `pedir worker` runs, to a Slack
Web API stand-in with Slack's published limits.

The delivery side is bench/delivery_fanout.py's (the same stand-in, limits and
database set-up); here the messages come from a real pulse: a pulse whose
audience is everyone, opened by the `pulses.open` job (one participation per
person, each at their own moment: all of them now), queued by `pulses.send`
in chunks, followed by `pulses.progress`, which keeps the creator's progress
message up to date (chat.update, a lane of its own), while a DeliveryLoop
delivers as `pedir worker` does. The jobs tick at the worker's periods (every 10
and 15 s), checked once a second.

Printed: people, seconds from the round's opening until every question is
delivered, throughput against the allowed rate (target >= 0.90), the 429s,
lost (participations not sent), duplicated (people with more than one
question in their DM), the creator's progress edits, and the time to open the
round (10,000 participations in one transaction).

    .venv/bin/python bench/pulse_fanout.py [--people 10000] [--workspace 100] [--concurrency 24]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from adapters import heap  # noqa: E402
from adapters.slack.channel import SlackChannel  # noqa: E402
from bench._diagnostics import LoopLag, TickLog, refusal_bursts  # noqa: E402
from bench.delivery_fanout import TIMEOUT_SECONDS, Database  # noqa: E402
from bot.app import Pedir  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery.dispatcher import DEFAULT_CONCURRENCY, Dispatcher  # noqa: E402
from bot.delivery.loop import DeliveryLoop  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.models import PulseParticipation  # noqa: E402

from tests.harness.crowd import add_people, add_pulse, add_team, slack_user  # noqa: E402
from tests.harness.slack_standin import FakeSlackAPI  # noqa: E402
from tests.harness.slack_standin_process import standin_process  # noqa: E402


async def states(sessions) -> Counter:  # noqa: ANN001
    async with sessions() as session:
        rows = await session.exec(select(PulseParticipation.state, func.count()).group_by(PulseParticipation.state))
        return Counter(dict(rows.all()))


async def tick(app: Pedir, names: tuple[str, ...], last: dict[str, float] | None = None,
               log: TickLog | None = None) -> None:
    """The named jobs; with `last` (when each ran), only those whose period, as `pedir worker` runs them, is up."""
    for job in app.registry.jobs:
        if job.name not in names:
            continue
        if last is not None:
            if time.monotonic() - last.get(job.name, -1e9) < (job.every_seconds or 0):
                continue
            last[job.name] = time.monotonic()
        began = time.monotonic()
        await app.run_job(job)
        if log is not None:
            log.add(job.name, began)


async def deliver_all(app: Pedir, loop: DeliveryLoop, sessions, args: argparse.Namespace,  # noqa: ANN001
                      started: float, last: dict[str, float], ticks: TickLog) -> None:
    """Ticks the jobs and kicks delivery until every participation is settled."""
    while time.monotonic() - started < TIMEOUT_SECONDS:
        await tick(app, ("pulses.send", "pulses.progress"), last, ticks)
        loop.kick()
        counts = await states(sessions)
        if args.verbose:
            print(f"{time.monotonic() - started:6.1f} s {dict(counts)}", flush=True)
        if counts["sent"] + counts["unreachable"] >= args.people:
            return
        await asyncio.sleep(1)


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, standin_process(
            args.workspace, args.per_channel, args.open_per_minute, args.latency) as (api_url, stats_url):
        database = Database(args.database_url, Path(tmp))
        engine = create_engine(database.url)
        sessions = session_factory(engine)
        clock = SystemClock()
        try:
            people = await add_people(sessions, args.people, clock.now())
            await add_pulse(sessions, people[0], clock.now(), await add_team(sessions, people))
            async with aiohttp.ClientSession() as http:
                channel = SlackChannel(AsyncWebClient(token="xoxb-bench", base_url=api_url, session=http))
                app = Pedir(sessions, Settings(), clock, channels=[channel])
                heap.settle()  # as `pedir worker` does once started
                started = time.monotonic()
                ticks, lag = TickLog(started), LoopLag()
                await tick(app, ("pulses.open",), log=ticks)
                opened = time.monotonic() - started
                loop = DeliveryLoop(Dispatcher(sessions, [channel], clock, concurrency=args.concurrency))
                loop.start()
                last: dict[str, float] = {}
                async with lag.watching():
                    await deliver_all(app, loop, sessions, args, started, last, ticks)
                await tick(app, ("pulses.progress",))  # the creator's last word
                await asyncio.sleep(2)
                loop.kick()
                await asyncio.sleep(1)
                await loop.stop()
                async with http.get(stats_url) as response:
                    stats = await response.json()
            counts = await states(sessions)
            # Delivered when the stand-in took the last question (the job that marks
            # them sent runs every 15 s: bookkeeping, not delivery). The creator's DM
            # also holds the progress message, posted once.
            posted_at = stats["posted_at"]
            seconds = posted_at[args.people] - started if len(posted_at) > args.people else None
            dms = stats["dms"]
            duplicated = sum(1 for n in range(1, args.people) if dms.get(FakeSlackAPI.dm_channel(slack_user(n)), 0) > 1)
            allowed = min(args.workspace, args.per_channel * args.people)
            print(f"{database.backend}: {args.people} people; chat.postMessage {args.per_channel}/s per channel, "
                  f"{args.workspace}/s per workspace; {args.latency:g} s per call; concurrency {args.concurrency}; "
                  "the stand-in in a process of its own")
            print(f"round opened in {opened:.2f} s ({args.people} participations, one transaction)")
            if seconds is None:
                print(f"NOT delivered within {TIMEOUT_SECONDS} s")
            else:
                throughput = args.people / seconds
                print(f"delivered in {seconds:.1f} s from the round's opening: {throughput:.1f} msgs/s of {allowed}/s "
                      f"allowed, ratio {throughput / allowed:.2f} (target >= 0.90)")
            if args.verbose:
                print(ticks, lag, refusal_bursts(stats["refused_at"], started), sep="\n")
            print(f"429s {stats['refused']} · lost {args.people - counts['sent'] - counts['unreachable']} · "
                  f"unreachable {counts['unreachable']} · duplicated {duplicated} · progress edits {stats['updates']}")
        finally:
            await engine.dispose()
            database.drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--workspace", type=int, default=100, help="chat.postMessage a second, whole workspace")
    parser.add_argument("--per-channel", type=int, default=1, help="chat.postMessage a second in any one channel")
    parser.add_argument("--open-per-minute", type=int, default=50, help="conversations.open a minute (Tier 3)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the stand-in takes to answer each call")
    parser.add_argument("--database-url", help="a PostgreSQL server (a database of its own is made there)")
    parser.add_argument("--verbose", action="store_true",
                        help="print the participations' states every second; then the jobs' ticks, the event "
                             "loop's stalls and when calls were refused")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
