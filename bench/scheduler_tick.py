"""The worker's tick against a long history: does its cost follow the due work
or the size of the tables?

For each size (requests + issues; --sizes 10000,1000000) and each backend
(SQLite file migrated with storage.migrate; PostgreSQL database
`pedir_bench_tick`, created and dropped), it bulk-loads a history straight into
the tables (SQLite: executemany in big batches, one transaction, synchronous=OFF
for this load; PostgreSQL: COPY, foreign-key triggers off for the load, then
VACUUM ANALYZE as autovacuum would; both: the big tables' secondary indexes
dropped before and built after):

- 1,000 people in 50 teams (20 each, the first is the lead), 10 customers;
- requests (90 % of the size): mostly resolved long ago (due columns NULL, their
  nudges `sent` or `cancelled`), 10 % open and due in the future (nudges
  `planned` days ahead); issues (10 %): mostly closed (next_update_due NULL,
  their reminder `sent` or `cancelled`), the rest due in the future (reminder
  and escalation `planned`); each `sent` nudge's message in the outbox, `sent`;
- and 1,000 requests whose resolution deadline has just passed, in progress,
  one per owner: 1,000 planned nudges due now, for 1,000 different people (so
  the merge per person does not fold them into a few messages).

Then it times whole ticks (every registry job once, as `pedir worker` runs
them: nudges.send, nudges.confirm, and any other), at a fixed clock:

- tick 1: 1,000 due (the send job takes PER_TICK recipients a tick);
- delivery is simulated between ticks (the outbox rows the tick wrote marked
  sent, untimed): tick 2 sends the rest and confirms the first ones (which
  refreshes their request cards), tick 3 confirms the rest;
- then the empty tick, nothing due: the median of --empty-runs runs.

Figures printed: rows loaded, load time, each tick (per job: items, ms, SQL
statements; --top N: the statements that took longest), the three ticks' total
(the cost of 1,000 due nudges) and its ratio largest size / smallest size
(target <= 2x), the empty tick (target < 5 ms). Each in wall-clock ms and, in
brackets, this process's CPU ms and the ms spent in the driver's execute calls
(on a shared machine the wall clock is noisy; the SQL time is what grows if a
query reads history). Then the plans of every statement the ticks ran on the
nudge table (PostgreSQL: EXPLAIN ANALYZE, in a transaction rolled back; SQLite:
EXPLAIN QUERY PLAN), with half the due nudges planned again and half queued
and delivered, plus two queries on the same table outside the tick (the
console's next_at, a snooze press), and a warning for any full scan.
--candidate-indexes then adds CANDIDATE_INDEXES to the same database (never a
migration) and measures again. No assertions on time: it prints.

    .venv/bin/python bench/scheduler_tick.py [--sizes 10000,1000000] [--backends sqlite,postgresql]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--empty-runs 50]
        [--repeat 1] [--top 0] [--candidate-indexes] [--all-plans] [--sqlite-analyze] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import delete, event, func, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.app import Pedir  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.issues.scheduled import LATE as ISSUE_LATE  # noqa: E402
from bot.issues.scheduled import OVERDUE as ISSUE_OVERDUE  # noqa: E402
from bot.nudges import sender  # noqa: E402
from bot.nudges.ledger import CANCELLED, PLANNED, QUEUED, SENT, window_of  # noqa: E402
from bot.requests.scheduled import FR_WARN, RATING, RES_BREACH, RES_WARN  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Nudge, Outbox  # noqa: E402

# A Wednesday, 11:00 in Madrid: inside everyone's working hours.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
# Every team's next daily digest: tomorrow, 09:00 in Madrid (naive UTC, as the loaders take it).
TOMORROW_9 = datetime(2026, 11, 26, 8, 0)
PEOPLE, TEAMS, CUSTOMERS = 1000, 50, 10
DUE = 1000
BATCH_ROWS = 50_000
PG_DATABASE = "pedir_bench_tick"
HOURS = {day: ["09:00", "18:00"] for day in ("mon", "tue", "wed", "thu")} | {"fri": ["08:00", "15:00"]}
SLA = {"high": {"first_response": 240, "resolution": 480}, "normal": {"first_response": 240, "resolution": 1440}}

# ---------------------------------------------------------------- the history, as rows

COLUMNS = {
    "person": ("id", "email", "name", "locale", "timezone", "created_at", "profile_complete", "field_sources"),
    "team": ("id", "slug", "name", "aliases", "what_we_do", "our_customers", "ask_us_for", "we_need_from_you",
             "keywords", "sla", "business_hours", "timezone", "locale", "intake", "update_cadence", "country",
             "subdivision", "extra_holidays", "digest_due_at"),
    "membership": ("id", "person_id", "team_id", "role"),
    "customer": ("id", "slug", "name", "aliases", "account_manager_id", "tier", "notes", "created_at"),
    "request": ("id", "requester_id", "team_id", "owner_id", "description", "customer", "customer_id", "priority",
                "due_date", "status", "created_at", "updated_at", "first_response_due_at", "resolution_due_at",
                "first_response_at", "first_response_warn_at", "resolution_warn_at", "waiting_since",
                "first_response_met", "resolution_met", "sla_paused_remaining", "resolved_at", "reassign_count",
                "flagged", "version"),
    "issue": ("id", "customer_id", "title", "severity", "state", "owner_team_id", "owner_id", "created_by_id",
              "created_at", "updated_at", "closed_at", "last_status_at", "next_update_due", "version"),
    "outbox": ("id", "recipient_kind", "recipient_id", "card_key", "payload", "status", "attempts", "next_attempt_at",
               "lease_until", "last_error", "created_at", "sent_at", "platform", "address", "external_id"),
    "nudge": ("id", "subject_kind", "subject_id", "kind", "window_key", "recipient_kind", "recipient_id", "state",
              "send_at", "data", "outbox_id", "snoozes", "created_at", "queued_at", "sent_at"),
}
BIG_TABLES = ("request", "issue", "nudge", "outbox")
JSON_COLUMNS = {"field_sources", "aliases", "keywords", "sla", "business_hours", "intake", "update_cadence",
                "extra_holidays", "data", "payload"}


@dataclass
class History:
    size: int
    requests: int = 0
    issues: int = 0
    nudges: Counter = field(default_factory=Counter)  # by state
    due_requests: list[int] = field(default_factory=list)
    due_nudges: list[int] = field(default_factory=list)  # earliest due first


def team_of(person: int) -> int:
    return (person - 1) % TEAMS + 1


def lead_of(team: int) -> int:
    return team  # persons 1..TEAMS are the leads of teams 1..TEAMS


def fixed_rows() -> dict[str, list[tuple]]:
    people = [(p, f"person{p}@example.com", f"Persona {p}", "en" if p % 7 == 0 else "es", "Europe/Madrid",
               NOW.replace(tzinfo=None) - timedelta(days=900), True, {}) for p in range(1, PEOPLE + 1)]
    teams = [(t, f"team{t}", f"Equipo {t}", [], "", "", "", "", [], SLA, HOURS, "Europe/Madrid", None,
              {"slack": f"C{t:08d}"}, {}, None, None, [], TOMORROW_9) for t in range(1, TEAMS + 1)]
    members = [(p, p, team_of(p), "lead" if p == lead_of(team_of(p)) else "member") for p in range(1, PEOPLE + 1)]
    customers = [(c, f"customer{c}", f"Cliente {c}", [], lead_of(c), "gold", "", NOW.replace(tzinfo=None) - timedelta(days=900))
                 for c in range(1, CUSTOMERS + 1)]
    return {"person": people, "team": teams, "membership": members, "customer": customers}


def _window(moment: datetime) -> str:
    """bot.nudges.ledger.window_of, for the naive UTC whole minutes used here, without strftime."""
    return moment.isoformat()[:19] + "Z"


def _data(role: str, team: int | None = None) -> str:
    """A nudge's data, already JSON (as SQLAlchemy's JSON type would write it)."""
    return json.dumps({"role": role} if team is None else {"role": role, "team": team})


def history(size: int, seed: int = 7) -> tuple[History, ...]:
    """The history's shape, and generators of its request, issue, nudge and
    outbox rows, to be run once each, in that order."""
    assert _window((NOW - timedelta(minutes=7)).replace(tzinfo=None)) == window_of(NOW - timedelta(minutes=7))
    shape = History(size)
    shape.issues = size // 10
    shape.requests = size - shape.issues
    rng = random.Random(seed)
    # The due requests sit anywhere in the id range, as a history would have them.
    due_ids = sorted(rng.sample(range(1, shape.requests + 1), DUE))
    due_owner = {rid: n + 1 for n, rid in enumerate(due_ids)}  # one owner each: people 1..DUE
    shape.due_requests = due_ids
    nudge_id = iter(range(1, 10**9))
    plan: list[tuple] = []  # the nudge rows, built alongside the requests, streamed after them
    due_at: dict[int, datetime] = {}  # the due nudges, by id
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    # Naive UTC, which both loaders write faster (see SqliteLoader and PostgresLoader).
    AT = NOW.replace(tzinfo=None)  # noqa: N806
    data = {(role, team): _data(role, team) for role in ("team", "owner", "lead", "requester")
            for team in range(1, TEAMS + 1)}

    def request_rows() -> Iterator[tuple]:
        r = random.Random(seed + 1).random

        def pick(low: int, high: int) -> int:
            return low + int(r() * (high - low))

        for rid in range(1, shape.requests + 1):
            # Long enough ago that every nudge it had is in the past.
            created = AT - pick(60 * 24 * 30, 60 * 24 * 700) * minute
            if rid in due_owner:
                owner = due_owner[rid]
                team = team_of(owner)
                due = AT - pick(1, 120) * minute
                created = due - 8 * hour
                yield (rid, pick(1, PEOPLE + 1), team, owner, f"Solicitud {rid} pendiente", None, None,
                       "high", None, "in_progress", created, created, None, due, created + 30 * minute,
                       None, due - 2 * hour, None, True, None, None, None, 0, False, 2)
                nid = next(nudge_id)
                due_at[nid] = due
                plan.append((nid, "request", rid, RES_BREACH, _window(due), "person", owner, PLANNED, due,
                             data["owner", team], None, 0, created, None, None))
                continue
            team = pick(1, TEAMS + 1)
            requester = pick(1, PEOPLE + 1)
            owner = team + TEAMS * pick(0, PEOPLE // TEAMS) if r() < 0.8 else None
            if r() < 0.9:  # resolved long ago: every clock stopped, every nudge done
                resolved = created + pick(1, 72) * hour
                yield (rid, requester, team, owner, f"Solicitud {rid}", None, None, "normal", None, "resolved",
                       created, resolved, None, None, created + 20 * minute, None, None, None, True, True,
                       None, resolved, 0, False, 4)
                warn = created + 3 * hour
                plan.append((next(nudge_id), "request", rid, FR_WARN, _window(created + 4 * hour),
                             "team", team, SENT, warn, data["team", team], None, 0, created, warn, warn))
                kind, to, role = ("person", owner, "owner") if owner else ("team", team, "team")
                warn = created + 18 * hour
                done = warn if r() < 0.7 else None
                plan.append((next(nudge_id), "request", rid, RES_WARN, _window(created + 24 * hour), kind, to,
                             SENT if done else CANCELLED, warn, data[role, team], None, 0, created, done, done))
                if r() < 0.3:
                    at = resolved + 24 * hour
                    plan.append((next(nudge_id), "request", rid, RATING, _window(resolved), "person", requester,
                                 SENT, at, data["requester", team], None, 0, resolved, at, at))
            else:  # open, due in the future: its nudges are planned, days ahead
                created = AT - pick(1, 48) * hour
                due = AT + pick(24, 24 * 20) * hour
                warn = due - 6 * hour
                yield (rid, requester, team, owner, f"Solicitud {rid} abierta", None, None, "normal", None,
                       "in_progress" if owner else "new", created, created, None, due, created + 20 * minute, None,
                       warn, None, True, None, None, None, 0, False, 2)
                kind, to, role = ("person", owner, "owner") if owner else ("team", team, "team")
                plan.append((next(nudge_id), "request", rid, RES_WARN, _window(due), kind, to, PLANNED,
                             warn, data[role, team], None, 0, created, None, None))
                plan.append((next(nudge_id), "request", rid, RES_BREACH, _window(due), "person", lead_of(team),
                             PLANNED, due, data["lead", team], None, 0, created, None, None))

    def issue_rows() -> Iterator[tuple]:
        r = random.Random(seed + 2).random

        def pick(low: int, high: int) -> int:
            return low + int(r() * (high - low))

        team_data, lead_data = _data("team"), _data("lead")
        for iid in range(1, shape.issues + 1):
            team = pick(1, TEAMS + 1)
            created = AT - pick(60 * 24 * 30, 60 * 24 * 700) * minute
            last = created + 2 * hour
            if r() < 0.9:  # closed: its last overdue reminder went out, or was not needed
                closed = created + pick(1, 10) * 24 * hour
                yield (iid, pick(1, CUSTOMERS + 1), f"Incidencia {iid}", "sev3", "closed", team, None,
                       lead_of(team), created, closed, closed, last, None, 3)
                due = last + 24 * hour
                done = due if r() < 0.5 else None
                plan.append((next(nudge_id), "issue", iid, ISSUE_OVERDUE, _window(due), "team", team,
                             SENT if done else CANCELLED, due, team_data, None, 0, last, done, done))
            else:  # open: its next update is due in the future, its reminder and escalation planned
                due = AT + pick(1, 72) * hour
                yield (iid, pick(1, CUSTOMERS + 1), f"Incidencia {iid}", "sev2", "open", team, None,
                       lead_of(team), created, last, None, last, due, 2)
                plan.append((next(nudge_id), "issue", iid, ISSUE_OVERDUE, _window(due), "team", team, PLANNED,
                             due, team_data, None, 0, last, None, None))
                plan.append((next(nudge_id), "issue", iid, ISSUE_LATE, _window(due), "person", lead_of(team),
                             PLANNED, due + 2 * hour, lead_data, None, 0, last, None, None))

    sent_messages: list[tuple] = []
    payload = json.dumps({"title": None, "text": "⏳ recordatorio", "fields": [], "actions": [], "context": None,
                          "surface": "message"})

    def nudge_rows() -> Iterator[tuple]:
        """The nudges; each one sent went out in a message of its own, in the outbox."""
        states = Counter()
        for row in plan:
            states[row[7]] += 1
            if row[7] == SENT:
                oid = len(sent_messages) + 1
                to = f"C{row[6]:08d}" if row[5] == "team" else f"D{row[6]:08d}"
                sent_messages.append((oid, row[5], row[6], None, payload, "sent", 1, row[13], None, None, row[13],
                                      row[14], "slack", to, f"{oid}.000100"))
                row = (*row[:10], oid, *row[11:])
            yield row
        shape.nudges = states
        # Earliest first, as the send tick takes them: tick 1's claims are the first half's.
        shape.due_nudges = sorted(due_at, key=lambda nid: (due_at[nid], nid))
        plan.clear()

    def outbox_rows() -> Iterator[tuple]:
        yield from sent_messages
        sent_messages.clear()

    return shape, request_rows, issue_rows, nudge_rows, outbox_rows


# ---------------------------------------------------------------- loading


def batches(rows: Iterable[tuple], size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sqlite_time(value: datetime) -> str:
    """As storage.models.UTCDateTime stores a moment on SQLite: naive UTC, always
    with microseconds (SQLite compares them as text). The rows carry naive UTC."""
    text = value.isoformat(" ")
    return text if value.microsecond else text + ".000000"


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else json.dumps(value)


def converted(table: str, rows: Iterable[tuple]) -> Iterable[tuple]:
    """JSON columns given as Python values, as JSON text (the big tables' rows carry it already)."""
    columns = [i for i, column in enumerate(COLUMNS[table]) if column in JSON_COLUMNS]
    if table in BIG_TABLES or not columns:
        return rows
    return (tuple(_json(v) if i in columns else v for i, v in enumerate(row)) for row in rows)




class SqliteLoader:
    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        # Datetimes written as Pedir's UTCDateTime writes them (for this load only: see finish).
        sqlite3.register_adapter(datetime, _sqlite_time)
        # The bench's own load only: no fsync, a big cache, one transaction.
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-1000000")
        self.db.execute("BEGIN")
        # Indexes are built after the load, from sorted data: much faster than row by row.
        self.indexes = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join('?' * len(BIG_TABLES))})", BIG_TABLES).fetchall()
        for name, _sql in self.indexes:
            self.db.execute(f'DROP INDEX "{name}"')

    def load(self, table: str, rows: Iterable[tuple]) -> int:
        columns = COLUMNS[table]
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        n = 0
        for batch in batches(converted(table, rows)):
            self.db.executemany(sql, batch)
            n += len(batch)
        return n

    def finish(self, analyze: bool) -> None:
        for _name, sql in self.indexes:
            self.db.execute(sql)
        self.db.execute("COMMIT")
        if analyze:
            self.db.execute("ANALYZE")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()
        sqlite3.adapters.pop((datetime, sqlite3.PrepareProtocol), None)


