"""Bot Framework signing keys never block the server (issue 10, item 4).

botframework-connector 4.17.1 fetched them with a blocking requests.get on the
event loop, without a timeout, again on every request after a failure: three
forged tokens sent while the endpoint stalled 6 s froze everything for 18 s.
First the cache on its own (a scripted fetch, a hand-moved clock), then the
real server on loopback against a stand-in whose OpenID metadata stalls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import jwt
import pytest
from botframework.connector.auth import AuthenticationConstants, GovernmentConstants, JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.teams.app import cloud_adapter
from adapters.teams.signing_keys import KeyPolicy, SigningKeys, fetch_jwks, parse_keys
from bot.config import Settings
from tests.harness import slack_wire
from tests.harness.slack_env import ANA, PROFILES, SECRET
from tests.harness.slack_standin import FakeSlackAPI
from tests.harness.teams_env import (  # noqa: F401  (fake_connector_running: fixture)
    ANA_T,
    APP_ID,
    TeamsEnv,
    fake_connector_running,
    prepare_database,
    start_server,
)
from tests.harness.teams_standin import FakeBotConnector, auth_overrides
from tests.harness.waiting import eventually

T = TypeVar("T")
POLICY = KeyPolicy(timeout=5.0, failure_ttl=30.0, max_age=86400.0, unknown_key_refresh=3600.0)
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(kid: str, endorsements: tuple[str, ...] = ("msteams",)) -> dict[str, Any]:
    return {**RSAAlgorithm.to_jwk(PRIVATE_KEY.public_key(), as_dict=True), "kid": kid,
            "endorsements": list(endorsements)}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptedFetch:
    """A fetch that answers `keys`, or raises `error`; `gate`, when set, holds it until opened."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.error: Exception | None = None
        self.gate: asyncio.Event | None = None
        self.calls: list[tuple[str, float]] = []

    async def __call__(self, url: str, timeout: float) -> list[dict[str, Any]]:
        self.calls.append((url, timeout))
        if self.gate:
            await self.gate.wait()
        if self.error:
            raise self.error
        return self.keys


def keys_with(fetch: ScriptedFetch, clock: Clock, policy: KeyPolicy = POLICY) -> SigningKeys:
    return SigningKeys("https://login.example/openid", policy, fetch=fetch, clock=clock)


# ---------------------------------------------------------------- the cache
async def test_keys_are_fetched_once_and_then_served_from_the_cache():
    fetch, clock = ScriptedFetch(jwk("k1", ("msteams", "webchat"))), Clock()
    keys = keys_with(fetch, clock)
    key = await keys.get("k1")
    clock.now += 3000
    assert await keys.get("k1") is key
    assert fetch.calls == [("https://login.example/openid", POLICY.timeout)]
    assert key.endorsements == ["msteams", "webchat"]
    # The parsed key checks what the private key signed.
    token = jwt.encode({"iss": "x"}, PRIVATE_KEY, algorithm="RS256")
    assert jwt.decode(token, key.public_key, algorithms=["RS256"]) == {"iss": "x"}


async def test_keys_are_fetched_again_once_a_day_old():
    fetch, clock = ScriptedFetch(jwk("k1")), Clock()
    keys = keys_with(fetch, clock)
    await keys.get("k1")
    clock.now += POLICY.max_age - 1
    await keys.get("k1")
    assert len(fetch.calls) == 1
    clock.now += 2
    await keys.get("k1")
    assert len(fetch.calls) == 2


async def test_an_unknown_key_id_fetches_again_at_most_once_an_hour():
    fetch, clock = ScriptedFetch(jwk("k1")), Clock()
    keys = keys_with(fetch, clock)
    await keys.get("k1")
    for _ in range(3):
        with pytest.raises(PermissionError, match="no signing key"):
            await keys.get("forged")
    assert len(fetch.calls) == 1
    clock.now += POLICY.unknown_key_refresh + 1
    fetch.keys = [jwk("k1"), jwk("k2")]  # a key published since
    assert (await keys.get("k2")).endorsements == ["msteams"]
    assert len(fetch.calls) == 2


