"""A survey's fan-out: one direct message to each of 10,000 people through the outbox.

One process: a database (a SQLite file by default; --database-url names a
PostgreSQL server, where a database of its own is created and dropped),
--people people each with a Slack account, and the Slack Web API stand-in
with Slack's published limits: chat.postMessage about once a second in any
one channel (--per-channel) and --workspace a second across the workspace,
conversations.open (Tier 3) --open-per-minute a minute. Each call is
answered after --latency seconds. Beyond a limit the stand-in answers 429
with Retry-After, as Slack does.

Three runs, each with its outbox rows written in one transaction (recipient
"person", a question with five buttons, as a pulse survey's), a fresh
stand-in and a fresh Dispatcher with the real SlackChannel, delivered as
`pedir serve` delivers (its DeliveryLoop):

1. the fan-out: --people messages, --concurrency sends at once;
2. the baseline: the old pace, one send at a time (concurrency 1), on
   --baseline messages;
3. no rate limit at all: --people messages, --concurrency sends at once.

Printed for each: messages, seconds (until every row is recorded sent),
throughput, the allowed rate (the workspace cap, or what one channel per
person allows if lower), ratio (throughput / allowed rate; target >= 0.90),
429s received, lost (rows not sent in the end), duplicated (people who got
more than one post), conversations.open calls, and this process's CPU use
meanwhile (the stand-in's included: near 100 %, the figures are the
machine's, not the limits'); then the ratio of the fan-out's throughput to
the baseline's. Nothing is asserted: it prints.

    .venv/bin/python bench/delivery_fanout.py [--people 10000] [--baseline 500] [--workspace 100]
        [--per-channel 1] [--open-per-minute 50] [--concurrency 24] [--latency 0.05]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--runs fanout,baseline,unlimited]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import psycopg  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import select  # noqa: E402

from adapters.slack.channel import SlackChannel  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.delivery.dispatcher import DEFAULT_CONCURRENCY, Dispatcher  # noqa: E402
from bot.delivery.loop import DeliveryLoop  # noqa: E402
from bot.delivery.outbox import PERSON, enqueue  # noqa: E402
from bot.messages import Action, Message  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Outbox  # noqa: E402
from tests.harness.crowd import add_people, slack_user  # noqa: E402
from tests.harness.slack_standin import EACH_CHANNEL, FakeSlackAPI  # noqa: E402

PG_DATABASE = "pedir_bench_fanout"
TIMEOUT_SECONDS = 1800


@dataclass
class Run:
    name: str
    messages: int
    concurrency: int
    limited: bool


@dataclass
class Result:
    run: Run
    seconds: float
    allowed: float | None  # messages a second the limits allow; None: no limit
    refused: int
    lost: int
    duplicated: int
    opened: int  # conversations.open calls
    cpu: float  # this process's CPU seconds meanwhile (the stand-in's included)

    @property
    def throughput(self) -> float:
        return self.run.messages / self.seconds if self.seconds else 0.0


def survey_question(n: int) -> Message:
    """What a pulse survey asks: a question and five buttons, 1 to 5."""
    return Message(
        title="Encuesta de servicio · Sistemas",
        text="¿Cómo valoras el servicio de Sistemas este mes? Tu respuesta es anónima.",
        actions=[Action(id="pulse.answer", label=str(score), value=f"{n}:{score}") for score in range(1, 6)],
        context="Responde antes del viernes.",
    )


# ---------------------------------------------------------------- database


class Database:
    def __init__(self, url: str | None, tmp: Path) -> None:
        self.drop: Callable[[], None] = lambda: None
        if url is None:
            self.url = f"sqlite:///{tmp / 'fanout.db'}"
            self.backend = "sqlite"
        else:
            server = make_url(url)

            def admin(sql: str) -> None:
                with psycopg.connect(host=server.host, port=server.port, user=server.username,
                                     password=server.password, dbname=server.database or "postgres",
                                     autocommit=True) as db:
                    db.execute(sql)  # type: ignore[arg-type]  (our own names only)

            admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            admin(f"CREATE DATABASE {PG_DATABASE}")
            self.url = server.set(database=PG_DATABASE).render_as_string(hide_password=False)
            self.backend = "postgresql"
            self.drop = lambda: admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        upgrade(self.url)


async def fill_outbox(sessions, people: list[int], now: datetime) -> float:  # noqa: ANN001
    """One question to each person, written in one transaction as a survey's
    opening would; returns the seconds it took."""
    started = time.monotonic()
    async with sessions() as session:
        for n, person_id in enumerate(people):
            enqueue(session, recipient_kind=PERSON, recipient_id=person_id, message=survey_question(n), now=now)
        await session.commit()
    return time.monotonic() - started


async def owed(sessions) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(Outbox).where(
            Outbox.status.in_(["pending", "sending"])))).one()  # type: ignore[attr-defined]


async def not_sent(sessions, since: int) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(Outbox).where(
            Outbox.id > since, Outbox.status != "sent"))).one()


async def last_id(sessions) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.max(Outbox.id)))).one() or 0


# ---------------------------------------------------------------- runs


async def deliver(args: argparse.Namespace, sessions, people: list[int], run: Run) -> Result:  # noqa: ANN001
    clock = SystemClock()
    async with FakeSlackAPI() as fake:
        limits = []
        if run.limited:
            limits = [
                fake.limit_rate("chat.postMessage", args.per_channel, channel=EACH_CHANNEL),
                fake.limit_rate("chat.postMessage", args.workspace),
                fake.limit_rate("conversations.open", args.open_per_minute, seconds=60),
            ]
        if args.latency > 0:  # Slack answers in tens of milliseconds, not at once
            for method in ("chat.postMessage", "conversations.open"):
                fake.stall_next(method, args.latency, times=10**9)
        before = await last_id(sessions)
        await fill_outbox(sessions, people[: run.messages], clock.now())
        async with aiohttp.ClientSession() as http:  # one HTTP session, as `pedir serve` keeps
            client = AsyncWebClient(token="xoxb-bench", base_url=fake.api_url, session=http)
            dispatcher = Dispatcher(sessions, [SlackChannel(client)], clock, concurrency=run.concurrency,
                                    batch=args.batch)
            loop = DeliveryLoop(dispatcher)
            started, cpu = time.monotonic(), time.process_time()
            loop.start()
            loop.kick()
            while await owed(sessions) and time.monotonic() - started < TIMEOUT_SECONDS:
                await asyncio.sleep(0.1)
            seconds, cpu = time.monotonic() - started, time.process_time() - cpu
            await loop.stop()
        lost = await not_sent(sessions, before)
        # What Slack holds: each person's DM should have exactly one post.
        posts = Counter(len(fake.messages_in(FakeSlackAPI.dm_channel(slack_user(n)))) for n in range(run.messages))
        duplicated = sum(count for posted, count in posts.items() if posted > 1)
        refused = sum(limit.refused for limit in limits)
        opened = len(fake.calls_to("conversations.open"))
    allowed = min(args.workspace, args.per_channel * run.messages) if run.limited else None
    return Result(run, seconds, allowed, refused, lost, duplicated, opened, cpu)


def show(result: Result) -> None:
    run = result.run
    allowed = f"{result.allowed:.0f}/s" if result.allowed else "unlimited"
    ratio = f"{result.throughput / result.allowed:.2f}" if result.allowed else "-"
    print(f"{run.name:<10} {run.messages:>8} {run.concurrency:>5} {result.seconds:>9.1f} {result.throughput:>10.1f} "
          f"{allowed:>10} {ratio:>6} {result.refused:>6} {result.lost:>5} {result.duplicated:>5} {result.opened:>5} "
          f"{result.cpu / result.seconds:>5.0%}")


async def main_async(args: argparse.Namespace) -> None:
    runs = {
        "fanout": Run("fanout", args.people, args.concurrency, limited=True),
        "baseline": Run("baseline", min(args.baseline, args.people), 1, limited=True),
        "unlimited": Run("unlimited", args.people, args.concurrency, limited=False),
    }
    chosen = [runs[name] for name in args.runs.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(args.database_url, Path(tmp))
        engine = create_engine(database.url)
        sessions = session_factory(engine)
        try:
            loaded = time.monotonic()
            people = await add_people(sessions, args.people, SystemClock().now())
            print(f"{database.backend}: {len(people)} people with a Slack account in {time.monotonic() - loaded:.1f} s; "
                  f"limits: chat.postMessage {args.per_channel}/s per channel and {args.workspace}/s per workspace, "
                  f"conversations.open {args.open_per_minute}/min; {args.latency:g} s per call; batch {args.batch}")
            print(f"{'run':<10} {'messages':>8} {'conc':>5} {'seconds':>9} {'msgs/s':>10} {'allowed':>10} {'ratio':>6} "
                  f"{'429s':>6} {'lost':>5} {'dup':>5} {'opens':>5} {'cpu':>5}")
            results = {}
            for run in chosen:
                results[run.name] = result = await deliver(args, sessions, people, run)
                show(result)
            if "fanout" in results and "baseline" in results:
                new, old = results["fanout"], results["baseline"]
                print(f"fan-out / baseline throughput: {new.throughput / old.throughput:.1f}x")
            # Before DMs went to the user id, each needed conversations.open first (Tier 3).
            print(f"(opening each DM first, at {args.open_per_minute}/min, {args.people} DMs would take at least "
                  f"{args.people / args.open_per_minute:.0f} min)")
        finally:
            await engine.dispose()
            database.drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=500, help="messages in the concurrency-1 run")
    parser.add_argument("--workspace", type=int, default=100, help="chat.postMessage a second, whole workspace")
    parser.add_argument("--per-channel", type=int, default=1, help="chat.postMessage a second in any one channel")
    parser.add_argument("--open-per-minute", type=int, default=50, help="conversations.open a minute (Tier 3)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--batch", type=int, default=50, help="rows a dispatcher claims at once")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the stand-in takes to answer each call")
    parser.add_argument("--database-url", help="a PostgreSQL server (a database of its own is made there)")
    parser.add_argument("--runs", default="fanout,baseline,unlimited")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