class PostgresLoader:
    backend = "postgresql"

    def __init__(self, url: str) -> None:
        u = make_url(url)
        self.db = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
        # The rows carry naive UTC datetimes: timestamptz reads them in the session's zone.
        self.db.execute("SET TIME ZONE 'UTC'")
        try:  # no foreign key triggers for the load (consistent by construction): a superuser's right
            self.db.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            self.db.rollback()
            self.db.execute("SET TIME ZONE 'UTC'")
        self.db.execute("SET maintenance_work_mem = '512MB'")
        # Unique constraints and indexes other than the primary keys: rebuilt after the load.
        self.constraints = self.db.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)", [list(BIG_TABLES)]).fetchall()
        for table, name, _definition in self.constraints:
            self.db.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        self.indexes = self.db.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint)", [list(BIG_TABLES)]).fetchall()
        for name, _definition in self.indexes:
            self.db.execute(f'DROP INDEX "{name}"')

    def load(self, table: str, rows: Iterable[tuple]) -> int:
        columns = COLUMNS[table]
        n = 0
        with self.db.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in converted(table, rows):
                copy.write_row(row)
                n += 1
        return n

    def finish(self, analyze: bool) -> None:
        for _name, definition in self.indexes:
            self.db.execute(definition)
        for table, name, definition in self.constraints:
            self.db.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for table in COLUMNS:
            self.db.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        self.db.commit()
        self.db.autocommit = True
        # What autovacuum would do soon after a bulk load: statistics and the visibility map.
        self.db.execute("VACUUM ANALYZE")
        self.db.close()


