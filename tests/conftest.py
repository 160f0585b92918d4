"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Every test gets a database of its own, copied from a template that is built
once per session (per xdist worker): see tests/harness/databases.py. Which
template depends on the fixtures the test uses (its fixture closure):

- a Slack or Teams stand-in (E2E_FIXTURES), so a server: tables stamped at
  Alembic's head and the demo organisation, as slack_env/teams_env prepare it;
- `app` (and so `folk`), with the clock at its usual start: tables and the
  demo organisation, imported at that time;
- anything else: the tables, empty.

The result is the same database the fixtures used to build for each test, in
a few milliseconds instead of a few hundred.
"""

from __future__ import annotations

import os

import pytest
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401  (registers the tables)
from bot.app import Pedir
from bot.clock import FixedClock
from bot.config import Settings
from storage.engine import create_engine, session_factory
from storage.models import Person
from tests.harness import databases
from tests.harness.databases import DEMO, DEMO_NOW, E2E, TABLES, PostgresTemplates, PostgresUnreachable, SqliteTemplates
from tests.harness.support import load_demo

POSTGRES_URL = os.environ.get(
    "PEDIR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
UNREACHABLE = "PostgreSQL at {url} unreachable"
FIGURES = "[faults]"  # how a fault test's printed figures begin (tests/test_faults_*.py)
# A database next to a Slack or Teams stand-in is a running server's: a test that uses
# one of these (directly or through slack_env's `slack`, teams_env's `teams`, ...)
# starts from the E2E database, which slack_env/teams_env would otherwise prepare.
E2E_FIXTURES = frozenset({"fake_slack", "fake_connector_running"})


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def postgres_unreachable(reason: Exception) -> None:
    """Outside CI a missing server skips, loudly; in CI it is a failure."""
    message = f"{UNREACHABLE.format(url=POSTGRES_URL)}: {reason.__class__.__name__}"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter, config):  # noqa: ANN001
    # Counted from the reports, which reach this process from every xdist worker.
    unreachable = UNREACHABLE.format(url=POSTGRES_URL)
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple) and unreachable in str(r.longrepr[-1])]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} PostgreSQL tests SKIPPED: no server", red=True)
    # The fault tests print their figures (lost, duplicated, timings) on lines starting
    # "[faults]": gathered here from every xdist worker's captured output, passed or failed.
    figures = [line for key in ("passed", "failed") for report in terminalreporter.stats.get(key, [])
               if report.when == "call" for line in report.capstdout.splitlines() if line.startswith(FIGURES)]
    if figures:
        terminalreporter.write_sep("-", "fault test figures")
        for line in figures:
            terminalreporter.write_line(line)
    if config.pluginmanager.hasplugin("randomly"):
        # -q hides pytest-randomly's header line: the seed, to run this order again.
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(f"random order: --randomly-seed={seed} repeats it; -p no:randomly runs in file order")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:  # noqa: ANN001
    return request.param


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory):  # noqa: ANN001
    templates = SqliteTemplates(tmp_path_factory.mktemp("database-templates"))
    yield templates
    templates.close()


@pytest.fixture(scope="session")
def postgres_templates():  # noqa: ANN201
    """Connects only when a PostgreSQL test first asks for a database."""
    templates = PostgresTemplates(POSTGRES_URL)
    yield templates
    templates.close()


@pytest.fixture
def database_kind(request) -> str:  # noqa: ANN001
    """Which template the test's database is copied from (see the module's docstring)."""
    used = set(request.fixturenames)
    if used & E2E_FIXTURES:
        return E2E
    # `app` loads the demo at the clock's time: the DEMO template only holds it at DEMO_NOW.
    if "app" in used and request.getfixturevalue("clock").now() == DEMO_NOW:
        return DEMO
    return TABLES


@pytest.fixture
async def database_url(backend, tmp_path, database_kind, sqlite_templates, postgres_templates):  # noqa: ANN001
    """The URL of a fresh database of the test's own on the chosen backend, tables created."""
    if backend == "sqlite":
        url = await sqlite_templates.copy(database_kind, tmp_path / "test.db")
        yield url
        databases.forget(url)
        return
    try:
        name, url = await postgres_templates.copy(database_kind)
    except PostgresUnreachable as exc:
        await postgres_unreachable(exc.__cause__ or exc)
    yield url
    databases.forget(url)
    postgres_templates.drop(name)


@pytest.fixture
async def engine(database_url):  # noqa: ANN001
    eng = create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine):  # noqa: ANN001
    return session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    # A Wednesday morning in Madrid (UTC+1 in winter).
    return FixedClock(DEMO_NOW)


@pytest.fixture
async def app(database_url, engine, sessions, clock) -> Pedir:  # noqa: ANN001
    started = databases.content(database_url)
    if started == (DEMO, clock.now()):
        pass  # copied with the demo organisation, imported at this very time
    elif started is not None and started[0] == DEMO:
        # The clock moved after the copy was chosen: start over, as if empty.
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.drop_all)
            await conn.run_sync(SQLModel.metadata.create_all)
        await load_demo(sessions, clock)
    else:
        await load_demo(sessions, clock)
    return Pedir(sessions, Settings(), clock)


@pytest.fixture
async def folk(app, sessions) -> dict[str, Person]:  # noqa: ANN001
    """The demo people by the local part of their email: folk["ana.garcia"]."""
    async with sessions() as session:
        people = (await session.exec(select(Person))).all()
    return {p.email.split("@")[0]: p for p in people}
