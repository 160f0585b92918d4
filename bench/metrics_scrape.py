"""What a scrape of /metrics costs the database: the outbox backlog query
(bot/delivery/backlog.py) with a small queue behind a growing history of
delivered messages, on SQLite and PostgreSQL; and, on PostgreSQL, its plan.
Target: the time follows the queue, not the history (ratio between the
history sizes about 1x), and stays within a few milliseconds.

    .venv/bin/python bench/metrics_scrape.py [--history 1000000] [--queue 1000] \
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from bench._databases import postgres_database  # noqa: E402
from bot.delivery.backlog import UNDELIVERED, backlog  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Outbox  # noqa: E402

PG_DATABASE = "pedir_bench_metrics"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
CHUNK = 10_000


async def fill(sessions, count: int, status: str, start: int) -> None:  # noqa: ANN001
    """`count` outbox rows with this status, a second apart, in chunks."""
    for first in range(0, count, CHUNK):
        rows = [dict(recipient_kind="person", recipient_id=(start + n) % 5000, card_key=None,
                     payload={"text": "x"}, status=status, attempts=1 if status == "sent" else 0,
                     next_attempt_at=NOW, created_at=NOW - timedelta(seconds=start + n),
                     sent_at=NOW if status == "sent" else None)
                for n in range(first, min(first + CHUNK, count))]
        async with sessions() as session, session.begin():
            await session.exec(insert(Outbox), params=rows)  # type: ignore[call-overload]


async def timed(sessions, runs: int) -> float:  # noqa: ANN001
    """Median milliseconds of one backlog read, in a session of its own as a scrape does."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        async with sessions() as session:
            found = await backlog(session)
        times.append((time.perf_counter() - started) * 1000)
    assert sum(found.depth.values()) > 0
    return statistics.median(times)


async def run(name: str, url: str, args: argparse.Namespace) -> None:
    upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        await fill(sessions, args.queue // 2, "pending", 0)
        await fill(sessions, args.queue - args.queue // 2, "sending", args.queue)
        figures = {}
        loaded = 0
        for size in (args.history // 100, args.history):
            await fill(sessions, size - loaded, "sent", 10 * args.queue + loaded)
            loaded = size
            if name == "postgresql":
                async with engine.connect() as conn:
                    await conn.execute(text("ANALYZE outbox"))
            figures[size] = await timed(sessions, args.runs)
            print(f"  {name:10} history {size:>9,}  queue {args.queue:>6,}  backlog read {figures[size]:7.2f} ms")
        small, big = figures[args.history // 100], figures[args.history]
        print(f"  {name:10} ratio {args.history:,} / {args.history // 100:,} history: x{big / small:.2f}")
        if name == "postgresql":
            async with engine.connect() as conn:
                statuses = ", ".join(f"'{s}'" for s in UNDELIVERED)
                plan = await conn.execute(text(
                    "EXPLAIN (ANALYZE, BUFFERS) SELECT status, count(*), min(created_at) FROM outbox "
                    f"WHERE status IN ({statuses}) GROUP BY status"))
                print("  plan:\n" + "\n".join(f"    {line}" for (line,) in plan.all()))
    finally:
        await engine.dispose()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=int, default=1_000_000, help="delivered messages (measured at 1 %% and all)")
    parser.add_argument("--queue", type=int, default=1000, help="undelivered messages (pending and sending)")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it) to also run on")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"metrics scrape: the outbox backlog query, median of {args.runs} runs")
    tmp = Path(tempfile.mkdtemp(prefix="pedir-metrics-"))
    try:
        if not args.no_sqlite:
            await run("sqlite", f"sqlite:///{tmp / 'metrics.db'}", args)
        if args.database_url:
            url, drop = postgres_database(args.database_url, PG_DATABASE)
            try:
                await run("postgresql", url, args)
            finally:
                drop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