def load(loader, size: int, analyze: bool) -> tuple[History, dict[str, int]]:  # noqa: ANN001
    shape, requests, issues, nudges, outbox = history(size)
    loaded = {table: loader.load(table, rows) for table, rows in fixed_rows().items()}
    loaded["request"] = loader.load("request", requests())
    loaded["issue"] = loader.load("issue", issues())
    loaded["nudge"] = loader.load("nudge", nudges())
    loaded["outbox"] = loader.load("outbox", outbox())
    loader.finish(analyze)
    return shape, loaded


# ---------------------------------------------------------------- databases


@dataclass
class Database:
    backend: str
    url: str
    drop: Callable[[], None]


def sqlite_database(tmp: Path, size: int) -> Database:
    path = tmp / f"tick-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)

    def drop() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return Database("sqlite", url, drop)


def postgres_database(admin_url: str) -> Database:
    u = make_url(admin_url)

    def admin(sql: str) -> None:
        with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                             dbname=u.database or "postgres", autocommit=True) as db:
            db.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    admin(f"CREATE DATABASE {PG_DATABASE}")
    url = u.set(drivername="postgresql+psycopg", database=PG_DATABASE).render_as_string(hide_password=False)
    upgrade(url)
    return Database("postgresql", url, lambda: admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))


