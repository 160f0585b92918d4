"""Slack users as People: the database first, users.info for newcomers, and a
short in-memory cache so the hot path asks neither.

users.info failing never stops a command: the user gets a person from what
the event carries (their handle), marked incomplete, and the next lookup once
Slack allows it asks again and completes them (see bot.people.identity.link).
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.people_cache import CACHE_SECONDS, RETRY_SECONDS, PeopleCache, retry_after
from bot.app import Pedir
from bot.observe import observer
from bot.people.identity import Profile
from storage.models import Person

log = logging.getLogger(__name__)
PLATFORM = "slack"


class SlackDirectory:
    def __init__(
        self, client: AsyncWebClient, pedir: Pedir, ttl: float = CACHE_SECONDS, retry: float = RETRY_SECONDS,
    ) -> None:
        self.client = client
        self.pedir = pedir
        self.retry = retry
        self.cache = PeopleCache(pedir, PLATFORM, ttl)
        # One lookup per user at a time: a burst from one user asks once.
        self._inflight: dict[str, asyncio.Future[Person]] = {}
        # Slack rate-limits users.info as a whole: until this time, nobody is asked.
        self._rate_limited_until = 0.0

    async def person(self, user_id: str, fallback_name: str = "") -> Person:
        cached = await self.cache.fresh(user_id)
        if cached is not None:
            return cached
        if user_id in self._inflight:
            return await asyncio.shield(self._inflight[user_id])
        future: asyncio.Future[Person] = asyncio.get_running_loop().create_future()
        self._inflight[user_id] = future
        try:
            person = await self._lookup(user_id, fallback_name, refresh=self.cache.seen(user_id))
            future.set_result(person)
            return person
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[user_id]

    async def _lookup(self, user_id: str, fallback_name: str, refresh: bool) -> Person:
        """A known, complete account needs no API call, except to refresh an expired entry."""
        if not refresh:
            known = await self.pedir.person(PLATFORM, user_id, None)
            if known is not None and known.profile_complete:
                self.cache.keep(user_id, known)
                return known
        profile, wait = await self._profile(user_id, fallback_name)
        person = await self.pedir.person(PLATFORM, user_id, profile)
        assert person is not None  # a profile always yields a person
        self.cache.keep(user_id, person, wait)
        return person

    async def _profile(self, user_id: str, fallback_name: str) -> tuple[Profile, float | None]:
        """The user's profile (wait None); or a stand-in, and how long to wait before asking again."""
        stand_in = Profile(name=fallback_name or user_id, complete=False)
        wait = self._rate_limited_until - self.cache.now()
        if wait > 0:
            return stand_in, wait
        try:
            user = (await self.client.users_info(user=user_id, include_locale=True))["user"]
        except SlackApiError as exc:
            wait = retry_after(exc.response.headers) or self.retry
            if exc.response.status_code == 429:
                self._rate_limited_until = self.cache.now() + wait
                observer().rate_limited(PLATFORM, "users.info")
            # No user id or name here: the log is no place for who is who.
            log.warning("users.info failed (%s): profile incomplete, asked again in %.0f s",
                        exc.response.get("error"), wait)
            return stand_in, wait
        except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("users.info unreachable (%s): profile incomplete", exc.__class__.__name__)
            return stand_in, self.retry
        profile = user.get("profile", {})
        name = profile.get("real_name") or user.get("real_name") or user.get("name") or fallback_name or user_id
        return Profile(
            name=name,
            email=profile.get("email") or None,
            locale=user.get("locale") or None,
            timezone=user.get("tz") or None,
        ), None
