"""Alembic migrations on SQLite and PostgreSQL.

test_no_drift_after_upgrade is the guard for the day a model changes
without a migration: fix it with scripts/new_migration.sh "message".
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.engine import create_engine, sync_url
from storage.migrate import (
    MIGRATIONS_DIR,
    check_no_drift,
    current,
    downgrade,
    make_config,
    upgrade,
    upgrade_async,
)
from tests.conftest import POSTGRES_URL, postgres_unreachable

MODEL_TABLES = set(SQLModel.metadata.tables)


@pytest.fixture
async def db_url(backend, tmp_path):  # noqa: ANN001
    """An empty database: a SQLite file in a not-yet-existing directory, or
    a fresh PostgreSQL schema selected through the URL's search_path."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'nested' / 'dir' / 'pedir.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sync_url(POSTGRES_URL), poolclass=sa.pool.NullPool)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        await postgres_unreachable(exc)
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _inspect(url: str, fn):  # noqa: ANN001, ANN202
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return fn(sa.inspect(conn))
    finally:
        engine.dispose()


def _execute(url: str, sql: str) -> None:
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def _head() -> str:
    return ScriptDirectory.from_config(make_config("sqlite://")).get_current_head()


async def test_upgrade_creates_every_table_index_and_unique(db_url):  # noqa: ANN001
    assert current(db_url) is None
    upgrade(db_url)
    assert current(db_url) == _head()

    def check(insp) -> None:  # noqa: ANN001
        assert set(insp.get_table_names()) == MODEL_TABLES | {"alembic_version"}
        for name, table in SQLModel.metadata.tables.items():
            indexes = {ix["name"]: ix for ix in insp.get_indexes(name)}
            for index in table.indexes:
                assert index.name in indexes, f"{name}: missing index {index.name}"
                assert bool(indexes[index.name]["unique"]) == bool(index.unique)
            uniques = {tuple(uc["column_names"]) for uc in insp.get_unique_constraints(name)}
            for uc in table.constraints:
                if isinstance(uc, sa.UniqueConstraint):
                    assert tuple(uc.columns.keys()) in uniques, f"{name}: missing {uc}"

    _inspect(db_url, check)


async def test_no_drift_after_upgrade(db_url):  # noqa: ANN001
    upgrade(db_url)
    assert check_no_drift(db_url) == [], "models changed without a migration"


async def test_drift_check_is_not_vacuous(db_url):  # noqa: ANN001
    upgrade(db_url)
    _execute(db_url, "ALTER TABLE team ADD COLUMN stray INTEGER")
    diffs = check_no_drift(db_url)
    assert [d[0] for d in diffs] == ["remove_column"]


# SQLite has no timezone-aware column type: this one is PostgreSQL only.
@pytest.mark.parametrize("backend", ["postgresql"])
async def test_timestamptz_is_enforced_on_postgresql(db_url):  # noqa: ANN001
    upgrade(db_url)
    _execute(db_url, "ALTER TABLE person ALTER COLUMN created_at TYPE timestamp without time zone")
    diffs = check_no_drift(db_url)
    assert len(diffs) == 1 and diffs[0][0][0] == "modify_type"


async def test_upgrade_twice_is_a_noop(db_url):  # noqa: ANN001
    upgrade(db_url)
    before = _inspect(db_url, lambda insp: sorted(insp.get_table_names()))
    await upgrade_async(db_url)
    assert current(db_url) == _head()
    assert _inspect(db_url, lambda insp: sorted(insp.get_table_names())) == before


async def test_downgrade_to_base_drops_everything(db_url):  # noqa: ANN001
    upgrade(db_url)
    downgrade(db_url, "base")
    assert current(db_url) is None
    # Alembic keeps its own (now empty) version table.
    assert _inspect(db_url, lambda insp: insp.get_table_names()) == ["alembic_version"]
    upgrade(db_url)  # and back up again cleanly
    assert check_no_drift(db_url) == []


async def test_caller_supplied_connection(tmp_path):  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'conn.db'}"
    config = make_config(url)
    engine = sa.create_engine(sync_url(url))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()  # the caller owns the transaction
    engine.dispose()
    assert current(url) == _head()


async def test_sqlite_is_wal_once_the_app_connects(tmp_path):  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    engine = create_engine(url)
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
    await engine.dispose()
    # WAL is a property of the file: it persists for any later connection.
    with sqlite3.connect(tmp_path / "wal.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_revisions_do_not_import_model_code():
    # Revisions are frozen history: importing storage.models would make old
    # revisions change meaning when the models change.
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text()
        assert "storage.models" not in source and "UTCDateTime" not in source, script.name


async def test_upgrade_from_0001_keeps_teams_with_the_default_cadence(db_url):  # noqa: ANN001
    from sqlmodel import select

    from bot.issues import cadence
    from storage.engine import session_factory
    from storage.models import Team

    upgrade(db_url, "0001")
    assert current(db_url) == "0001"
    _execute(db_url, """
        INSERT INTO team (slug, name, aliases, what_we_do, our_customers, ask_us_for, we_need_from_you,
                          keywords, sla, business_hours, timezone, locale, intake)
        VALUES ('soporte', 'Soporte', '[]', '', '', '', '', '[]', '{}', '{}', 'Europe/Madrid', NULL, '{}')
    """)
    upgrade(db_url)
    assert current(db_url) == _head()
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            [team] = (await session.exec(select(Team))).all()
    finally:
        await engine.dispose()
    assert (team.slug, team.update_cadence) == ("soporte", {})
    assert cadence.minutes(team, "sev1") == 120  # the default applies
    assert check_no_drift(db_url) == []