# ---------------------------------------------------------------- ticks


class Statements:
    """Every SQL statement the engine runs: how many, the first parameters of
    each, and the time spent in each (from the driver's call to its return)."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.count = 0
        self.first: dict[str, Any] = {}
        self.spent: Counter = Counter()  # statement -> seconds
        self.runs: Counter = Counter()
        self.active = False  # only the ticks' statements
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if not self.active:
            return
        self.count += 1
        if not executemany and statement not in self.first:
            self.first[statement] = parameters
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if not self.active:
            return
        self.spent[statement] += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
        self.runs[statement] += 1

    def reset(self) -> None:
        self.spent.clear()
        self.runs.clear()

    def top(self, n: int = 5) -> list[str]:
        return [f"{seconds * 1000:8.1f} ms {self.runs[sql]:6d}x  {' '.join(sql.split())[:150]}"
                for sql, seconds in self.spent.most_common(n)]


@dataclass
class Tick:
    ms: float  # wall clock
    cpu_ms: float  # this process's CPU (the bench shares its machine: wall time is noisy)
    sql_ms: float  # time in the driver's execute calls (SQLite: all of it; PostgreSQL: round trips too)
    jobs: list[tuple[str, int, float, int]]  # name, items, ms, statements


async def tick(app: Pedir, statements: Statements) -> Tick:
    jobs = []
    statements.active = True
    sql_before = sum(statements.spent.values())
    cpu, started = time.process_time(), time.perf_counter()
    for job in app.registry.jobs:
        before, t0 = statements.count, time.perf_counter()
        report = await app.run_job(job)
        jobs.append((job.name, report.done + report.failed, (time.perf_counter() - t0) * 1000,
                     statements.count - before))
        if report.failed:
            raise RuntimeError(f"{job.name}: {report.failed} items failed (see the log)")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    statements.active = False
    return Tick(elapsed * 1000, cpu * 1000, (sum(statements.spent.values()) - sql_before) * 1000, jobs)


async def deliver(app: Pedir) -> int:
    """What a dispatcher would do with the tick's messages, without the platform: sent."""
    async with app.sessions() as session, session.begin():
        result = await session.exec(  # type: ignore[call-overload]
            update(Outbox).where(Outbox.status == "pending").values(status="sent", sent_at=NOW)
        )
        return result.rowcount


