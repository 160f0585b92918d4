"""The Slack stand-ins themselves: signing, Bolt over real HTTP, the fake Web API.

If these fail, every end-to-end Slack test built on them is suspect.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import parse_qsl

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.harness.slack_standin import FakeSlackAPI, fake_slack, serve_bolt  # noqa: F401  (fixture)
from tests.harness.slack_wire import (
    app_home_opened,
    block_actions,
    event_body,
    interactivity_body,
    message_action,
    post_signed,
    retry_headers,
    sign,
    signed_headers,
    slash_command_body,
    url_verification_body,
    view_submission,
)

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"

# Slack's worked example (docs.slack.dev/authentication/verifying-requests-from-slack),
# as also pinned by slack_sdk's own tests/slack_sdk/signature/test_signature_verifier.py.
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = 1531420618
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


# ------------------------------------------------------------------ (a) signing


class _DocClock:
    def now(self) -> float:
        return float(DOC_TIMESTAMP)


def test_sign_matches_slack_documented_example():
    assert sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE


def test_slack_sdk_verifier_accepts_documented_example():
    verifier = SignatureVerifier(DOC_SECRET, clock=_DocClock())
    assert verifier.generate_signature(timestamp=str(DOC_TIMESTAMP), body=DOC_BODY) == DOC_SIGNATURE
    headers = signed_headers(DOC_SECRET, DOC_BODY, timestamp=DOC_TIMESTAMP)
    assert headers["X-Slack-Signature"] == DOC_SIGNATURE
    assert verifier.is_valid_request(DOC_BODY, headers)
    assert not verifier.is_valid_request(DOC_BODY + "x", headers)


def test_slash_command_body_reproduces_documented_body():
    # The doc example predates api_app_id/is_enterprise_install; dropping them
    # must give the same bytes, proving field order and encoding match Slack's.
    body = slash_command_body(
        command="/webhook-collect",
        text="",
        user_id="U2CERLKJA",
        team_id="T1DC2JH3J",
        channel_id="G8PSS9T3V",
        response_url="https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
        trigger_id="398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        user_name="roadrunner",
        channel_name="foobar",
        team_domain="testteamnow",
        api_app_id=None,
        is_enterprise_install=None,
        token="xyzz0WbapA4vBCDEFasx0q6G",
    )
    assert body == DOC_BODY


def test_slash_command_body_has_every_field_slack_sends():
    fields = dict(parse_qsl(slash_command_body(text="nueva petición a @it"), keep_blank_values=True))
    assert list(fields) == [
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id",
    ]  # fmt: skip
    assert fields["command"] == "/pedir"
    assert fields["text"] == "nueva petición a @it"
    assert fields["is_enterprise_install"] == "false"


def test_headers_content_type_and_retry_headers():
    assert signed_headers(SECRET, "a=b")["Content-Type"] == "application/x-www-form-urlencoded"
    assert signed_headers(SECRET, event_body(app_home_opened()))["Content-Type"] == "application/json"
    assert abs(int(signed_headers(SECRET, "")["X-Slack-Request-Timestamp"]) - time.time()) < 5
    assert retry_headers(2) == {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}


def test_interactivity_body_is_a_payload_form():
    payload = block_actions(action_id="aprobar", value="42")
    fields = dict(parse_qsl(interactivity_body(payload)))
    assert list(fields) == ["payload"]
    assert json.loads(fields["payload"]) == payload


# ---------------------------------------------------- (b) Bolt over real HTTP


@pytest.fixture
async def bolt(fake_slack):
    """A Bolt app on loopback whose Web API calls land on the fake, plus what it saw."""
    # Bolt prefers `client` and ignores (and warns about) a `token` given as well,
    # so the token lives on the client only.
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    app = AsyncApp(signing_secret=SECRET, client=client)
    seen: dict[str, list] = {"actions": [], "views": [], "home": [], "shortcuts": []}

    @app.command("/pedir")
    async def pedir(ack, respond, command):
        await ack()
        await respond(f"Recibido: {command['text']}")

    @app.action("aprobar")
    async def aprobar(ack, body, action, client):
        await ack()
        seen["actions"].append((action["value"], body["container"], body["user"]["id"]))
        await client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="Aprobada")

    @app.view("nueva_peticion")
    async def nueva(ack, view, body):
        await ack()
        seen["views"].append((view["private_metadata"], view["state"]["values"], body["user"]["id"]))

    @app.message_shortcut("convertir")
    async def convertir(ack, shortcut):
        await ack()
        seen["shortcuts"].append(shortcut["message"]["text"])

    @app.event("app_home_opened")
    async def home(event, client):
        seen["home"].append(event["user"])
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    async with serve_bolt(app) as url, aiohttp.ClientSession() as session:
        yield url, session, seen


async def test_signed_slash_command_gets_200_and_respond_lands(bolt, fake_slack):
    url, session, _ = bolt
    body = slash_command_body(text="ayuda", response_url=fake_slack.response_url("r1"))
    status, _, _ = await post_signed(session, url, SECRET, body)
    assert status == 200
    [response] = await fake_slack.wait_for_responses(1)
    assert response["text"] == "Recibido: ayuda"
    assert fake_slack.responses_to("r1") == [response]
    # Bolt authorised the request with auth.test, sending the bot token.
    [auth] = fake_slack.calls_to("auth.test")
    assert auth.headers["Authorization"] == f"Bearer {BOT_TOKEN}"


async def test_bad_signature_is_401(bolt):
    url, session, _ = bolt
    body = slash_command_body()
    headers = {**signed_headers("wrong-secret", body)}
    async with session.post(url, data=body, headers=headers) as resp:
        assert resp.status == 401


async def test_stale_timestamp_is_401(bolt):
    url, session, _ = bolt
    body = slash_command_body()
    status, _, _ = await post_signed(session, url, SECRET, body, timestamp=int(time.time()) - 301)
    assert status == 401


async def test_url_verification_challenge(bolt):
    url, session, _ = bolt
    status, text, _ = await post_signed(session, url, SECRET, url_verification_body("3eZbrw1aBm2rZgRNFdxV"))
    assert status == 200
    assert json.loads(text) == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}


async def test_block_actions_reach_listener_and_its_api_call(bolt, fake_slack):
    url, session, seen = bolt
    payload = block_actions(
        user_id="U7", action_id="aprobar", value="42", channel_id="C9",
        message={"ts": "1700000000.000500", "text": "¿Aprobar?"},
        response_url=fake_slack.response_url("r2"),
    )  # fmt: skip
    status, _, _ = await post_signed(session, url, SECRET, interactivity_body(payload))
    assert status == 200
    [update] = await fake_slack.wait_for_calls("chat.update")
    # Bolt's per-request client also sends team_id (a default param), as on Slack.
    assert update.args == {"channel": "C9", "ts": "1700000000.000500", "text": "Aprobada", "team_id": "T1"}
    assert update.token == BOT_TOKEN
    value, container, user = seen["actions"][0]
    assert (value, user) == ("42", "U7")
    assert container == {
        "type": "message", "message_ts": "1700000000.000500", "channel_id": "C9", "is_ephemeral": False,
    }  # fmt: skip


async def test_view_submission_reaches_listener(bolt):
    url, session, seen = bolt
    values = {"titulo": {"texto": {"type": "plain_text_input", "value": "Portátil nuevo"}}}
    payload = view_submission(user_id="U3", callback_id="nueva_peticion", private_metadata='{"team":"it"}',
                              state_values=values, view_id="V123")  # fmt: skip
    status, text, _ = await post_signed(session, url, SECRET, interactivity_body(payload))
    assert (status, text) == (200, "")  # an empty ack closes the modal
    assert seen["views"] == [('{"team":"it"}', values, "U3")]


async def test_message_shortcut_reaches_listener(bolt):
    url, session, seen = bolt
    payload = message_action(callback_id="convertir", message={"ts": "1700000000.000900", "text": "No va la VPN"})
    status, _, _ = await post_signed(session, url, SECRET, interactivity_body(payload))
    assert status == 200
    assert seen["shortcuts"] == ["No va la VPN"]


async def test_event_routed_to_app_home_opened(bolt, fake_slack):
    url, session, seen = bolt
    body = event_body(app_home_opened(user_id="U4", channel_id="D4"), event_id="Ev1")
    status, _, _ = await post_signed(session, url, SECRET, body)
    assert status == 200
    [publish] = await fake_slack.wait_for_calls("views.publish")
    assert publish.args["user_id"] == "U4"
    assert publish.args["view"] == {"type": "home", "blocks": []}
    assert seen["home"] == ["U4"]
    # A redelivery carries retry headers outside the signature; Bolt still accepts it.
    status, _, _ = await post_signed(session, url, SECRET, body, headers=retry_headers(1))
    assert status == 200


# ------------------------------------------------------------ (c) the fake API


@pytest.fixture
def client(fake_slack):
    return AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


async def test_rate_limit_surfaces_as_429_with_retry_after(fake_slack, client):
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="hola")
    response = info.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    # aiohttp headers are case-insensitive: either spelling works.
    assert response.headers["Retry-After"] == response.headers["retry-after"] == "7"
    # One failure scripted, so the retry goes through.
    assert (await client.chat_postMessage(channel="C1", text="hola"))["ok"]


async def test_server_error_and_error_responses(fake_slack, client):
    fake_slack.fail_next("chat.postMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="C1", text="hola")
        assert info.value.response.status_code == 500
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C404", text="hola")
    assert (info.value.response.status_code, info.value.response["error"]) == (200, "channel_not_found")
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


async def test_stall_triggers_client_timeout(fake_slack):
    slow = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url, timeout=0.2)
    fake_slack.stall_next("chat.postMessage", 5)
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await slow.chat_postMessage(channel="C1", text="hola")
    assert time.monotonic() - started < 2


async def test_post_message_ts_and_recorded_args(fake_slack, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hola*"}}]
    first = await client.chat_postMessage(channel="C1", text="hola", blocks=blocks)
    second = await client.chat_postMessage(channel="U5", text="dm", thread_ts=first["ts"])
    assert first["ts"] == "1700000000.000100" and second["ts"] == "1700000000.000200"
    assert second["channel"] == fake_slack.dm_channel("U5")  # a user id posts to the DM
    assert first["message"]["blocks"] == blocks
    call = fake_slack.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == blocks
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    # Form-encoded calls JSON-encode nested values; the fake decodes them the same.
    await client.api_call("chat.postMessage", data={"channel": "C1", "text": "x", "blocks": json.dumps(blocks)})
    assert fake_slack.calls[-1].args["blocks"] == blocks


async def test_other_methods(fake_slack, client):
    assert (await client.conversations_open(users="U5"))["channel"]["id"] == "D5"
    assert (await client.conversations_open(users=["U5"]))["channel"]["id"] == "D5"
    assert (await client.chat_postEphemeral(channel="C1", user="U1", text="x"))["message_ts"]
    link = await client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"] == "https://pedir-test.slack.com/archives/C1/p1700000000000100"
    updated = await client.chat_update(channel="C1", ts="1700000000.000100", text="y")
    assert (updated["channel"], updated["ts"]) == ("C1", "1700000000.000100")
    opened = await client.views_open(trigger_id="t", view={"type": "modal", "callback_id": "cb", "blocks": []})
    assert opened["view"]["id"].startswith("V") and opened["view"]["callback_id"] == "cb"
    again = await client.views_update(view_id=opened["view"]["id"], view={"type": "modal", "blocks": []})
    assert again["view"]["id"] == opened["view"]["id"]
    with pytest.raises(SlackApiError) as info:
        await client.api_call("files.nonexistent")
    assert info.value.response["error"] == "unknown_method"


async def test_users_info(fake_slack, client):
    fake_slack.add_user("U1", email="ana@example.com", real_name="Ana Pérez")
    user = (await client.users_info(user="U1", include_locale=True))["user"]
    assert user["profile"]["email"] == "ana@example.com"
    assert user["real_name"] == "Ana Pérez"
    assert (user["locale"], user["tz"]) == ("es-ES", "Europe/Madrid")
    assert user["tz_offset"] in (3600, 7200)
    # As on Slack, locale only comes back when asked for.
    assert "locale" not in (await client.users_info(user="U1"))["user"]
    with pytest.raises(SlackApiError) as info:
        await client.users_info(user="U404")
    assert info.value.response["error"] == "user_not_found"


async def test_history_and_replies(fake_slack, client):
    fake_slack.add_message("C1", "1700000100.000100", "padre", "U1")
    fake_slack.add_message("C1", "1700000100.000200", "respuesta", "U2", thread_ts="1700000100.000100")
    fake_slack.add_message("C1", "1700000100.000300", "otro", "U1")
    history = await client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["otro", "padre"]  # newest first, no replies
    assert history["messages"][1]["reply_count"] == 1
    replies = await client.conversations_replies(channel="C1", ts="1700000100.000100")
    assert [m["text"] for m in replies["messages"]] == ["padre", "respuesta"]
    with pytest.raises(SlackApiError):
        await client.conversations_replies(channel="C1", ts="1.2")


async def test_expected_token_is_enforced():
    async with FakeSlackAPI(expected_token=BOT_TOKEN) as fake:
        with pytest.raises(SlackApiError) as info:
            await AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test()
        assert info.value.response["error"] == "invalid_auth"
        assert (await AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url).auth_test())["user_id"] == "UBOT"
