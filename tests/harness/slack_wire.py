"""Signed inbound Slack requests, byte for byte as Slack sends them.

Shapes follow Slack's docs (docs.slack.dev: slash commands, interaction
payloads, Events API) and bolt-python's own scenario tests; they carry every
field Bolt reads: ``type``, ``user.id``, ``team.id``, ``api_app_id``,
``trigger_id``, ``response_url``, ``container``, ``channel``, ``message``,
``actions[0].action_id``, ``view.callback_id``, ``view.state.values``.

Typical use::

    body = slash_command_body(text="ayuda", response_url=fake.response_url("r1"))
    async with session.post(url, data=body, headers=signed_headers(SECRET, body)) as resp: ...

Bodies are returned as ``str`` because the signature covers the exact bytes:
post them unchanged (``data=body``), never re-encode them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# A shape-realistic trigger_id and verification token (both deprecated as auth,
# but Slack still sends them).
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
VERIFICATION_TOKEN = "gIkuvaNzQIHg97ATvDxqgjtO"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T1/1234/abcd"


# ------------------------------------------------------------------ signing


def sign(secret: str, timestamp: int, body: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """The three headers Slack sends; content type guessed from the body.

    Events API bodies are JSON; slash commands and interactivity are forms.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    if content_type is None:
        content_type = JSON if body.lstrip().startswith("{") else FORM
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, ts, body),
    }


def retry_headers(num: int, reason: str = "http_timeout") -> dict[str, str]:
    """Headers Slack adds when it redelivers an event (not part of the signature)."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


async def post_signed(
    session: Any,
    url: str,
    secret: str,
    body: str,
    *,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, Any]:
    """POST a signed body with an aiohttp session: (status, text, headers)."""
    all_headers = {**signed_headers(secret, body, timestamp), **(headers or {})}
    async with session.post(url, data=body.encode(), headers=all_headers) as resp:
        return resp.status, await resp.text(), resp.headers


# ------------------------------------------------------------ slash commands


def slash_command_body(
    command: str = "/pedir",
    text: str = "",
    user_id: str = "U1",
    team_id: str = "T1",
    channel_id: str = "C1",
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str = TRIGGER_ID,
    *,
    user_name: str = "ana",
    channel_name: str = "general",
    team_domain: str = "pedir-test",
    api_app_id: str | None = "A1",
    is_enterprise_install: bool | None = False,
    token: str = VERIFICATION_TOKEN,
) -> str:
    """A slash command's form body, fields in the order Slack sends them.

    Slack form-encodes with '+' for spaces and %2F for '/', which is what
    urlencode does. ``api_app_id=None`` / ``is_enterprise_install=None`` drop
    those fields, reproducing older payloads such as the signing-doc example.
    """
    fields: list[tuple[str, str]] = [
        ("token", token),
        ("team_id", team_id),
        ("team_domain", team_domain),
        ("channel_id", channel_id),
        ("channel_name", channel_name),
        ("user_id", user_id),
        ("user_name", user_name),
        ("command", command),
        ("text", text),
    ]
    if api_app_id is not None:
        fields.append(("api_app_id", api_app_id))
    if is_enterprise_install is not None:
        fields.append(("is_enterprise_install", "true" if is_enterprise_install else "false"))
    fields += [("response_url", response_url), ("trigger_id", trigger_id)]
    return urlencode(fields)


# --------------------------------------------------------------- interactivity


def interactivity_body(payload: dict[str, Any]) -> str:
    """Interactivity requests are a form with one field: ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False)})


