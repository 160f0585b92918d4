"""What botbuilder 4.17.1's CloudAdapter does on the wire, pinned against the stand-ins.

A minimal aiohttp app (CloudAdapter + ConfigurationBotFrameworkAuthentication
+ an ActivityHandler) serves POST /api/messages; inbound activities come from
tests/harness/teams_wire.py and everything outbound (replies, OpenID metadata, JWKS)
goes to tests/harness/teams_standin.FakeBotConnector. The assertions record the
library's CURRENT behaviour, including the unfriendly parts (500s), so the
Pedir Teams adapter can wrap them; if an upgrade changes one, the test says so.
"""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable

import aiohttp
import jwt
import pytest
import requests
from msrest.exceptions import SerializationError
from aiohttp import web

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ErrorResponseException
from botframework.connector.auth import AuthenticationConstants, ServiceClientCredentialsFactory

from tests.harness.teams_standin import (  # noqa: F401  (fake_connector is a fixture)
    CHANNEL_ISSUER,
    FakeBotConnector,
    StaticCredentialsFactory,
    auth_overrides,
    fake_connector,
)
from tests.harness.teams_wire import (
    BOT_APP_ID,
    channel_message,
    invoke_adaptive_card_action,
    personal_message,
    post_activity,
)

AAD_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.static-aad-token.sig"
CARD = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Hecho"}]}


class Config:
    """The configuration object ConfigurationBotFrameworkAuthentication reads with getattr."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)


def channel_config(fake: FakeBotConnector, app_id: str = BOT_APP_ID, **more: Any) -> Config:
    """Public-cloud values, except the OpenID metadata which comes from the fake."""
    return Config(APP_ID=app_id, APP_PASSWORD="not-used-with-a-credentials-factory", **auth_overrides(fake), **more)


InvokeHandler = Callable[[TurnContext], Awaitable[Any]]


class Bot(ActivityHandler):
    """Replies "eco: <text>"; records what happened for the assertions."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []  # raised inside the bot's handlers
        self.escaped: list[BaseException] = []  # escaped CloudAdapter.process (aiohttp -> 500)
        self.turns: list[Activity] = []
        self.invoke: InvokeHandler | None = None  # replaces on_invoke_activity when set
        self.card_invoke: Callable[[], AdaptiveCardInvokeResponse] | None = None
        self.on_message: Callable[[TurnContext], Awaitable[None]] | None = None

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        self.turns.append(turn_context.activity)
        try:
            if self.on_message:
                await self.on_message(turn_context)
            else:
                await turn_context.send_activity(f"eco: {turn_context.activity.text}")
        except Exception as error:
            self.errors.append(error)
            raise

    async def on_invoke_activity(self, turn_context: TurnContext):
        if self.invoke:
            return await self.invoke(turn_context)
        return await super().on_invoke_activity(turn_context)

    async def on_adaptive_card_invoke(self, turn_context, invoke_value):
        if self.card_invoke:
            return self.card_invoke()
        return await super().on_adaptive_card_invoke(turn_context, invoke_value)


@asynccontextmanager
async def bot_server(
    config: Config, credentials_factory: ServiceClientCredentialsFactory | None = None
) -> AsyncIterator[tuple[str, Bot, CloudAdapter]]:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials_factory))
    bot = Bot()

    async def messages(request: web.Request) -> web.Response:
        try:
            return await adapter.process(request, bot)
        except web.HTTPException:
            raise  # HTTPUnauthorized (from PermissionError), HTTPBadRequest, ...
        except Exception as error:
            bot.escaped.append(error)
            raise  # aiohttp answers 500, as it would in production

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    try:
        yield f"http://127.0.0.1:{port}/api/messages", bot, adapter
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


# --------------------------------------------------------------- (a) no app id
async def test_without_app_id_a_personal_message_is_answered_unauthenticated(fake_connector, http):
    async with bot_server(Config()) as (url, bot, _):
        activity = personal_message("hola", service_url=fake_connector.service_url)
        status, body = await post_activity(http, url, activity)
        assert (status, body) == (201, "")  # CloudAdapter answers 201 with an empty body
        [call] = await fake_connector.wait_for_calls("send", 1)

    # Reply goes to POST /v3/conversations/{id}/activities/{replyToId}, no Authorization at all.
    assert call.conversation_id == "a:1personal"
    assert call.activity_id == activity["id"]
    assert call.path == f"/amer/v3/conversations/a:1personal/activities/{activity['id']}"
    assert "Authorization" not in call.headers
    assert call.json["text"] == "eco: hola"
    assert call.json["replyToId"] == activity["id"]
    assert call.json["conversation"]["id"] == "a:1personal"
    assert call.json["from"]["id"] == "28:" + BOT_APP_ID
    assert call.json["recipient"]["id"] == "29:1ana"
    assert bot.errors == []