def show_tick(label: str, result: Tick) -> None:
    jobs = "   ".join(f"{name} {items} items {ms:.0f} ms ({n} SQL)" for name, items, ms, n in result.jobs)
    print(f"    {label:<28} {result.ms:8.1f} ms  (cpu {result.cpu_ms:7.1f}, sql {result.sql_ms:7.1f})   {jobs}")


# ---------------------------------------------------------------- plans


SCAN = {
    "sqlite": re.compile(r"\bSCAN (\w+)(?! USING)"),
    "postgresql": re.compile(r"Seq Scan on (\w+)"),
}


async def plans(app: Pedir, engine, backend: str, statements: Statements, shape: History) -> list[str]:  # noqa: ANN001
    """Half the due nudges planned again (the earliest: those tick 1 claimed, whose
    statements these are), half queued with their message delivered; then the plan
    of each statement the ticks ran on the nudge table. Returns warnings."""
    half = len(shape.due_nudges) // 2
    async with app.sessions() as session, session.begin():
        await session.exec(update(Nudge).where(Nudge.id.in_(shape.due_nudges[:half]))  # type: ignore[call-overload]
                           .values(state=PLANNED, queued_at=None, sent_at=None, outbox_id=None))
        await session.exec(update(Nudge).where(Nudge.id.in_(shape.due_nudges[half:]))  # type: ignore[call-overload]
                           .values(state=QUEUED, sent_at=None))
    if backend == "postgresql":
        async with engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE nudge")
            await conn.commit()
    warnings = []
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) "
    for statement, parameters in list(statements.first.items()):
        if not re.search(r"\b(FROM|UPDATE|JOIN) nudge\b", statement):
            continue
        async with engine.connect() as conn:
            rows = (await conn.exec_driver_sql(explain + statement, parameters)).all()
            await conn.rollback()  # EXPLAIN ANALYZE runs an UPDATE: undone
        lines = [" ".join(str(v) for v in row[3:]) if backend == "sqlite" else row[0] for row in rows]
        sql = " ".join(statement.split())
        print(f"\n    {sql[:400]}{' ...' if len(sql) > 400 else ''}")
        shown = str(parameters)
        print(f"      params: {shown[:300]}{' ...' if len(shown) > 300 else ''}")
        for line in lines:
            print(f"      | {line[:300]}{' ...' if len(line) > 300 else ''}")
        for line in lines:
            if (m := SCAN[backend].search(line)) and m.group(1) in ("nudge", "request", "issue", "outbox"):
                warnings.append(f"full scan of {m.group(1)}: {sql[:160]}")
    # Outside the tick, on the same table: the console's "when is the next one due"
    # (sender.next_at), and a snooze press's "the nudges of this message".
    async with app.sessions() as session:
        first = (await session.exec(select(Nudge).where(Nudge.id.in_(shape.due_nudges[half:]))  # type: ignore[union-attr]
                                    .limit(1))).one()
    others = {
        "sender.next_at": select(func.min(Nudge.send_at)).where(Nudge.state == PLANNED),
        "snooze.press": select(Nudge).where(Nudge.outbox_id == first.outbox_id),
        # The same rows (one claim: one recipient, one moment, one message), by an index that exists.
        "snooze.press, suggested": select(Nudge).where(
            Nudge.recipient_kind == first.recipient_kind, Nudge.recipient_id == first.recipient_id,
            Nudge.queued_at == first.queued_at, Nudge.outbox_id == first.outbox_id),
    }
    for name, statement in others.items():
        sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        async with engine.connect() as conn:
            rows = (await conn.exec_driver_sql(explain + sql)).all()
            await conn.rollback()
        lines = [" ".join(str(v) for v in row[3:]) if backend == "sqlite" else row[0] for row in rows]
        took = []
        for _ in range(3):
            async with engine.connect() as conn:
                t0 = time.perf_counter()
                (await conn.exec_driver_sql(sql)).all()
                took.append((time.perf_counter() - t0) * 1000)
                await conn.rollback()
        print(f"\n    ({name}, not in the tick; runs in {statistics.median(took):.2f} ms) {' '.join(sql.split())[:300]}")
        for line in lines:
            print(f"      | {line[:300]}")
        for line in lines:
            if (m := SCAN[backend].search(line)) and m.group(1) in ("nudge", "request", "issue", "outbox"):
                warnings.append(f"full scan of {m.group(1)} ({name}): {' '.join(sql.split())[:160]}")
    return warnings


