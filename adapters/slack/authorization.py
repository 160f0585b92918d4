"""Authorising Slack requests with one auth.test per process, not one per request.

Bolt's single-workspace authorisation calls auth.test on every request until
one succeeds, all at once: at a cold start under load that is a burst of calls
that Slack rate-limits, and each refused call tells a user to reinstall the
app. Here the check runs once at a time (single flight), its answer is kept,
and a failed or rate-limited check never refuses the request: the request is
signed and the token is ours, so the command is still handled, and the check
is tried again later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
RETRY_SECONDS = 30.0
# auth.test errors that say the token itself is no good: retrying cannot help.
REFUSALS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                      "not_allowed_token_type"})


class TokenRefused(Exception):
    """Slack refused SLACK_BOT_TOKEN at start: a fake, revoked or mistyped token (never shown)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class Authorization:
    """Authorisation for a single workspace and a bot token; `for_bolt()` is
    what AsyncApp(authorize=...) takes."""

    def __init__(self, client: AsyncWebClient, retry_seconds: float = RETRY_SECONDS) -> None:
        self.client = client
        self.retry_seconds = retry_seconds
        self.checks = 0  # auth.test calls made, for tests and logs
        self._known: AuthorizeResult | None = None
        self.refused = ""  # the error of the last failed check
        self._retry_at = 0.0
        self._lock = asyncio.Lock()

    def for_bolt(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        # Bolt passes arguments by the names it reads from the signature, and
        # reads `self` as one on a bound method: a plain function it is.
        async def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
            return await self.authorize(enterprise_id, team_id, user_id)

        return authorize

    async def authorize(self, enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        known = self._known or await self._check()
        if known is None:
            # Not confirmed yet: enough to handle the request (our own messages
            # are told apart by bot_id on the event, not by this result).
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                   bot_token=self.client.token)
        return AuthorizeResult(
            enterprise_id=known.enterprise_id, team_id=known.team_id, bot_id=known.bot_id,
            bot_user_id=known.bot_user_id, bot_token=known.bot_token, bot_scopes=known.bot_scopes,
            user_id=user_id,
        )

    async def check_at_start(self) -> None:
        """One auth.test before the first request: a token Slack refuses stops
        the process (TokenRefused), instead of being found by the first user;
        a Slack that is slow or rate-limits leaves the check to the first request."""
        known = await self._check()
        if known is not None:
            log.info("Slack: signed in as bot %s in workspace %s", known.bot_user_id, known.team_id)
        elif self.refused in REFUSALS:
            raise TokenRefused(self.refused)

    async def _check(self) -> AuthorizeResult | None:
        if time.monotonic() < self._retry_at:
            return None
        async with self._lock:
            if self._known is not None or time.monotonic() < self._retry_at:
                return self._known
            self.checks += 1
            try:
                answer = await self.client.auth_test()
            except SlackApiError as exc:
                self._retry_later(exc.response.headers.get("Retry-After") if exc.response is not None else None,
                                  str(exc.response.get("error", "")) if exc.response is not None else "")
                return None
            except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
                self._retry_later(None, exc.__class__.__name__)
                return None
            self._known = AuthorizeResult.from_auth_test_response(
                auth_test_response=answer, bot_token=self.client.token,
                bot_scopes=answer.headers.get("x-oauth-scopes"))
            return self._known

    def _retry_later(self, retry_after: str | None, why: str) -> None:
        self.refused = why
        try:
            wait = max(float(retry_after), self.retry_seconds) if retry_after else self.retry_seconds
        except ValueError:
            wait = self.retry_seconds
        self._retry_at = time.monotonic() + wait
        if why in REFUSALS:
            log.error("Slack refuses the bot token (%s): check SLACK_BOT_TOKEN; trying again in %.0f s", why, wait)
        else:
            log.warning("auth.test failed (%s): requests are handled meanwhile; trying again in %.0f s", why, wait)
