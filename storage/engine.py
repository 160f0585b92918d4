"""Database URLs, engines and sessions.

Users give the URL in any usual SQLAlchemy form; Pedir picks the async
driver for the application and the sync driver for Alembic itself.
"""

from __future__ import annotations

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
SQLITE_BUSY_TIMEOUT_MS = 5000
# SQLite's page cache, per connection (the pool holds one), filled only as pages are
# read. Its default, 2 MB, is less than the dashboard's figures over 90 days touch
# (the period's index ranges, the rows nudges and ratings join to), so every
# overview read them again from the file: with 64 MB they stay (bench/dashboard.py).
SQLITE_CACHE_KIB = 65536


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be used. The message never repeats the URL: it may hold a password."""


class UnsupportedDatabase(DatabaseUrlError):
    def __init__(self, backend: str) -> None:
        super().__init__(f"unsupported database {backend!r}: use sqlite:///path or postgresql://host/db")
        self.backend = backend


def _backend(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise UnsupportedDatabase(backend)
    return backend


def _normalise(raw: str) -> URL:
    # "postgres://" is what many hosting platforms hand out.
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    try:
        return make_url(raw)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseUrlError("not a database URL: use sqlite:///path or postgresql://host/db") from None


def async_url(raw: str) -> URL:
    url = _normalise(raw)
    return url.set(drivername=_ASYNC_DRIVERS[_backend(url)])


def sync_url(raw: str) -> URL:
    url = _normalise(raw)
    return url.set(drivername=_SYNC_DRIVERS[_backend(url)])


def is_sqlite(raw: str) -> bool:
    return _backend(_normalise(raw)) == "sqlite"


def location(raw: str) -> str:
    """Where the database is, safe to print: host, port and name, or the
    SQLite file; never the password (nor the query, which may carry one)."""
    try:
        url = _normalise(raw)
    except DatabaseUrlError:
        return "DATABASE_URL"
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    host = url.host or url.query.get("host") or "localhost"
    where = f"{url.username}@{host}" if url.username else str(host)
    return f"{where}:{url.port}/{url.database or ''}" if url.port else f"{where}/{url.database or ''}"


def ping(raw: str, timeout_seconds: int = 5) -> None:
    """Opens one connection and closes it, so a server that is down fails the
    command at once, with the driver's error, instead of every request later.
    SQLite is a local file that the first migration creates: nothing to ping."""
    if is_sqlite(raw):
        return
    engine = sa_create_engine(
        sync_url(raw), poolclass=NullPool, connect_args={"connect_timeout": timeout_seconds}
    )
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


async def _run_here(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    return fn(*args, **kwargs)


def _sqlite_connect(dbapi_connection, record) -> None:  # noqa: ANN001
    # aiosqlite hands every call to a thread of its own and waits for the
    # answer: a dozen hand-offs per statement, which cost far more than the
    # statement (measured: a new request took 19 ms instead of 8). SQLite calls
    # on a small local file take microseconds, so they run right here on the
    # event loop instead. The pool holds one connection (see create_engine),
    # so no two calls of this process ever wait on each other's lock; a write
    # from another process (the worker) can still make one wait, for as long
    # as that write takes.
    aio_connection = getattr(dbapi_connection, "_connection", None)
    if aio_connection is not None and hasattr(aio_connection, "_execute"):
        aio_connection._execute = _run_here
    _sqlite_pragmas(dbapi_connection, record)
    # Let SQLAlchemy, not the driver, decide when a transaction begins.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn) -> None:  # noqa: ANN001
    # IMMEDIATE takes the write lock up front: a transaction that read first
    # and writes later would otherwise fail with SQLITE_BUSY instead of waiting
    # out the busy timeout when another writer got there in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def install_sqlite_pragmas(sync_engine) -> None:  # noqa: ANN001
    """WAL lets readers run beside the writer; the busy timeout makes a
    second writer wait instead of failing with 'database is locked'."""
    event.listen(sync_engine, "connect", _sqlite_connect)
    event.listen(sync_engine, "begin", _sqlite_begin)


def create_engine(raw_url: str, **kwargs) -> AsyncEngine:  # noqa: ANN003
    url = async_url(raw_url)
    if url.get_backend_name() == "sqlite":
        # SQLite has one writer at a time. One pooled connection per process
        # makes transactions queue on the pool (asyncio waits, in order)
        # instead of in SQLite's busy handler, which sleeps in growing steps
        # while the lock may already be free. Other processes still meet the
        # busy timeout.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        # The connection is opened on aiosqlite's thread and used on the loop's.
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        install_sqlite_pragmas(engine.sync_engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
