"""A pulse's results at 100,000 answers: is the aggregation in SQL fast enough?

One database per backend (SQLite file migrated with storage.migrate; with
--database-url, a PostgreSQL database `pedir_bench_pulse` created on that
server and dropped after), holding 50 teams, the subject team's requests
(--requests, for its figures) and two pulses about that team, each with
--rounds rounds, open until their answers are loaded and then closed by
bot.pulses.closing.close() as the worker does (oldest first):

- the baseline: 1,000 answers in all;
- the big one: 100,000 answers in all (--answers).

Every respondent answers a 1–5 question and an eNPS question, one in five adds
a comment, and belongs to one of the 50 teams (some to none). Answers are
loaded straight into pulse_answer as the mixer leaves them (SQLite:
executemany in one transaction; PostgreSQL: COPY, then ANALYZE).

Closing a round tallies its answers once (bot.pulses.tally.record: one
INSERT ... SELECT ... GROUP BY and the count of respondents). That runs once
per round, so it is timed apart: close() of the latest round, once, and
tally.record() alone, re-run (it is idempotent) as the median of a few runs.

For each pulse it then times, as the median of --runs runs (wall clock, ms):
results_message() for its latest round (what /pulso resultados and the closing
job build: aggregation, breakdown, trend, comments, the team's figures,
rendering), and its parts: round_results() (the answers' aggregates) and
team_figures(). Then the ratio big / baseline, and the query plans of the
statements at the big size. With --untallied it measures again with every
tally removed, as for rounds closed before migration 0006 (read straight from
pulse_answer: what every read cost before tallies). Target: results_message
< 200 ms at 100,000 answers. No assertions: it prints.

    .venv/bin/python bench/pulse_results.py [--answers 100000] [--rounds 6] [--runs 9]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--no-sqlite] [--untallied]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import delete, event, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench._databases import on_each_database  # noqa: E402
import bot.domains  # noqa: E402, F401  (registers the domains' sentences)
from bot.context import Ctx  # noqa: E402
from bot.pulses import closing, figures, results, tally  # noqa: E402
from bot.pulses.commands.results import results_message  # noqa: E402
from bot.pulses.states import COMMENT, ENPS, OPEN, SCALE  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Person, Pulse, PulseRound, PulseTally, Request, RequestRating, Team  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
TEAMS = 50
PG_DATABASE = "pedir_bench_pulse"
QUESTIONS = [{"kind": SCALE, "text": "¿Cómo valoras el servicio de Sistemas este mes?"},
             {"kind": ENPS, "text": "¿Recomendarías Sistemas a un compañero?"}]
# Never a migration: created in the bench's database only (--candidate-index), to see what it buys.
CANDIDATE_INDEX = ("CREATE INDEX ix_bench_pulse_answer_round_team ON pulse_answer "
                   "(round_id, team_id, question, score)")
ANSWER_COLUMNS = ("id", "round_id", "question", "score", "text", "team_id", "receipt_hash")
COMMENTS = ["Responden rápido y bien.", "Tardan en contestar los lunes.", "Muy amables, pero lentos.",
            "No sé a quién preguntar.", "Todo correcto."]


# ---------------------------------------------------------------- the data


async def seed(sessions, answers: list[int], rounds: int, requests: int) -> list[tuple[int, int]]:  # noqa: ANN001
    """Teams, people, requests and one pulse per size with its open rounds:
    [(pulse id, latest round id, round ids, size)]."""
    rng = random.Random(7)
    async with sessions() as session, session.begin():
        session.add_all([Team(id=i, slug=f"team-{i}", name=f"Equipo {i:02}") for i in range(1, TEAMS + 1)])
        session.add(Person(id=1, email="hr@example.com", name="RR. HH.", hr=True))
        await session.flush()
        for i in range(requests):
            created = NOW - timedelta(days=rng.uniform(1, 200))
            first = created + timedelta(minutes=rng.uniform(5, 600))
            resolved = first + timedelta(hours=rng.uniform(1, 72))
            request = Request(id=i + 1, requester_id=1, team_id=1, description="x", created_at=created,
                              status="resolved", first_response_at=first, first_response_met=rng.random() < 0.8,
                              resolved_at=resolved, resolution_met=rng.random() < 0.7)
            session.add(request)
            if rng.random() < 0.3:
                session.add(RequestRating(request_id=i + 1, score=rng.randint(1, 5), created_at=resolved))
        found = []
        for size in answers:
            pulse = Pulse(created_by_id=1, subject_team_id=1, questions=QUESTIONS, min_answers=5,
                          audience={"everyone": True}, schedule={"kind": "monthly"})
            session.add(pulse)
            await session.flush()
            made = []
            for number in range(1, rounds + 1):
                closes = NOW - timedelta(days=30 * (rounds - number) + 1)
                made.append(PulseRound(pulse_id=pulse.id, number=number, on_date=(closes - timedelta(days=3)).date(),
                                       questions=QUESTIONS, comment=True, opens_at=closes - timedelta(days=3),
                                       closes_at=closes, state=OPEN, audience_size=size,
                                       team_answer="Gracias: reforzamos las guardias de los lunes."))
            session.add_all(made)
            await session.flush()
            found.append((pulse.id, made[-1].id, [r.id for r in made], size))
    return found


def answer_rows(round_ids: list[int], size: int, seed: int) -> list[tuple]:
    """About `size` answers spread over the rounds: two scores per respondent, a comment from one in five."""
    rng = random.Random(seed)
    rows: list[tuple] = []
    per_round = size // len(round_ids)
    for round_id in round_ids:
        made = 0
        while made < per_round:
            receipt = secrets.token_hex(32)
            team = rng.randint(1, TEAMS) if rng.random() > 0.02 else None
            said = [(0, rng.choices(range(1, 6), weights=(1, 2, 4, 6, 4))[0], None),
                    (1, rng.choices(range(11), weights=(1, 1, 1, 1, 2, 2, 3, 5, 6, 5, 4))[0], None)]
            if rng.random() < 0.2:
                said.append((COMMENT, None, rng.choice(COMMENTS)))
            for question, score, text_ in said[: per_round - made]:
                rows.append((secrets.token_hex(16), round_id, question, score, text_, team, receipt))
            made += len(said)
    rows.sort()  # as the mixer leaves them: in the order of their random ids
    return rows


def load_sqlite(path: Path, rows: list[tuple]) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO pulse_answer ({', '.join(ANSWER_COLUMNS)}) VALUES ({', '.join('?' * 7)})", rows)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def load_postgres(url: str, rows: list[tuple]) -> None:
    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database) as db:
        with db.cursor() as cur, cur.copy(f"COPY pulse_answer ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        db.commit()
        db.autocommit = True
        db.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load


# ---------------------------------------------------------------- timing


class SqlClock:
    """The time spent in the driver's execute calls: what grows if a query reads too much
    (on a shared machine the wall clock also carries everyone else's load)."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.ms = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn, *_args) -> None:  # noqa: ANN001
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, *_args) -> None:  # noqa: ANN001
        self.ms += (time.perf_counter() - conn.info.pop("bench_started")) * 1000


