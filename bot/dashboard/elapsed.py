"""Time between two timestamp columns, computed by the database, exact to the microsecond.

Medians need every duration: reading them as numbers instead of two datetimes
a row keeps the overview's one pass over a period's requests cheap. Both
backends give the exact difference, so a median rounds to the same second on
either.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement

SECONDS_A_DAY = 86400.0
WHOLE = 19  # SQLite's text: 'YYYY-MM-DD HH:MM:SS', then '.ffffff'
MICROSECONDS = 1_000_000


def seconds_between(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """PostgreSQL: seconds, with their microseconds."""
    return cast(func.extract("epoch", end - start), Float)


def microseconds_between_sqlite(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """SQLite (naive UTC text, storage.models.UTCDateTime): whole microseconds, an integer.

    Whole seconds and microseconds apart: julianday() keeps milliseconds only, as a
    fraction of a day (39503.4999 s for 39503.500009 s, enough to round a median to
    the other second), and rounds a time's fraction to the millisecond first. Of two
    whole-second times, the difference in days times 86,400 is within a hair of an
    integer, which round() gives back exactly."""
    whole = func.round((func.julianday(func.substr(end, 1, WHOLE)) - func.julianday(func.substr(start, 1, WHOLE)))
                       * SECONDS_A_DAY)
    micro = cast(func.substr(end, WHOLE + 2, 6), Integer) - cast(func.substr(start, WHOLE + 2, 6), Integer)
    return cast(whole, Integer) * MICROSECONDS + micro