async def test_without_app_id_a_stray_token_is_still_parsed(fake_connector, http):
    """Built-in (public cloud) path with auth disabled still validates a header that is present."""
    async with bot_server(Config()) as (url, bot, _):
        activity = personal_message("hola", service_url=fake_connector.service_url)
        status, _ = await post_activity(http, url, activity, authorization="Bearer abc")
    # JwtTokenValidation.authenticate_request only skips validation when the header is
    # empty; "abc" then fails to decode and the PyJWT error escapes -> 500.
    assert status == 500
    [error] = bot.escaped
    assert isinstance(error, jwt.DecodeError)


async def test_parameterized_config_without_app_id_fails_a_headerless_request(fake_connector, http):
    """CloudAdapter passes "" for a missing header; the parameterized path only treats None as "no header".

    "" then reaches _government_channel_validation_authenticate_channel_token, which
    returns None, and _jwt_token_validation_validate_auth_header does None.claims:
    AttributeError -> 500. So auth can't be disabled once any TO_BOT_* attribute is set.
    """
    async with bot_server(channel_config(fake_connector, app_id="")) as (url, bot, _):
        activity = personal_message("hola", service_url=fake_connector.service_url)
        status, _ = await post_activity(http, url, activity)
    assert status == 500
    [error] = bot.escaped
    assert isinstance(error, AttributeError) and "claims" in str(error)
    assert fake_connector.calls_to("send") == []


# ------------------------------------------------------------ (b) inbound auth
@pytest.fixture
async def authed_bot(fake_connector):
    factory = StaticCredentialsFactory(BOT_APP_ID, AAD_TOKEN)
    async with bot_server(channel_config(fake_connector), factory) as (url, bot, adapter):
        yield url, bot, factory


async def test_missing_authorization_header_is_500_on_the_parameterized_path(fake_connector, authed_bot, http):
    """Not 401: the parameterized path checks `auth_header is None`, CloudAdapter passes "" (see above)."""
    url, bot, _ = authed_bot
    status, _ = await post_activity(http, url, personal_message("hola", service_url=fake_connector.service_url))
    assert status == 500
    [error] = bot.escaped
    assert isinstance(error, AttributeError)
    assert bot.turns == []


async def test_missing_authorization_header_is_401_on_the_built_in_path(fake_connector, http):
    """The public-cloud path (no TO_BOT_* attributes) does answer 401 for a missing header."""
    async with bot_server(Config(APP_ID=BOT_APP_ID, APP_PASSWORD="x")) as (url, bot, _):
        status, _ = await post_activity(http, url, personal_message("hola", service_url=fake_connector.service_url))
    assert status == 401
    assert bot.escaped == [] and bot.turns == []


async def test_valid_channel_token_is_accepted(fake_connector, authed_bot, http):
    url, bot, factory = authed_bot
    activity = personal_message("hola", service_url=fake_connector.service_url)
    status, _ = await post_activity(http, url, activity, fake_connector.make_token(BOT_APP_ID))
    assert status == 201
    await fake_connector.wait_for_calls("send", 1)
    # The OpenID metadata and then the JWKS were fetched from the fake.
    assert [c.kind for c in fake_connector.calls][:2] == ["openid", "keys"]
    assert bot.turns[0].text == "hola"


