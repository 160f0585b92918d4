"""The dashboard's overview over 100,000 requests and 50 teams: under 300 ms?

One database per backend and size (SQLite files migrated with storage.migrate;
with --database-url, PostgreSQL databases created on that server and dropped
after), each holding 50 teams with a lead and members, an HR reader, and
requests spread over the last 365 days (a quarter still open, the rest
resolved or rejected with their SLA outcome, one in five rated, one in forty
bounced 3+ times) with a sent nudge for one in five (one in four of those an
escalation to a lead):

- the baseline: 1,000 requests;
- the big one: --requests (100,000).

For each it signs HR in (who sees every team) through /pedir panel's link and
times GET /panel?dias=N for N in 7, 30, 90 against the dashboard served on
loopback by aiohttp (the whole page: session check, figures, template), as
the median of --runs requests, and figures.overview() alone; then the ratio
big / baseline. Target: the page under 300 ms at 100,000 requests. No
assertions: it prints.

    .venv/bin/python bench/dashboard.py [--requests 100000] [--runs 15]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from bench._databases import postgres_database  # noqa: E402

import bot.domains  # noqa: E402, F401  (registers the domains' sentences)
from adapters.web.dashboard import mount  # noqa: E402
from bot.app import Pedir  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.dashboard import figures, scope  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Membership, Nudge, Person, Request, RequestRating, Team  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
TEAMS = 50
PEOPLE_PER_TEAM = 4
HISTORY_DAYS = 365
BASELINE = 1_000
CHUNK = 5_000


def requests_rows(count: int, team_ids: list[int], people: list[int], rng: random.Random) -> list[dict]:
    rows = []
    for i in range(count):
        created = NOW - timedelta(seconds=rng.uniform(0, HISTORY_DAYS * 86400))
        first = created + timedelta(minutes=rng.uniform(5, 60 * 24))
        status = rng.choices(("new", "in_progress", "resolved", "rejected"), (10, 15, 65, 10))[0]
        closed = status in ("resolved", "rejected")
        resolved = first + timedelta(hours=rng.uniform(1, 24 * 10)) if closed else None
        if resolved is not None and resolved > NOW:
            resolved = NOW
        rows.append({
            "requester_id": rng.choice(people), "team_id": team_ids[i % len(team_ids)],
            "description": f"Petición {i}", "priority": rng.choice(("urgent", "high", "normal", "low")),
            "status": status, "created_at": created, "updated_at": resolved or first,
            "first_response_at": first if status != "new" else None,
            "first_response_met": (rng.random() < 0.8) if status != "new" else None,
            "resolution_due_at": None if closed else created + timedelta(days=3),
            "resolved_at": resolved, "resolution_met": (rng.random() < 0.75) if closed else None,
            "reassign_count": 3 if rng.random() < 0.025 else rng.choice((0, 0, 0, 1)),
            "flagged": False, "version": 1,
        })
    return rows


async def seed(url: str, count: int) -> Pedir:
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(14)
    async with sessions() as session, session.begin():
        teams = [Team(slug=f"equipo{n:02d}", name=f"Equipo {n:02d}", card_reviewed_at=NOW - timedelta(days=n * 5))
                 for n in range(TEAMS)]
        hr = Person(email="rrhh@example.com", name="RR. HH.", hr=True)
        session.add_all([*teams, hr])
        await session.flush()
        people = []
        for team in teams:
            for k in range(PEOPLE_PER_TEAM):
                person = Person(email=f"p{k}.{team.slug}@example.com", name=f"Persona {k} {team.name}")
                session.add(person)
                await session.flush()
                people.append(person.id)
                session.add(Membership(person_id=person.id, team_id=team.id, role="lead" if k == 0 else "member"))
        team_ids, hr_id = [team.id for team in teams], hr.id
    rows = requests_rows(count, team_ids, people, rng)
    async with sessions() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.exec(insert(Request), params=rows[start:start + CHUNK])  # type: ignore[call-overload]
        ids = [(rid, status, resolved, created) for rid, status, resolved, created in (await session.exec(
            text("SELECT id, status, resolved_at, created_at FROM request"))).all()]
        ratings, nudges = [], []
        for rid, status, _resolved, _created in ids:
            row = rows[rid - 1]
            if status == "resolved" and rng.random() < 0.2:
                ratings.append({"request_id": rid, "score": rng.randint(1, 5), "created_at": row["resolved_at"]})
            if rng.random() < 0.2:
                escalation = rng.random() < 0.25
                nudges.append({"subject_kind": "request", "subject_id": rid, "kind": "request.resolution.warn",
                               "window_key": "w", "recipient_kind": "person", "recipient_id": rng.choice(people),
                               "state": "sent", "send_at": row["created_at"], "sent_at": row["created_at"],
                               "data": {"role": "lead" if escalation else "owner", "team": row["team_id"]},
                               "snoozes": 0, "created_at": row["created_at"]})
        for start in range(0, len(ratings), CHUNK):
            await session.exec(insert(RequestRating), params=ratings[start:start + CHUNK])  # type: ignore[call-overload]
        for start in range(0, len(nudges), CHUNK):
            await session.exec(insert(Nudge), params=nudges[start:start + CHUNK])  # type: ignore[call-overload]
    if engine.dialect.name == "postgresql":  # as autovacuum would after a bulk load
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))
    pedir = Pedir(sessions, Settings(DATABASE_URL=url), FixedClock(NOW))
    pedir.hr_id = hr_id  # type: ignore[attr-defined]
    return pedir


async def measure(pedir: Pedir, runs: int) -> dict[str, float]:
    app = web.Application()
    mount(app, pedir)
    timings: dict[str, float] = {}
    async with TestClient(TestServer(app)) as client:
        async with pedir.sessions() as session:
            hr = await session.get(Person, pedir.hr_id)  # type: ignore[attr-defined]
        reply = await pedir.command(hr, "pedir", "panel")
        token = reply.message.text.split("?t=")[1].split()[0]
        signed = await client.post("/panel/entrar", data={"t": token}, allow_redirects=False)
        assert signed.status == 303, signed.status
        for days in figures.PERIODS:
            samples = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                page = await client.get(f"/panel?dias={days}")
                await page.read()
                samples.append((time.perf_counter() - started) * 1000)
                assert page.status == 200
            timings[f"page {days:>2} d"] = statistics.median(samples[1:])  # the first warms the caches
            samples = []
            async with pedir.sessions() as session:
                teams = await scope.visible_teams(session, await scope.viewer(session, hr))
                for _ in range(runs + 1):
                    started = time.perf_counter()
                    await figures.overview(session, teams, NOW, days)
                    samples.append((time.perf_counter() - started) * 1000)
            timings[f"overview() {days:>2} d"] = statistics.median(samples[1:])
    return timings


async def run(backend: str, urls: dict[int, str], args: argparse.Namespace) -> None:
    results = {}
    for size, url in urls.items():
        started = time.perf_counter()
        pedir = await seed(url, size)
        print(f"[{backend}] {size:,} requests seeded in {time.perf_counter() - started:.0f} s")
        results[size] = await measure(pedir, args.runs)
        await pedir.sessions.kw["bind"].dispose() if hasattr(pedir.sessions, "kw") else None
    small, big = results[BASELINE], results[args.requests]
    print(f"[{backend}] median of {args.runs} (ms)    {BASELINE:>9,}  {args.requests:>9,}   ratio")
    for key in big:
        print(f"[{backend}] {key:<24} {small[key]:9.1f}  {big[key]:9.1f}   {big[key] / small[key]:5.1f}x")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it) to also run on")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"dashboard overview: {TEAMS} teams, HR's view (every team), {BASELINE:,} and {args.requests:,} requests")
    tmp = Path(tempfile.mkdtemp(prefix="pedir-dashboard-"))
    try:
        if not args.no_sqlite:
            await run("sqlite", {size: f"sqlite:///{tmp / f'dash{size}.db'}" for size in (BASELINE, args.requests)},
                      args)
        if args.database_url:
            made = {size: postgres_database(args.database_url, f"pedir_bench_dash_{size}")
                    for size in (BASELINE, args.requests)}
            try:
                await run("postgresql", {size: url for size, (url, _drop) in made.items()}, args)
            finally:
                for _url, drop in made.values():
                    drop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
