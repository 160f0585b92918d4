"""The Bot Framework's token signing keys, fetched without ever blocking the event loop.

botframework-connector 4.17.1 validates an inbound token with the keys
published at an OpenID metadata URL, through an object with one method,
``async get(key_id)``, returning the key's ``public_key`` and
``endorsements``. Its own (``_OpenIdMetadata``) fetches them with a blocking
``requests.get`` on the event loop, with no timeout, and after a failure
tries again on every request: a forged token naming the Bot Framework
issuer, sent while the endpoint stalls, froze the whole server once per
token. ``SigningKeys`` answers the same call: one aiohttp fetch at a time,
bounded by a timeout, keys kept as long as the library keeps them, and a
failure remembered for a while, during which tokens are refused at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

Fetch = Callable[[str, float], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class KeyPolicy:
    """How long to wait for the endpoint, and how long its answer (or silence) holds."""

    timeout: float = 5.0  # for the metadata and the keys together
    failure_ttl: float = 30.0  # after a failed fetch, no other fetch for this long
    max_age: float = 24 * 3600.0  # as botframework-connector 4.17.1: keys refreshed after a day
    unknown_key_refresh: float = 3600.0  # and, for a key id they lack, at most once an hour


@dataclass(frozen=True)
class SigningKey:
    """What JwtTokenExtractor reads from ``get``'s answer."""

    public_key: Any
    endorsements: list[str]


async def fetch_jwks(metadata_url: str, timeout: float) -> list[dict[str, Any]]:
    """The JWKS ``keys`` the metadata's ``jwks_uri`` names, both fetched within ``timeout``."""
    async with asyncio.timeout(timeout):
        # trust_env: a proxy in HTTPS_PROXY applies, as it did to the library's requests.get.
        async with aiohttp.ClientSession(trust_env=True) as http:
            async with http.get(metadata_url) as response:
                response.raise_for_status()
                jwks_uri = (await response.json(content_type=None))["jwks_uri"]
            async with http.get(jwks_uri) as response:
                response.raise_for_status()
                return (await response.json(content_type=None))["keys"]


def parse_keys(jwks: list[dict[str, Any]]) -> dict[str, SigningKey]:
    """Usable RSA keys by id; one malformed key does not spoil the others."""
    keys = {}
    for jwk in jwks:
        try:
            keys[jwk["kid"]] = SigningKey(RSAAlgorithm.from_jwk(json.dumps(jwk)), list(jwk.get("endorsements", [])))
        except (KeyError, TypeError, ValueError, jwt.PyJWTError):
            continue
    return keys


class SigningKeys:
    """One metadata URL's keys, in the shape botframework-connector asks for them."""

    def __init__(self, metadata_url: str, policy: KeyPolicy = KeyPolicy(), *, fetch: Fetch = fetch_jwks,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.metadata_url = metadata_url
        self.policy = policy
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = -math.inf
        self._failed_at = -math.inf
        self._inflight: asyncio.Task | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        """The key that signed a token; PermissionError (so 401) when there is none to check it with."""
        if self._age() > self.policy.max_age:
            await self._refresh()
        key = self._keys.get(key_id)
        if key is None and self._age() > self.policy.unknown_key_refresh:
            await self._refresh()  # perhaps a key published since the last fetch
            key = self._keys.get(key_id)
        if key is None:
            raise PermissionError("no signing key for this token" if self._keys else "signing keys unavailable")
        return key

    def _age(self) -> float:
        return self._clock() - self._fetched_at

    async def _refresh(self) -> None:
        """Fetch, unless a fetch failed lately; callers at the same time share one fetch."""
        if self._clock() - self._failed_at < self.policy.failure_ttl:
            return
        loop = asyncio.get_running_loop()
        # A task from another (finished) event loop is never awaited: tests run one loop each.
        if self._inflight is None or self._inflight.done() or self._inflight.get_loop() is not loop:
            self._inflight = loop.create_task(self._fetch_and_keep())
        # Shielded: a caller that gives up does not cancel the fetch the others wait for.
        await asyncio.shield(self._inflight)

    async def _fetch_and_keep(self) -> None:
        try:
            keys = parse_keys(await self._fetch(self.metadata_url, self.policy.timeout))
            if not keys:
                raise ValueError("no usable key")
        except Exception as exc:  # noqa: BLE001  (any failure: keep what we had, try later)
            self._failed_at = self._clock()
            # The URL's host only (it is configuration, never a secret) and the error's class.
            log.warning("teams: signing keys from %s unavailable (%s); next try in %g s",
                        urlsplit(self.metadata_url).netloc, exc.__class__.__name__, self.policy.failure_ttl)
            return
        self._keys = keys
        self._fetched_at = self._clock()
        self._failed_at = -math.inf
