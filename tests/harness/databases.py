"""Fresh databases, fast: each kind of starting database is built once per test
session (per xdist worker) as a template, and every test gets its own copy.

Building a schema and importing the demo organisation took most of a database
test's time (0.18 s on SQLite, 0.47 s on PostgreSQL). A copy takes about a
millisecond on SQLite (the template's file, checkpointed, copied) and 0.05-0.2 s
on PostgreSQL (CREATE DATABASE ... TEMPLATE: the server copies every page, the
system catalogs included), which is why PostgreSQL copies are made ahead of
need, on a background thread, while the previous tests run.

The kinds:

- TABLES: `SQLModel.metadata.create_all`, nothing in it (what `database_url`
  always gave).
- DEMO: TABLES plus the demo organisation imported at DEMO_NOW, the `clock`
  fixture's start: exactly what the `app` fixture's `load_demo` would write.
- E2E: TABLES stamped at Alembic's head plus the demo organisation imported at
  the wall clock's time (when the template is built, not when the test runs:
  only Person/Customer.created_at record it, and nothing reads those): what
  slack_env/teams_env prepare for a running server.

Every copy is recorded (`content(url)`), so a fixture that would load the demo
itself can tell that it is there already.

PostgreSQL: each test gets a database of its own (not a schema in the shared
database), dropped WITH (FORCE) right after the test (on the background
thread), which also ends any connection the test left open. Names start with
``pedir_<pid>_<run>_``: concurrent runs and xdist workers never touch each
other's databases, and a run that was killed leaves its databases behind for
the next run on the same machine to drop (their process is gone). Measured
against the alternative, a per-test schema filled by a precompiled DDL script
and INSERT ... SELECT from a template schema took as long (0.1-0.2 s) and
copies less faithfully (sequences, the alembic_version table).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import sqlite3
import uuid
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from alembic import command
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from bot.clock import SystemClock
from bot.org.importer import import_org
from storage.engine import create_engine, session_factory
from storage.migrate import make_config
from tests.harness.support import DEMO_ORG

TABLES, DEMO, E2E = "tables", "demo", "e2e"
# The `clock` fixture's start: a Wednesday morning in Madrid (UTC+1 in winter).
DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)

# database URL -> (kind, the time the demo organisation was imported at, if any)
_CONTENT: dict[str, tuple[str, datetime | None]] = {}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# PostgreSQL copies made ahead of need, per kind in use: enough to ride out a run of
# quick tests (a copy takes longer than many a test).
SPARES = int(os.environ.get("PEDIR_TEST_SPARE_DATABASES", "2"))


def content(url: str) -> tuple[str, datetime | None] | None:
    """What a copied database started with: (kind, demo import time), or None if not a copy."""
    return _CONTENT.get(url)


def forget(url: str) -> None:
    _CONTENT.pop(url, None)


async def create_tables(url: str) -> None:
    eng = create_engine(url)
    async with eng.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    await eng.dispose()


async def import_demo(url: str, now: datetime) -> None:
    eng = create_engine(url)
    await import_org(session_factory(eng), DEMO_ORG, now)
    await eng.dispose()


async def fill(url: str, kind: str) -> datetime | None:
    """Turns a TABLES database into `kind`; the demo's import time."""
    if kind == TABLES:
        return None
    if kind == DEMO:
        await import_demo(url, DEMO_NOW)
        return DEMO_NOW
    if kind == E2E:
        command.stamp(make_config(url), "head")  # the schema exists already: mark it current
        now = SystemClock().now()
        await import_demo(url, now)
        return now
    raise ValueError(f"unknown database kind {kind!r}")


class PostgresUnreachable(Exception):
    """The server did not accept a connection (not: a statement failed)."""


# ----------------------------------------------------------------- SQLite


