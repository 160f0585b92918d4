"""Seconds between two timestamp columns, computed by the database.

Medians need every duration: reading them as numbers instead of two datetimes
a row keeps the overview's one pass over a period's requests cheap. Both
backends give the exact difference, to the microsecond, so a median rounds to
the same second on either.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement

WHOLE = 19  # 'YYYY-MM-DD HH:MM:SS': the microseconds follow the dot after it
MICROSECONDS = 1_000_000.0


def seconds_between(dialect: str, start: ColumnElement, end: ColumnElement) -> ColumnElement:
    if dialect == "sqlite":  # stored as naive UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff' (storage.models.UTCDateTime)
        # Whole seconds and microseconds apart, so the difference is exact, as PostgreSQL's is.
        # julianday() keeps milliseconds only, as a fraction of a day (39503.4999 s for
        # 39503.500009 s: enough to round a median to the other second), and strftime('%s') of
        # a time with its fraction rounds it to the millisecond first (…:55.9996 -> :56).
        whole = cast(func.strftime("%s", func.substr(end, 1, WHOLE)), Integer) - \
            cast(func.strftime("%s", func.substr(start, 1, WHOLE)), Integer)
        micro = cast(func.substr(end, WHOLE + 2, 6), Integer) - cast(func.substr(start, WHOLE + 2, 6), Integer)
        return whole + micro / MICROSECONDS
    return cast(func.extract("epoch", end - start), Float)