async def median_ms(runs: int, work: Callable[[], Awaitable[object]], sql: SqlClock) -> tuple[float, float]:
    """The median wall-clock ms of `runs` runs, and the median ms spent in SQL calls."""
    await work()  # warm: connection, statement cache
    times, in_sql = [], []
    for _ in range(runs):
        sql.ms = 0.0
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
        in_sql.append(sql.ms)
    return statistics.median(times), statistics.median(in_sql)


async def measure(sessions, sql: SqlClock, pulse_id: int, round_id: int, runs: int) -> dict[str, float]:  # noqa: ANN001
    async with sessions() as session:
        pulse = await session.get(Pulse, pulse_id)
        round_ = await session.get(PulseRound, round_id)

        async def message() -> object:
            return await results_message(session, pulse, round_, "es", NOW)

        async def aggregates() -> object:
            return await results.round_results(session, pulse, round_)

        async def team() -> object:
            return await figures.team_figures(session, 1, round_)

        built = await message()
        found: dict[str, float] = {"chars": len(built.text)}  # type: ignore[attr-defined]
        for name, work in (("message", message), ("aggregates", aggregates), ("figures", team)):
            found[name], found[name + "_sql"] = await median_ms(runs, work, sql)
        return found


TALLY_RUNS = 5  # tally.record() re-runs: it runs once per round, a few runs give a steady median


async def close_rounds(sessions, sql: SqlClock, made) -> dict[int, dict[str, float]]:  # noqa: ANN001
    """Closes every round as the worker does, oldest first (the trend reads the earlier ones);
    times close() of each pulse's latest round, once, and tally.record() of it alone."""
    found: dict[int, dict[str, float]] = {}
    for _pulse, latest, round_ids, size in made:
        for round_id in round_ids:
            sql.ms = 0.0
            start = time.perf_counter()
            async with sessions() as session, session.begin():
                await closing.close(Ctx(session, NOW), round_id)
            closed = (time.perf_counter() - start) * 1000, sql.ms

        async def record() -> object:
            async with sessions() as session, session.begin():
                return await tally.record(session, latest)  # noqa: B023

        recorded = await median_ms(TALLY_RUNS, record, sql)
        found[size] = {"close": closed[0], "close_sql": closed[1], "tally": recorded[0], "tally_sql": recorded[1]}
    return found


async def untally(sessions) -> None:  # noqa: ANN001
    """Every round as if closed before migration 0006: no tally, respondents NULL."""
    async with sessions() as session, session.begin():
        await session.exec(delete(PulseTally))
        await session.exec(update(PulseRound).values(respondents=None))