@dataclass
class SqliteTemplates:
    directory: Path
    built: dict[str, tuple[Path, datetime | None]] = field(default_factory=dict)

    @staticmethod
    def url(path: Path) -> str:
        return f"sqlite:///{path}"

    async def template(self, kind: str) -> tuple[Path, datetime | None]:
        if kind not in self.built:
            path = self.directory / f"{kind}.db"
            path.unlink(missing_ok=True)
            if kind == TABLES:
                await create_tables(self.url(path))
                at = None
            else:
                shutil.copyfile((await self.template(TABLES))[0], path)
                at = await fill(self.url(path), kind)
            _checkpoint(path)
            self.built[kind] = (path, at)
        return self.built[kind]

    async def copy(self, kind: str, path: Path) -> str:
        """A copy of the `kind` template at `path`; its URL."""
        template, at = await self.template(kind)
        shutil.copyfile(template, path)
        url = self.url(path)
        _CONTENT[url] = (kind, at)
        return url

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _checkpoint(path: Path) -> None:
    """Moves everything in the write-ahead log into the main file, so that file
    alone is the whole database (the engines are disposed: nobody else has it open)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        busy, _log, _moved = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, f"{path} still in use: cannot checkpoint it"
    finally:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, f"{wal} not empty after a checkpoint"


# ------------------------------------------------------------- PostgreSQL


class _Admin:
    """An autocommit connection to the server's own database (PEDIR_TEST_POSTGRES_URL's),
    for CREATE/DROP DATABASE, which cannot run in a transaction. One thread uses it."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.conn: psycopg.Connection | None = None

    def execute(self, sql: str) -> list[tuple]:
        if self.conn is None or self.conn.closed or self.conn.broken:
            try:
                self.conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10)
            except psycopg.OperationalError as exc:
                raise PostgresUnreachable(str(exc)) from exc
        cursor = self.conn.execute(sql)  # type: ignore[arg-type]  (names are ours, never user input)
        return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class PostgresTemplates:
    """Templates are built on the test's thread; the copies tests get are made ahead
    of need on a background thread (CREATE DATABASE ... TEMPLATE is CPU work on the
    server, ~0.05-0.2 s here): each kind in use has one spare ready for the next
    test, and a test's database is dropped there after the test, so tests wait for
    neither."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)  # e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test
        # Short, per process (so per xdist worker), and unique per run.
        self.prefix = f"pedir_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.built: dict[str, tuple[str, datetime | None]] = {}
        self._names = itertools.count(1)
        conninfo = self.server_url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._main = _Admin(conninfo)  # this thread's
        self._side = _Admin(conninfo)  # the background thread's
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pedir-databases")
        self._spares: dict[str, deque[tuple[str, Future]]] = defaultdict(deque)
        self._drops: list[Future] = []
        self._orphans_checked = False

    def url(self, database: str) -> str:
        # The application name tags the test's connections (pg_stat_activity).
        url = self.server_url.set(database=database).update_query_dict({"application_name": database})
        return url.render_as_string(hide_password=False)

    @staticmethod
    def _create(admin: _Admin, name: str, template: str | None = None) -> None:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    @staticmethod
    def _drop(admin: _Admin, name: str) -> None:
        # FORCE ends the connections a test left open (say, a server stopped
        # mid-delivery) instead of waiting for them forever.
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def template(self, kind: str) -> tuple[str, datetime | None]:
        if kind not in self.built:
            if not self._orphans_checked:
                self._drop_orphans()
                self._orphans_checked = True
            name = f"{self.prefix}_{kind}"
            self._drop(self._main, name)
            try:
                if kind == TABLES:
                    self._create(self._main, name)
                    await create_tables(self.url(name))
                    at = None
                else:
                    self._create(self._main, name, (await self.template(TABLES))[0])
                    at = await fill(self.url(name), kind)
                # Copying needs the template to have no connection: refuse any from now on.
                self._main.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            except BaseException:
                self._drop(self._main, name)
                raise
            self.built[kind] = (name, at)
        return self.built[kind]

    def _ahead(self, template: str) -> tuple[str, Future]:
        name = f"{self.prefix}_t{next(self._names)}"
        return name, self._background.submit(self._create, self._side, name, template)

    async def copy(self, kind: str) -> tuple[str, str]:
        """A new database copied from the `kind` template: (its name, its URL)."""
        template, at = await self.template(kind)
        spares = self._spares[kind]
        if not spares:
            spares.append(self._ahead(template))
        name, made = spares.popleft()
        while len(spares) < SPARES:  # the next tests', made while this one runs
            spares.append(self._ahead(template))
        await asyncio.wrap_future(made)
        url = self.url(name)
        _CONTENT[url] = (kind, at)
        return name, url

    def drop(self, name: str) -> None:
        """Drops a test's database, in the background: the next test need not wait."""
        self._drops = [f for f in self._drops if not f.done() or f.exception() is not None]
        self._drops.append(self._background.submit(self._drop, self._side, name))

    def close(self) -> None:
        """Drops the spares and the templates; fails if a test's database could not be dropped."""
        try:
            for spares in self._spares.values():
                for name, made in spares:
                    if made.exception() is None:  # waits for it
                        self.drop(name)
            self._background.shutdown(wait=True)
            failed = [f.exception() for f in self._drops if f.exception() is not None]
            for name, _at in self.built.values():
                self._drop(self._main, name)
        finally:
            self._main.close()
            self._side.close()
        if failed:
            raise RuntimeError(f"{len(failed)} test database(s) not dropped, the first: {failed[0]!r}")

    def _drop_orphans(self) -> None:
        """Drops databases left by killed runs on this machine: their process is gone."""
        if self.server_url.host not in _LOOPBACK:
            return  # another machine's process ids mean nothing here
        rows = self._main.execute(r"SELECT datname FROM pg_database WHERE datname LIKE 'pedir\_%'")
        for (name,) in rows:
            match = re.fullmatch(r"pedir_(\d+)_[0-9a-f]{6}_\w+", name)
            if match and not _alive(int(match.group(1))):
                try:
                    self._drop(self._main, name)
                except psycopg.Error:
                    pass  # another run got there first: fine


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = [
    "DEMO", "DEMO_NOW", "E2E", "TABLES", "PostgresTemplates", "PostgresUnreachable", "SqliteTemplates",
    "content", "create_tables", "fill", "forget", "import_demo",
]