def _user(user_id: str, team_id: str, user_name: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _team(team_id: str, domain: str) -> dict[str, Any]:
    return {"id": team_id, "domain": domain}


def block_actions(
    user_id: str = "U1",
    action_id: str = "a",
    value: str | None = "v",
    trigger_id: str = TRIGGER_ID,
    response_url: str | None = DEFAULT_RESPONSE_URL,
    *,
    channel_id: str = "C1",
    channel_name: str = "general",
    message: dict[str, Any] | None = None,
    message_ts: str = "1700000000.000100",
    view: dict[str, Any] | None = None,
    block_id: str = "b",
    action_type: str = "button",
    action: dict[str, Any] | None = None,
    state_values: dict[str, Any] | None = None,
    team_id: str = "T1",
    team_domain: str = "pedir-test",
    api_app_id: str = "A1",
    user_name: str = "ana",
    is_ephemeral: bool = False,
) -> dict[str, Any]:
    """A click on an interactive element.

    In a message (default): container ``message`` with channel and ts, plus
    ``channel``, ``message`` and ``response_url``. Pass ``view`` (a modal or
    Home tab view dict with an ``id``) for a click inside a view: container
    ``view``, no channel/message/response_url, as Slack sends it.
    ``action`` overrides/extends the action element (e.g. ``selected_option``).
    """
    element: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": f"{int(time.time())}.123456",
    }
    if action_type == "button":
        element["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
    if value is not None:
        element["value"] = value
    element.update(action or {})

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": _team(team_id, team_domain),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": state_values or {}},
        "actions": [element],
    }
    if view is not None:
        view = {"team_id": team_id, "type": "modal", "state": {"values": state_values or {}}, **view}
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = view
    else:
        msg = {"type": "message", "user": "UBOT", "ts": message_ts, "text": "", **(message or {})}
        payload["container"] = {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel_id, "name": channel_name}
        payload["message"] = msg
    if response_url is not None and view is None:
        payload["response_url"] = response_url
    return payload


def view_submission(
    user_id: str = "U1",
    callback_id: str = "cb",
    private_metadata: str = "",
    state_values: dict[str, Any] | None = None,
    view_id: str = "V1",
    *,
    blocks: list[dict[str, Any]] | None = None,
    trigger_id: str = TRIGGER_ID,
    response_urls: list[dict[str, Any]] | None = None,
    external_id: str = "",
    team_id: str = "T1",
    team_domain: str = "pedir-test",
    api_app_id: str = "A1",
    user_name: str = "ana",
) -> dict[str, Any]:
    """A modal submitted. ``state_values`` is Slack's shape:
    ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``."""
    return {
        "type": "view_submission",
        "team": _team(team_id, team_domain),
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values or {}},
            "hash": "1700000000.abcdEFGH",
            "title": {"type": "plain_text", "text": "Pedir"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancelar"},
            "submit": {"type": "plain_text", "text": "Enviar"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": api_app_id,
            "external_id": external_id,
            "app_installed_team_id": team_id,
            "bot_id": "BBOT",
        },
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def message_action(
    user_id: str = "U1",
    callback_id: str = "cb",
    message: dict[str, Any] | None = None,
    channel_id: str = "C1",
    trigger_id: str = TRIGGER_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
    *,
    channel_name: str = "general",
    team_id: str = "T1",
    team_domain: str = "pedir-test",
    user_name: str = "ana",
) -> dict[str, Any]:
    """A message shortcut on ``message`` ({ts, text, user, ...})."""
    msg = {"type": "message", "ts": "1700000000.000100", "text": "", "user": user_id, **(message or {})}
    msg.setdefault("team", team_id)
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": f"{int(time.time())}.123456",
        "team": _team(team_id, team_domain),
        "user": {"id": user_id, "name": user_name},
        "channel": {"id": channel_id, "name": channel_name},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "message_ts": msg["ts"],
        "message": msg,
        "response_url": response_url,
    }


# ------------------------------------------------------------------- events


def event_body(
    event: dict[str, Any],
    event_id: str = "Ev0000000001",
    team_id: str = "T1",
    api_app_id: str = "A1",
    *,
    event_time: int | None = None,
    bot_user_id: str = "UBOT",
) -> str:
    """An Events API ``event_callback`` envelope (JSON).

    ``authorizations`` names the installation the event is for: the bot user
    (Bolt's ignore-self check compares event users with it).
    """
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


def url_verification_body(challenge: str, token: str = VERIFICATION_TOKEN) -> str:
    """The handshake Slack sends when the Events URL is saved."""
    return json.dumps({"token": token, "challenge": challenge, "type": "url_verification"})


def app_home_opened(user_id: str = "U1", channel_id: str = "D1", tab: str = "home") -> dict[str, Any]:
    """The ``app_home_opened`` event (the inner ``event`` for event_body)."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": f"{int(time.time())}.000100",
    }


def message_event(
    text: str,
    user_id: str = "U1",
    channel_id: str = "D1",
    ts: str = "1700000000.000100",
    thread_ts: str | None = None,
    channel_type: str = "im",
    team_id: str = "T1",
) -> dict[str, Any]:
    """A ``message`` event (DMs have channel_type "im")."""
    event = {
        "type": "message",
        "user": user_id,
        "text": text,
        "ts": ts,
        "team": team_id,
        "channel": channel_id,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event
