"""Alembic environment for Pedir, shipped inside the `storage` package.

There is no alembic.ini: `storage.migrate.make_config` builds the Config in
code, so migrations run the same from a checkout and from an installed wheel.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.migrate import compare_type, render_item

config = context.config

OPTIONS = dict(
    target_metadata=SQLModel.metadata,
    compare_type=compare_type,
    render_item=render_item,
)


def run_offline() -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        # SQLite cannot ALTER most things: batch mode copies the table instead,
        # so later revisions that change columns work there too.
        render_as_batch=connection.dialect.name == "sqlite",
        **OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    # A caller-supplied connection (e.g. a test's PostgreSQL schema picked by
    # search_path) wins; the caller then owns its commit.
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    # A plain sync engine, without the app's SQLite pragmas: foreign_keys=ON
    # would break batch table copies.
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