# ---------------------------------------------------------------- one run


@dataclass
class Result:
    backend: str
    variant: str
    size: int
    rows: int
    load_s: float
    ticks: list[Tick]  # the median cycle's
    empty: Tick  # the median empty tick

    @property
    def cycle(self) -> Tick:
        return Tick(*(sum(getattr(t, name) for t in self.ticks) for name in ("ms", "cpu_ms", "sql_ms")), [])


LABELS = ("tick 1 (1,000 due)", "tick 2 (rest; confirm)", "tick 3 (confirm the rest)")


async def cycle(app: Pedir, statements: Statements, top: int) -> list[Tick]:
    """The 1,000 due nudges through three ticks, delivery simulated in between."""
    ticks = []
    for label in LABELS:
        statements.reset()
        result = await tick(app, statements)
        show_tick(label, result)
        for line in statements.top(top):
            print(f"        {line}")
        ticks.append(result)
        await deliver(app)
    print(f"    {'the 1,000 due, in all':<28} {sum(t.ms for t in ticks):8.1f} ms  (cpu "
          f"{sum(t.cpu_ms for t in ticks):7.1f}, sql {sum(t.sql_ms for t in ticks):7.1f})")
    return ticks


async def again(app: Pedir, shape: History, outbox_before: int) -> None:
    """The due nudges as they were loaded: planned, and no message written for them."""
    async with app.sessions() as session, session.begin():
        await session.exec(update(Nudge).where(Nudge.id.in_(shape.due_nudges))  # type: ignore[call-overload]
                           .values(state=PLANNED, queued_at=None, sent_at=None, outbox_id=None))
        await session.exec(delete(Outbox).where(Outbox.id > outbox_before))  # type: ignore[call-overload]


