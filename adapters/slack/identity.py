"""Slack users as People: the database first, users.info for newcomers, and a
short in-memory cache so the hot path asks neither."""

from __future__ import annotations

import asyncio
import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Pedir
from bot.people.identity import Profile
from storage.models import Person

log = logging.getLogger(__name__)
PLATFORM = "slack"
# Profiles change rarely; an hour keeps lookups off the hot path.
CACHE_SECONDS = 3600.0


class SlackDirectory:
    def __init__(self, client: AsyncWebClient, pedir: Pedir, ttl: float = CACHE_SECONDS) -> None:
        self.client = client
        self.pedir = pedir
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Person]] = {}
        # One lookup per user at a time: a burst from one user asks once.
        self._inflight: dict[str, asyncio.Future[Person]] = {}

    async def person(self, user_id: str, fallback_name: str = "") -> Person:
        cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        if user_id in self._inflight:
            return await asyncio.shield(self._inflight[user_id])
        future: asyncio.Future[Person] = asyncio.get_running_loop().create_future()
        self._inflight[user_id] = future
        try:
            person = await self._lookup(user_id, fallback_name, refresh=cached is not None)
            self._cache[user_id] = (time.monotonic(), person)
            future.set_result(person)
            return person
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[user_id]

    async def _lookup(self, user_id: str, fallback_name: str, refresh: bool) -> Person:
        """A known account needs no API call, except to refresh an expired entry."""
        if not refresh:
            known = await self.pedir.person(PLATFORM, user_id, None)
            if known is not None:
                return known
        person = await self.pedir.person(PLATFORM, user_id, await self._profile(user_id, fallback_name))
        assert person is not None  # a profile always yields a person
        return person

    async def _profile(self, user_id: str, fallback_name: str) -> Profile:
        try:
            user = (await self.client.users_info(user=user_id, include_locale=True))["user"]
        except SlackApiError as exc:
            # Still works without a profile: the person is keyed by Slack id.
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return Profile(name=fallback_name or user_id)
        profile = user.get("profile", {})
        name = profile.get("real_name") or user.get("real_name") or user.get("name") or fallback_name or user_id
        return Profile(
            name=name,
            email=profile.get("email") or None,
            locale=user.get("locale") or None,
            timezone=user.get("tz") or None,
        )
