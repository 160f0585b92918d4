"""Seconds between two timestamp columns, computed by the database.

Medians need every duration: reading them as numbers instead of two datetimes
a row keeps the overview's one pass over a period's requests cheap.
"""

from __future__ import annotations

from sqlalchemy import Float, cast, func
from sqlalchemy.sql.elements import ColumnElement

SECONDS_A_DAY = 86400.0


def seconds_between(dialect: str, start: ColumnElement, end: ColumnElement) -> ColumnElement:
    if dialect == "sqlite":  # stored as naive UTC text (storage.models.UTCDateTime)
        return (func.julianday(end) - func.julianday(start)) * SECONDS_A_DAY
    return cast(func.extract("epoch", end - start), Float)
