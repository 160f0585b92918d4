"""Every size limit on what people type, defined once."""

from __future__ import annotations

MAX_TEXT = 3000  # longest description, comment, note, reason or status we store
MAX_TITLE = 300  # longest issue title, or customer name as typed
MAX_NAME = 200  # longest name of a person, team or customer we store
HOME_SECTION_LIMIT = 15  # a home page lists this many items per section; the rest are a command away
# Ids live in the database's INTEGER: a larger one would make PostgreSQL fail
# the query itself, so it is refused before any query.
MAX_ID = 2**31 - 1


def valid_id(number: int) -> bool:
    return 1 <= number <= MAX_ID
