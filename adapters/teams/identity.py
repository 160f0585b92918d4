"""Teams users as People: by account, by email through TeamsInfo, cached.

TeamsInfo.get_member failing never stops a turn: the user gets a person from
what the activity carries (display name, locale), marked incomplete, and a
later turn asks again and completes them (see bot.people.identity.link).
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from adapters.people_cache import CACHE_SECONDS, RETRY_SECONDS, PeopleCache, retry_after
from bot.app import Pedir
from bot.people.identity import Profile
from storage.models import Person

log = logging.getLogger(__name__)
PLATFORM = "teams"


class TeamsDirectory:
    def __init__(self, pedir: Pedir, ttl: float = CACHE_SECONDS, retry: float = RETRY_SECONDS) -> None:
        self.pedir = pedir
        self.retry = retry
        self.cache = PeopleCache(pedir, PLATFORM, ttl)

    async def person(self, turn_context: TurnContext) -> Person:
        sender = turn_context.activity.from_property
        cached = await self.cache.fresh(sender.id)
        if cached is not None:
            return cached
        person = None if self.cache.seen(sender.id) else await self.pedir.person(PLATFORM, sender.id, None)
        wait = None
        if person is None or not person.profile_complete:
            profile, wait = await self._profile(turn_context)
            person = await self.pedir.person(PLATFORM, sender.id, profile)
        assert person is not None
        self.cache.keep(sender.id, person, wait)
        return person

    async def _profile(self, turn_context: TurnContext) -> tuple[Profile, float | None]:
        """The member's profile (wait None); or a stand-in, and how long to wait before asking again."""
        activity = turn_context.activity
        sender = activity.from_property
        locale, timezone = activity.locale or None, getattr(activity, "local_timezone", None) or None
        try:
            member = await TeamsInfo.get_member(turn_context, sender.id)
        except Exception as exc:  # noqa: BLE001  (works without it: keyed by Teams id)
            wait = retry_after(getattr(getattr(exc, "response", None), "headers", None)) or self.retry
            log.warning("TeamsInfo.get_member failed (%s): profile incomplete", exc.__class__.__name__)
            return Profile(name=sender.name or sender.id, locale=locale, timezone=timezone, complete=False), wait
        return Profile(name=member.name or sender.name or sender.id, email=member.email or member.user_principal_name,
                       locale=locale, timezone=timezone), None
