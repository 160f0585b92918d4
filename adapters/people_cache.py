"""The person behind each chat account, remembered in memory by an adapter.

A complete person is kept for an hour, so the hot path asks neither the
database nor the platform. A person stored from a profile the platform could
not give (rate-limited, down) is kept only until it is worth asking again:
the platform's Retry-After, else RETRY_SECONDS. Meanwhile each lookup reads
the account again from the database (one indexed query), because another
process may have completed that person, or folded them into another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from time import monotonic

from bot.app import Pedir
from storage.models import Person

CACHE_SECONDS = 3600.0  # profiles change rarely
RETRY_SECONDS = 60.0  # a profile that could not be fetched is asked for again this soon


@dataclass
class _Entry:
    person: Person
    until: float  # monotonic() time


class PeopleCache:
    def __init__(self, pedir: Pedir, platform: str, ttl: float = CACHE_SECONDS) -> None:
        self.pedir, self.platform, self.ttl = pedir, platform, ttl
        self._entries: dict[str, _Entry] = {}

    @staticmethod
    def now() -> float:
        return monotonic()

    def seen(self, external_id: str) -> bool:
        """Remembered once, even if expired: looking up again is a refresh."""
        return external_id in self._entries

    async def fresh(self, external_id: str) -> Person | None:
        """The remembered person, if not expired."""
        entry = self._entries.get(external_id)
        if entry is None or self.now() >= entry.until:
            return None
        if entry.person.profile_complete:
            return entry.person
        stored = await self.pedir.person(self.platform, external_id, None)
        if stored is None:
            return entry.person
        if stored.profile_complete:
            self.keep(external_id, stored)
        else:
            entry.person = stored
        return stored

    def keep(self, external_id: str, person: Person, seconds: float | None = None) -> None:
        """Remembers `person` for `seconds` (the full ttl if None)."""
        self._entries[external_id] = _Entry(person, self.now() + (self.ttl if seconds is None else seconds))


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from a Retry-After header, if it holds a number."""
    try:
        seconds = float((headers or {}).get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None
