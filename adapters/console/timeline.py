"""How far the console's clock may be set (`--now`) and moved (`:espera`).

The domain adds days and weeks to "now" (SLA deadlines, update cadences,
recurrences); a clock near the end of Python's calendar would make those
sums overflow in the middle of a command. The window keeps them safe.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
SHORTEST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(days=365)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def in_window(moment: datetime) -> bool:
    return EARLIEST <= moment < LATEST


def parse_wait(text: str) -> timedelta | None:
    """'1d4h', '2h', '30m' -> a timedelta within the allowed range; else None."""
    match = _DURATION.match(text.replace(" ", "").lower())
    if not text.strip() or match is None:
        return None
    days, hours, minutes = (int(part or 0) for part in match.groups())
    if max(days, hours, minutes) > LONGEST_WAIT / SHORTEST_WAIT:
        return None  # timedelta itself would overflow on absurd digits
    wait = timedelta(days=days, hours=hours, minutes=minutes)
    return wait if SHORTEST_WAIT <= wait <= LONGEST_WAIT else None
