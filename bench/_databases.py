"""A PostgreSQL database of a benchmark's own, made on the server it is given
and dropped afterwards (benchmarks never touch the test suite's databases)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def postgres_database(admin_url: str, name: str) -> tuple[str, Callable[[], None]]:
    """(the new database's URL, what drops it)."""
    u = make_url(admin_url)

    def admin(sql: str) -> None:
        with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                             dbname=u.database or "postgres", autocommit=True) as db:
            db.execute(sql)  # type: ignore[arg-type]  (our own names only)

    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    url = u.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    return url, lambda: admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def on_each_database(args: argparse.Namespace, name: str,
                           run: Callable[[str, str, argparse.Namespace], Awaitable[None]]) -> None:
    """`run(backend, url, args)` on a SQLite file of its own (unless --no-sqlite),
    then, with --database-url, on a PostgreSQL database `name` of its own."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    try:
        if not args.no_sqlite:
            await run("sqlite", f"sqlite:///{tmp / 'bench.db'}", args)
        if args.database_url:
            url, drop = postgres_database(args.database_url, name)
            try:
                await run("postgresql", url, args)
            finally:
                drop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
