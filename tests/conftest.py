"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from sqlmodel import select

from bot.app import Pedir
from bot.clock import FixedClock
from bot.config import Settings
from storage.engine import create_engine, session_factory
from storage.models import Person
from tests.support import load_demo

POSTGRES_URL = os.environ.get(
    "PEDIR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_skipped_postgres: list[str] = []


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def postgres_unreachable(reason: Exception) -> None:
    """Outside CI a missing server skips, loudly; in CI it is a failure."""
    message = f"PostgreSQL at {POSTGRES_URL} unreachable: {reason.__class__.__name__}"
    if in_ci():
        pytest.fail(message)
    _skipped_postgres.append(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001
    if _skipped_postgres:
        terminalreporter.write_sep(
            "!", f"{len(_skipped_postgres)} PostgreSQL tests SKIPPED: no server", red=True
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:  # noqa: ANN001
    return request.param


@pytest.fixture
async def database_url(backend, tmp_path):  # noqa: ANN001
    """The URL of a fresh, empty schema on the chosen backend, tables created."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        await _create_tables(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001
        await admin.dispose()
        await postgres_unreachable(exc)
    # psycopg passes `options` to the server: this schema comes first on the
    # path. The application name tags this test's connections.
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}&application_name={schema}"
    await _create_tables(url)
    yield url
    async with admin.begin() as conn:
        # A connection a test left open (say, a server stopped mid-delivery)
        # would make DROP SCHEMA wait for its locks forever: end it first.
        await conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": schema},
        )
        await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    await admin.dispose()


async def _create_tables(url: str) -> None:
    eng = create_engine(url)
    async with eng.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    await eng.dispose()


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
    return FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
async def app(sessions, clock) -> Pedir:  # noqa: ANN001
    await load_demo(sessions, clock)
    return Pedir(sessions, Settings(), clock)


@pytest.fixture
async def folk(app, sessions) -> dict[str, Person]:  # noqa: ANN001
    """The demo people by the local part of their email: folk["ana.garcia"]."""
    async with sessions() as session:
        people = (await session.exec(select(Person))).all()
    return {p.email.split("@")[0]: p for p in people}
