"""Teams users as People: by account, by email through TeamsInfo, cached."""

from __future__ import annotations

import logging
import time

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.app import Pedir
from bot.people.identity import Profile
from storage.models import Person

log = logging.getLogger(__name__)
PLATFORM = "teams"
CACHE_SECONDS = 3600.0


class TeamsDirectory:
    def __init__(self, pedir: Pedir, ttl: float = CACHE_SECONDS) -> None:
        self.pedir = pedir
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Person]] = {}

    async def person(self, turn_context: TurnContext) -> Person:
        sender = turn_context.activity.from_property
        cached = self._cache.get(sender.id)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        person = None if cached else await self.pedir.person(PLATFORM, sender.id, None)
        if person is None:
            person = await self.pedir.person(PLATFORM, sender.id, await self._profile(turn_context))
        assert person is not None
        self._cache[sender.id] = (time.monotonic(), person)
        return person

    async def _profile(self, turn_context: TurnContext) -> Profile:
        activity = turn_context.activity
        sender = activity.from_property
        email = None
        name = sender.name or sender.id
        try:
            member = await TeamsInfo.get_member(turn_context, sender.id)
            email = member.email or member.user_principal_name
            name = member.name or name
        except Exception as exc:  # noqa: BLE001  (works without it: keyed by Teams id)
            log.warning("TeamsInfo.get_member failed: %s", exc.__class__.__name__)
        return Profile(name=name, email=email, locale=activity.locale or None,
                       timezone=getattr(activity, "local_timezone", None) or None)