@pytest.mark.parametrize(
    ("name", "make", "expected", "escaped"),
    [
        # PermissionError inside the library -> CloudAdapter raises HTTPUnauthorized.
        ("other audience", lambda f: f.make_token("another-app-id"), 401, None),
        # Issuer not allowed: extractor returns None before checking the signature -> PermissionError.
        ("other issuer", lambda f: f.make_token(BOT_APP_ID, issuer="https://sts.example.com/"), 401, None),
        ("serviceurl claim differs", lambda f: f.make_token(BOT_APP_ID, service_url="https://evil.example/"), 401, None),
        ("no serviceurl claim", lambda f: f.make_token(BOT_APP_ID, include_service_url=False), 401, None),
        # PyJWT exceptions are NOT PermissionError: they escape CloudAdapter.process -> 500.
        ("signed by another key", lambda f: f.make_token(BOT_APP_ID, sign_with_other_key=True), 500, jwt.InvalidSignatureError),
        ("expired", lambda f: f.make_token(BOT_APP_ID, expires_in=-3600), 500, jwt.ExpiredSignatureError),
        # _OpenIdMetadata._find does [...][0] on the kid: unknown kid -> IndexError -> 500.
        ("unknown kid", lambda f: f.make_token(BOT_APP_ID, kid="unknown-kid"), 500, IndexError),
    ],
)
async def test_bad_tokens(fake_connector, authed_bot, http, name, make, expected, escaped):
    url, bot, _ = authed_bot
    activity = personal_message("hola", service_url=fake_connector.service_url)
    status, _ = await post_activity(http, url, activity, make(fake_connector))
    assert status == expected, name
    assert [type(e) for e in bot.escaped] == ([escaped] if escaped else [])
    assert bot.turns == []


@pytest.mark.parametrize(
    ("header", "expected", "escaped"),
    [
        ("Bearer not.a.jwt", 500, jwt.DecodeError),  # from SkillValidation.is_skill_token's jwt.decode
        ("Bearer abc", 500, jwt.DecodeError),  # same: "Not enough segments"
        # One part: the channel validator returns None, then None.claims.
        ("Bearer", 500, AttributeError),
        ("", 500, AttributeError),  # empty header == no header (see above)
        # Two parts, wrong scheme: extractor returns None -> "Identity missing" PermissionError.
        ("Basic dXNlcjpwYXNz", 401, None),
    ],
)
async def test_malformed_authorization_header(fake_connector, authed_bot, http, header, expected, escaped):
    url, bot, _ = authed_bot
    activity = personal_message("hola", service_url=fake_connector.service_url)
    status, body = await post_activity(http, url, activity, authorization=header)
    assert status == expected
    assert [type(e) for e in bot.escaped] == ([escaped] if escaped else [])
    assert bot.turns == []


async def test_channel_endorsement_must_include_the_activity_channel(http):
    """Keys carry endorsements; a key not endorsed for "msteams" fails with a plain Exception -> 500."""
    async with FakeBotConnector(endorsements=["webchat"]) as fake:
        factory = StaticCredentialsFactory(BOT_APP_ID, AAD_TOKEN)
        async with bot_server(channel_config(fake), factory) as (url, bot, _):
            activity = personal_message("hola", service_url=fake.service_url)
            status, _ = await post_activity(http, url, activity, fake.make_token(BOT_APP_ID))
    assert status == 500
    [error] = bot.escaped
    assert type(error) is Exception and str(error) == "Could not validate endorsement key"
    assert bot.turns == []


# ------------------------------------------------------------ (c) outbound auth
async def test_outbound_carries_the_credentials_factory_token(fake_connector, authed_bot, http):
    url, bot, factory = authed_bot
    activity = channel_message("nueva solicitud", service_url=fake_connector.service_url)
    status, _ = await post_activity(http, url, activity, fake_connector.make_token(BOT_APP_ID))
    assert status == 201
    [call] = await fake_connector.wait_for_calls("send", 1)
    assert call.headers["Authorization"] == f"Bearer {AAD_TOKEN}"
    assert call.conversation_id == f"19:abc@thread.tacv2;messageid={activity['id']}"
    assert call.json["text"] == "eco: <at>Pedir</at> nueva solicitud"
    # The connector factory asks for credentials for the bot's app id and the channel scope.
    assert (BOT_APP_ID, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE) in [r[:2] for r in factory.requests]


async def test_get_member_through_teams_info(fake_connector, authed_bot, http):
    url, bot, _ = authed_bot
    fake_connector.add_member("aad-ana", "29:1ana", "Ana García", "ana@example.com", "ana@example.com", "tenant-1")
    found: list[Any] = []

    async def lookup(turn_context: TurnContext) -> None:
        found.append(await TeamsInfo.get_member(turn_context, "aad-ana"))
        try:
            await TeamsInfo.get_member(turn_context, "aad-nobody")
        except Exception as error:  # noqa: BLE001
            found.append(error)

    bot.on_message = lookup
    activity = personal_message("hola", service_url=fake_connector.service_url)
    status, _ = await post_activity(http, url, activity, fake_connector.make_token(BOT_APP_ID))
    assert status == 201
    member, missing = found
    assert (member.id, member.name, member.aad_object_id, member.email) == ("29:1ana", "Ana García", "aad-ana", "ana@example.com")
    assert member.user_principal_name == "ana@example.com" and member.tenant_id == "tenant-1"
    assert isinstance(missing, ErrorResponseException)
    assert missing.response.status_code == 404
    assert missing.error.error.code == "MemberNotFoundInConversation"