async def test_a_failed_fetch_is_remembered_and_tokens_are_refused_at_once():
    fetch, clock = ScriptedFetch(jwk("k1")), Clock()
    fetch.error = TimeoutError()
    keys = keys_with(fetch, clock)
    with pytest.raises(PermissionError, match="unavailable"):
        await keys.get("k1")
    clock.now += POLICY.failure_ttl - 1
    for _ in range(5):
        with pytest.raises(PermissionError, match="unavailable"):
            await keys.get("k1")
    assert len(fetch.calls) == 1
    fetch.error = None
    clock.now += 2
    assert await keys.get("k1")
    assert len(fetch.calls) == 2


async def test_known_keys_keep_serving_while_their_refresh_fails():
    fetch, clock = ScriptedFetch(jwk("k1")), Clock()
    keys = keys_with(fetch, clock)
    key = await keys.get("k1")
    clock.now += POLICY.max_age + 1
    fetch.error = ConnectionResetError()
    assert await keys.get("k1") is key
    assert await keys.get("k1") is key
    assert len(fetch.calls) == 2  # the failed refresh, not one per token


async def test_an_answer_without_a_usable_key_counts_as_a_failure():
    fetch, clock = ScriptedFetch({"kid": "broken", "kty": "RSA", "n": "not-a-number"}), Clock()
    keys = keys_with(fetch, clock)
    with pytest.raises(PermissionError, match="unavailable"):
        await keys.get("broken")
    with pytest.raises(PermissionError):
        await keys.get("broken")
    assert len(fetch.calls) == 1


def test_one_malformed_key_does_not_spoil_the_others():
    parsed = parse_keys([{"kid": "bad", "kty": "RSA", "n": "x"}, {"kty": "RSA"}, jwk("good")])
    assert list(parsed) == ["good"]


@pytest.mark.parametrize("fails", [False, True])
async def test_callers_at_the_same_time_share_one_fetch(fails):
    fetch, clock = ScriptedFetch(jwk("k1")), Clock()
    fetch.gate = asyncio.Event()
    fetch.error = TimeoutError() if fails else None
    keys = keys_with(fetch, clock)
    callers = [asyncio.create_task(keys.get("k1")) for _ in range(5)]
    await eventually(lambda: fetch.calls, "the fetch to start")
    await asyncio.sleep(0.05)  # proving a negative: no second fetch starts while this one runs
    assert len(fetch.calls) == 1 and not any(task.done() for task in callers)
    fetch.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert len(fetch.calls) == 1
    if fails:
        assert all(isinstance(result, PermissionError) for result in results)
    else:
        assert all(result is results[0] for result in results)


async def test_a_caller_giving_up_does_not_cancel_the_fetch_the_others_wait_for():
    fetch, clock = ScriptedFetch(jwk("k1")), Clock()
    fetch.gate = asyncio.Event()
    keys = keys_with(fetch, clock)
    impatient, patient = asyncio.create_task(keys.get("k1")), asyncio.create_task(keys.get("k1"))
    await eventually(lambda: fetch.calls, "the fetch to start")
    impatient.cancel()
    fetch.gate.set()
    assert (await patient).endorsements == ["msteams"]
    assert impatient.cancelled() and len(fetch.calls) == 1


async def test_the_real_fetch_reads_the_metadata_then_the_keys(fake_connector_running):  # noqa: F811
    connector = fake_connector_running
    [key] = await fetch_jwks(connector.openid_metadata_url, 5.0)
    assert key["kid"] == connector.kid
    assert [call.kind for call in connector.calls] == ["openid", "keys"]


async def test_the_real_fetch_gives_up_after_its_timeout(fake_connector_running):  # noqa: F811
    connector = fake_connector_running
    connector.stall_next("openid", 30)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await fetch_jwks(connector.openid_metadata_url, 0.5)
    assert time.monotonic() - started < 10  # the timeout, nowhere near the 30 s stall