PLANNED = {
    # At close, once per round (bot.pulses.tally.record):
    "tally at close": "SELECT round_id, question, coalesce(team_id, 0), coalesce(score, -1), count(*) "
                      "FROM pulse_answer WHERE round_id = :r GROUP BY round_id, question, team_id, score",
    "respondents at close": "SELECT count(DISTINCT receipt_hash) FROM pulse_answer WHERE round_id = :r",
    # On every read:
    "cells": "SELECT team_id, question, score, answers FROM pulse_tally WHERE round_id = :r",
    "texts": "SELECT question, text FROM pulse_answer WHERE round_id = :r AND question IN (9) AND score IS NULL "
             "AND text IS NOT NULL",
    "trend": "SELECT round_id, question, score, sum(answers) FROM pulse_tally WHERE round_id IN (:a, :r) "
             "AND score != -1 GROUP BY round_id, question, score",
}


async def plans(engine, backend: str, round_id: int) -> None:  # noqa: ANN001
    print("    plans (latest round of the big pulse):")
    async with engine.connect() as conn:
        for name, sql in PLANNED.items():
            explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) "
            rows = (await conn.execute(text(explain + sql), {"r": round_id, "a": round_id - 1})).all()
            lines = [" ".join(str(c) for c in row[-1:]) for row in rows]
            print(f"    {name}:")
            for line in lines:
                print(f"      {line}")


async def run(backend: str, url: str, args: argparse.Namespace) -> dict[int, dict[str, float]]:
    upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    sizes = [1000, args.answers]
    try:
        made = await seed(sessions, sizes, args.rounds, args.requests)
        rows: list[tuple] = []
        for i, (_pulse, _latest, round_ids, size) in enumerate(made):
            rows += answer_rows(round_ids, size, seed=i)
        start = time.perf_counter()
        if backend == "sqlite":
            load_sqlite(Path(make_url(url).database), rows)
        else:
            load_postgres(url, rows)
        print(f"  {backend}: {len(rows):,} answers loaded in {time.perf_counter() - start:.1f} s "
              f"({args.rounds} rounds per pulse, {args.requests:,} requests)")
        sql = SqlClock(engine)
        closes = await close_rounds(sessions, sql, made)
        if backend == "postgresql":  # as autovacuum would after the tallies' inserts
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE pulse_tally"))
        print("    closing (once per round; ms: wall clock, and in brackets the time in SQL calls):")
        for size, c in closes.items():
            print(f"    {size:>9,} answers: close() {c['close']:6.1f} ({c['close_sql']:5.1f}) once   "
                  f"of which tally.record {c['tally']:6.1f} ({c['tally_sql']:5.1f}), median of {TALLY_RUNS}")
        found = await report(sessions, sql, made, args, "as migrated, tallied at close")
        await plans(engine, backend, made[-1][1])
        if args.untallied:
            await untally(sessions)
            await report(sessions, sql, made, args, "as migrated, no tally (rounds closed before 0006)")
        if args.candidate_index:
            async with engine.begin() as conn:
                await conn.execute(text(CANDIDATE_INDEX))
                if backend == "postgresql":  # as autovacuum would; Pedir never ANALYZEs SQLite
                    await conn.execute(text("ANALYZE pulse_answer"))
            found = await report(sessions, sql, made, args, "with " + CANDIDATE_INDEX.split(" ON ")[0].split()[-1])
            await plans(engine, backend, made[-1][1])
        return found
    finally:
        await engine.dispose()


async def report(sessions, sql: SqlClock, made, args: argparse.Namespace, variant: str) -> dict[int, dict[str, float]]:  # noqa: ANN001
    print(f"    indexes {variant} (ms: wall clock median, and in brackets the time in SQL calls):")
    found = {}
    for pulse_id, latest, _rounds, size in made:
        found[size] = f = await measure(sessions, sql, pulse_id, latest, args.runs)
        print(f"    {size:>9,} answers: results_message {f['message']:6.1f} ({f['message_sql']:5.1f})   "
              f"round_results {f['aggregates']:6.1f} ({f['aggregates_sql']:5.1f})   "
              f"team_figures {f['figures']:5.1f} ({f['figures_sql']:5.1f})   {f['chars']:.0f} chars")
    big, base = found[args.answers], found[1000]
    print(f"    ratio {args.answers:,} / 1,000: results_message x{big['message'] / base['message']:.1f}, "
          f"round_results x{big['aggregates'] / base['aggregates']:.1f}; "
          f"target < 200 ms at {args.answers:,}: {'met' if big['message'] < 200 else 'NOT met'}")
    return found


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6, help="closed rounds per pulse; the answers are spread over them")
    parser.add_argument("--requests", type=int, default=5000, help="the subject team's requests (its figures)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it) to also run on")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--untallied", action="store_true",
                        help="then remove every tally and measure again: reads straight from pulse_answer")
    parser.add_argument("--candidate-index", action="store_true",
                        help="then add CANDIDATE_INDEX (round_id, team_id, question, score) and measure again")
    args = parser.parse_args()
    print(f"pulse results: 1,000 and {args.answers:,} answers, median of {args.runs} runs, wall clock")
    await on_each_database(args, PG_DATABASE, run)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