# ------------------------------------------------------- (d) adaptiveCard/action
@pytest.fixture
async def open_bot(fake_connector):
    async with bot_server(Config()) as (url, bot, _):
        yield url, bot


async def post_invoke(fake: FakeBotConnector, url: str, http) -> tuple[int, Any]:
    activity = invoke_adaptive_card_action({"request_id": 7}, verb="approve", service_url=fake.service_url)
    return await post_activity(http, url, activity)


async def test_invoke_response_with_adaptive_card_invoke_response_model(fake_connector, open_bot, http):
    url, bot = open_bot
    seen: list[Any] = []

    async def invoke(turn_context: TurnContext):
        seen.append(turn_context.activity.value)
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.card.adaptive", value=CARD),
        )

    bot.invoke = invoke
    status, body = await post_invoke(fake_connector, url, http)
    assert status == 200
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": CARD}
    assert seen == [{"action": {"type": "Action.Execute", "verb": "approve", "data": {"request_id": 7}}, "trigger": "manual"}]
    assert fake_connector.calls_to("send") == []  # the invoke response is the HTTP answer, not a send


async def test_invoke_response_with_plain_dict_body_is_500(fake_connector, open_bot, http):
    """CloudAdapter.process runs serializer_helper(body): msrest's Serializer on a dict -> AttributeError."""
    url, bot = open_bot

    async def invoke(turn_context: TurnContext):
        return InvokeResponse(status=200, body={"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": CARD})

    bot.invoke = invoke
    status, _ = await post_invoke(fake_connector, url, http)
    assert status == 500
    [error] = bot.escaped
    assert isinstance(error, AttributeError) and "is_xml_model" in str(error)


async def test_stock_on_adaptive_card_invoke_path_is_500(fake_connector, open_bot, http):
    """ActivityHandler._create_invoke_response already serializes to a dict; CloudAdapter serializes again -> 500."""
    url, bot = open_bot
    bot.card_invoke = lambda: AdaptiveCardInvokeResponse(
        status_code=200, type="application/vnd.microsoft.card.adaptive", value=CARD
    )
    status, _ = await post_invoke(fake_connector, url, http)
    assert status == 500
    [error] = bot.escaped
    assert isinstance(error, AttributeError) and "is_xml_model" in str(error)


async def test_message_typed_invoke_response_with_string_value_is_500(fake_connector, open_bot, http):
    """AdaptiveCardInvokeResponse.value is typed {object}: the documented string message body fails to serialize."""
    url, bot = open_bot

    async def invoke(turn_context: TurnContext):
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.activity.message", value="Hecho"),
        )

    bot.invoke = invoke
    status, _ = await post_invoke(fake_connector, url, http)
    assert status == 500
    [error] = bot.escaped
    assert isinstance(error, SerializationError)  # msrest's, an azure.core SerializationError when installed


async def test_invoke_response_with_string_body_passes_through(fake_connector, open_bot, http):
    """A str body survives serializer_helper unchanged: a workaround is to pre-serialize nothing but a model."""
    url, bot = open_bot

    async def invoke(turn_context: TurnContext):
        return InvokeResponse(status=200, body="ok")

    bot.invoke = invoke
    status, body = await post_invoke(fake_connector, url, http)
    assert (status, body) == (200, "ok")


async def test_unhandled_invoke_is_501(fake_connector, open_bot, http):
    url, _ = open_bot
    status, body = await post_invoke(fake_connector, url, http)
    assert status == 501
    assert body is None or body in ("", "null")