# Indexes to try before a migration adds them (bench only: created in the bench
# database with --candidate-indexes). The one this bench first suggested,
# ix_nudge_recipient_state_send_at (the send tick's claim and hold become seeks
# on it, where PostgreSQL read the recipient's whole history and SQLite every due
# row), is in migration 0004 now. Not an index on nudge.outbox_id: with one, SQLite
# may drive confirm.due from outbox.status, every message ever delivered.
CANDIDATE_INDEXES: tuple[str, ...] = ()


async def measure(app: Pedir, engine, db: Database, statements: Statements, shape: History, outbox_before: int,  # noqa: ANN001
                  args: argparse.Namespace, plans_too: bool) -> tuple[list[Tick], Tick]:
    """The due cycle (--repeat times, the median kept), the empty tick, and the plans."""
    cycles = []
    for _ in range(args.repeat):
        await again(app, shape, outbox_before)
        cycles.append(await cycle(app, statements, args.top))
    cycles.sort(key=lambda ticks: sum(t.ms for t in ticks))
    ticks = cycles[len(cycles) // 2]
    empties = []
    for _ in range(args.empty_runs):
        result = await tick(app, statements)
        if any(items for _name, items, _ms, _n in result.jobs):
            raise RuntimeError(f"an empty tick found work: {result.jobs}")
        empties.append(result)
    empties.sort(key=lambda t: t.ms)
    empty = empties[len(empties) // 2]
    p90 = empties[int(len(empties) * 0.9) - 1].ms
    print(f"    {'empty tick, median of ' + str(args.empty_runs):<28} {empty.ms:8.2f} ms  (cpu {empty.cpu_ms:7.2f}, "
          f"sql {empty.sql_ms:7.2f})   p90 {p90:.2f} ms   " +
          "   ".join(f"{name} {ms:.2f} ms ({n} SQL)" for name, _items, ms, n in empty.jobs))
    if plans_too:
        print(f"\n    plans ({db.backend}):")
        for warning in await plans(app, engine, db.backend, statements, shape):
            print(f"    !! {warning}")
    return ticks, empty


async def run(db: Database, size: int, args: argparse.Namespace) -> list[Result]:
    started = time.perf_counter()
    if db.backend == "sqlite":
        loader = SqliteLoader(Path(make_url(db.url).database))
    else:
        loader = PostgresLoader(db.url)
    shape, loaded = load(loader, size, args.sqlite_analyze)
    load_s = time.perf_counter() - started
    rows = sum(loaded.values())
    print(f"\n  {db.backend}, size {size:,}: {rows:,} rows loaded in {load_s:.1f} s "
          f"({rows / load_s:,.0f} rows/s): " + ", ".join(f"{t} {n:,}" for t, n in loaded.items()))
    print("    nudges by state: " + ", ".join(f"{s} {n:,}" for s, n in sorted(shape.nudges.items())) +
          f"; due now: {len(shape.due_nudges):,} for {len(shape.due_nudges):,} people")

    engine = create_engine(db.url)
    statements = Statements(engine)
    app = Pedir(session_factory(engine), Settings(), FixedClock(NOW))
    plans_too = size == max(args.sizes) or args.all_plans
    results = []
    try:
        async with app.sessions() as session:
            outbox_before = (await session.exec(select(func.max(Outbox.id)))).one() or 0
        ticks, empty = await measure(app, engine, db, statements, shape, outbox_before, args, plans_too)
        results.append(Result(db.backend, "as migrated", size, rows, load_s, ticks, empty))
        if args.candidate_indexes and CANDIDATE_INDEXES:
            async with engine.connect() as conn:
                t0 = time.perf_counter()
                for ddl in CANDIDATE_INDEXES:
                    await conn.exec_driver_sql(ddl)
                if db.backend == "postgresql":  # as autovacuum would; Pedir never ANALYZEs SQLite
                    await conn.exec_driver_sql("ANALYZE nudge")
                await conn.commit()
            print(f"\n  {db.backend}, size {size:,}, with the candidate indexes (built in "
                  f"{time.perf_counter() - t0:.1f} s): " + "; ".join(CANDIDATE_INDEXES))
            statements.first.clear()
            ticks, empty = await measure(app, engine, db, statements, shape, outbox_before, args, plans_too)
            results.append(Result(db.backend, "+ candidate indexes", size, rows, load_s, ticks, empty))
    finally:
        await engine.dispose()
    return results


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 1_000_000])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PEDIR_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a server and a database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--empty-runs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the 1,000 due through the ticks this many times (state restored), keep the median")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="ANALYZE the SQLite database after loading (Pedir itself never does)")
    parser.add_argument("--all-plans", action="store_true", help="plans at every size, not only the largest")
    parser.add_argument("--top", type=int, default=0, help="print the N statements that took longest in each tick")
    parser.add_argument("--candidate-indexes", action="store_true",
                        help="then create CANDIDATE_INDEXES in the bench database and measure again")
    parser.add_argument("--keep", action="store_true", help="keep the databases (the last PostgreSQL one: one name)")
    args = parser.parse_args()
    print(f"scheduler tick: {DUE:,} nudges due now over a history of each size; clock {NOW.isoformat()}; "
          f"send PER_TICK={sender.PER_TICK} recipients")
    results: list[Result] = []
    tmp = Path(tempfile.mkdtemp(prefix="pedir-tick-"))
    try:
        for backend in args.backends.split(","):
            for size in args.sizes:
                db = sqlite_database(tmp, size) if backend == "sqlite" else postgres_database(args.postgres_url)
                try:
                    results.extend(await run(db, size, args))
                finally:
                    if args.keep:
                        print(f"  kept: {db.url}")
                    else:
                        db.drop()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if results:
        print("\nsummary (ms: wall clock, and in brackets this process's CPU and the time in SQL calls)")
        print(f"  {'backend':<11} {'indexes':<19} {'size':>10} {'rows':>10} {'load s':>7}  {'tick 1 (1,000 due)':>24}  "
              f"{'1,000 due, 3 ticks':>25}  {'empty tick':>20}")

        def figures(t: Tick, digits: int = 0) -> str:
            return f"{t.ms:.{digits}f} ({t.cpu_ms:.{digits}f}, {t.sql_ms:.{digits}f})"

        for r in results:
            print(f"  {r.backend:<11} {r.variant:<19} {r.size:>10,} {r.rows:>10,} {r.load_s:>7.1f}  "
                  f"{figures(r.ticks[0]):>24}  {figures(r.cycle):>25}  {figures(r.empty, 2):>20}")

        def ratio(name: str, a: Tick, b: Tick) -> str:
            return f"{name} x{b.ms / a.ms:.2f} (cpu x{b.cpu_ms / a.cpu_ms:.2f}, sql x{b.sql_ms / a.sql_ms:.2f})"

        for backend in args.backends.split(","):
            for variant in dict.fromkeys(r.variant for r in results):
                mine = [r for r in results if r.backend == backend and r.variant == variant]
                if len(mine) >= 2:
                    small, large = mine[0], mine[-1]
                    print(f"  {backend}, {variant}, {large.size:,} / {small.size:,}: "
                          f"{ratio('tick 1', small.ticks[0], large.ticks[0])}; "
                          f"{ratio('1,000 due', small.cycle, large.cycle)}  [target <= 2x]; "
                          f"empty tick at {large.size:,}: {large.empty.ms:.2f} ms [target < 5 ms]")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