# ------------------------------------------------------ where the library looks
def test_the_adapter_puts_signing_keys_at_every_url_the_library_fetches():
    cloud_adapter(Settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-used"))
    for url in (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
                AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
                GovernmentConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
                GovernmentConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL):
        assert isinstance(JwtTokenExtractor.get_open_id_metadata(url), SigningKeys), url


async def test_configured_urls_get_the_policy_given(fake_connector_running):  # noqa: F811
    policy = KeyPolicy(timeout=1.5, failure_ttl=7.0)
    cloud_adapter(Settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-used"), key_policy=policy,
                  **auth_overrides(fake_connector_running))
    keys = JwtTokenExtractor.get_open_id_metadata(fake_connector_running.openid_metadata_url)
    assert isinstance(keys, SigningKeys) and keys.policy == policy


# ------------------------------------------------------- the server, end to end
STALL = 6.0  # how long the OpenID metadata endpoint takes to fail
SERVER_POLICY = KeyPolicy(timeout=3.0, failure_ttl=4.0)  # gives up well before the stall ends
RESPONSIVE = 1.0  # seconds: what the rest of the server must answer within meanwhile


async def timed(awaitable: Awaitable[T]) -> tuple[float, T]:
    started = time.monotonic()
    result = await awaitable
    return time.monotonic() - started, result


async def get_status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        return response.status


def forged_token(connector: FakeBotConnector, activity: dict[str, Any], n: int) -> str:
    """Names the Bot Framework issuer and the bot's audience, signed by a key nobody published."""
    return connector.make_token(APP_ID, sign_with_other_key=True, kid=f"forged-{n}",
                                service_url=activity["serviceUrl"])


@pytest.fixture
async def server_with_slack_and_teams(fake_connector_running, database_url):  # noqa: ANN001, F811
    async with FakeSlackAPI() as slack:
        for user_id, (name, email, locale) in PROFILES.items():
            slack.add_user(user_id, email=email, real_name=name, locale=locale)
        await prepare_database(database_url)
        env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(),
                       database_url=database_url)
        server = await start_server(env, slack_api_url=slack.api_url, teams_options={"key_policy": SERVER_POLICY})
        yield env, server, slack
        await env.http.close()
        await asyncio.wait_for(server.close(), 60)


async def test_forged_tokens_during_a_key_endpoint_stall_freeze_nothing(server_with_slack_and_teams):
    teams, server, slack = server_with_slack_and_teams
    connector = teams.connector
    connector.stall_next("openid", STALL, status=504)
    activity = teams.personal(ANA_T, "pedir ayuda")
    tokens = [forged_token(connector, activity, n) for n in range(3)]

    first = [asyncio.create_task(timed(teams.post(activity, token=token))) for token in tokens]
    await eventually(lambda: connector.calls_to("openid"), "the key fetch to reach the stalled endpoint")
    # While the fetch stalls, the rest of the server answers as usual.
    took, status = await timed(get_status(teams.http, str(server.make_url("/healthz"))))
    assert status == 200 and took < RESPONSIVE, took
    body = slack_wire.slash_command_body(text="ayuda", user_id=ANA, response_url=slack.response_url("ayuda"))
    took, (status, _, _) = await timed(slack_wire.post_signed(teams.http, str(server.make_url("/slack/events")),
                                                             SECRET, body))
    assert status == 200 and took < RESPONSIVE, took
    assert not any(task.done() for task in first)  # all that happened during the stall

    # The forged tokens are refused when the fetch gives up, not when the stall ends,
    # and the three of them cost one fetch.
    refused = await asyncio.gather(*first)
    assert [status for _, (status, _) in refused] == [401, 401, 401]
    assert all(took < STALL for took, _ in refused), refused
    assert len(connector.calls_to("openid")) == 1

    # Within the failure period more of them are refused at once, asking nobody.
    again = await asyncio.gather(*(timed(teams.post(activity, token=token)) for token in tokens))
    assert [status for _, (status, _) in again] == [401, 401, 401]
    assert all(took < RESPONSIVE for took, _ in again), again
    assert len(connector.calls_to("openid")) == 1

    # The endpoint is back (its one stall is spent): once the period is over, a valid
    # token is accepted, after exactly one more fetch.
    async def accepted() -> bool:
        status, _ = await teams.post(teams.personal(ANA_T, "pedir ayuda"))
        return status in (200, 201)

    await eventually(accepted, "a valid token accepted after the failure period",
                     timeout=SERVER_POLICY.failure_ttl + 10, interval=0.25)
    assert len(connector.calls_to("openid")) == 2 and len(connector.calls_to("keys")) == 1
    # And a forged one is still refused, from the cache.
    status, _ = await teams.post(activity, token=tokens[0])
    assert status == 401
    assert len(connector.calls_to("openid")) == 2