# --------------------------------------------------- (e) connector failures
async def test_429_on_reply_raises_error_response_exception_with_retry_after(fake_connector, open_bot, http):
    url, bot = open_bot
    fake_connector.fail_next("send", 429, retry_after=3)
    activity = personal_message("hola", service_url=fake_connector.service_url)
    status, _ = await post_activity(http, url, activity)
    assert status == 500  # nothing handles the error: no on_turn_error -> escapes process()

    [error] = bot.errors
    assert bot.escaped == [error]
    assert type(error) is ErrorResponseException  # botbuilder.schema (msrest HttpOperationError)
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "3"  # case-insensitive (requests headers)
    assert error.response.headers["retry-after"] == "3"
    assert error.error.error.code == "TooManyRequests"  # parsed ErrorResponse body
    assert str(error) == "(TooManyRequests) scripted 429"  # "(<error.code>) <error.message>" from the body
    assert isinstance(error.response, requests.Response)  # the raw requests response, not aiohttp's
    # POST is not retried by msrest/urllib3 (urllib3 2.x default allowed_methods exclude POST).
    assert len(fake_connector.calls_to("send")) == 1


@pytest.mark.parametrize("code", [412, 502, 504])
async def test_other_failures_on_reply(fake_connector, open_bot, http, code):
    url, bot = open_bot
    fake_connector.fail_next("send", code, retry_after=None)
    status, _ = await post_activity(http, url, personal_message("hola", service_url=fake_connector.service_url))
    assert status == 500
    [error] = bot.errors
    assert isinstance(error, ErrorResponseException)
    assert error.response.status_code == code
    assert len(fake_connector.calls_to("send")) == 1


async def test_update_is_retried_by_urllib3_on_502(fake_connector, open_bot, http):
    """PUT is in urllib3's default allowed methods and 502 in msrest's status_forcelist: retried silently."""
    url, bot = open_bot
    fake_connector.fail_next("update", 502, retry_after=None)
    results: list[Any] = []

    async def update(turn_context: TurnContext) -> None:
        sent = await turn_context.send_activity("primero")
        edit = Activity(type="message", id=sent.id, text="editado")
        results.append(await turn_context.update_activity(edit))

    bot.on_message = update
    status, _ = await post_activity(http, url, personal_message("hola", service_url=fake_connector.service_url))
    assert status == 201
    updates = fake_connector.calls_to("update")
    assert [c.status for c in updates] == [502, 200]
    assert updates[0].activity_id == fake_connector.calls_to("send")[0].response["id"]
    assert fake_connector.activities[updates[0].activity_id]["text"] == "editado"
    assert results[0].id == updates[0].activity_id


async def test_stall_delays_the_answer(fake_connector, open_bot, http):
    url, bot = open_bot
    fake_connector.stall_next("send", 0.5)
    started = time.monotonic()
    status, _ = await post_activity(http, url, personal_message("hola", service_url=fake_connector.service_url))
    assert status == 201
    assert time.monotonic() - started >= 0.5
    [call] = fake_connector.calls_to("send")
    assert call.status == 201


# ------------------------------------------------------- the stand-in itself
async def test_create_conversation_and_member_lookup_wire(fake_connector, http):
    fake_connector.add_member("aad-ana", "29:1ana", "Ana García", email="ana@example.com", tenant_id="t1")
    base = fake_connector.service_url.rstrip("/")
    body = {"isGroup": False, "bot": {"id": "28:" + BOT_APP_ID}, "members": [{"id": "29:1ana"}], "tenantId": "t1"}
    async with http.post(f"{base}/v3/conversations", json=body) as response:
        assert response.status == 201
        first = await response.json()
    async with http.post(f"{base}/v3/conversations", json={**body, "activity": {"type": "message", "text": "hola"}}) as response:
        second = await response.json()
    assert first == {"id": "a:new-conv-1"}
    assert second["id"] == "a:new-conv-1" and second["activityId"]
    async with http.get(f"{base}/v3/conversations/a:new-conv-1/members/aad-ana") as response:
        assert response.status == 200
        assert (await response.json())["id"] == "29:1ana"
    async with http.get(f"{base}/v3/conversations/a:new-conv-1/members/29:nobody") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "MemberNotFoundInConversation"
    assert [c.kind for c in fake_connector.calls] == ["create_conversation", "create_conversation", "get_member", "get_member"]


async def test_openid_documents(fake_connector, http):
    async with http.get(fake_connector.openid_metadata_url) as response:
        metadata = await response.json()
    assert metadata["issuer"] == "https://api.botframework.com"
    assert metadata["jwks_uri"] == fake_connector.jwks_url
    async with http.get(metadata["jwks_uri"]) as response:
        [key] = (await response.json())["keys"]
    assert key["kid"] == fake_connector.kid and key["kty"] == "RSA" and key["e"] == "AQAB"
    assert "msteams" in key["endorsements"]
