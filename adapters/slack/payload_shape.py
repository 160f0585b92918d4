"""Whether a signed Slack payload has the shape that Bolt and the listeners
read without looking: a short problem, or None.

Bolt indexes into a payload as Slack documents it (`body["view"]["callback_id"]`,
`"id" in body["team"]`, `actions[0]["action_id"]` matched by a regex) and so do
the listeners; a field of another type there is a crash, not a refusal. So each
field read that way is checked here, once. A problem names the field, never its
content: it goes to the log.
"""

from __future__ import annotations

import re
from typing import Any

# Slack ids (U…, W…, T…, C…) are upper-case letters and digits.
SLACK_ID = re.compile(r"[A-Z0-9]{1,64}")
URL = re.compile(r"https?://\S+")
# Envelope fields Bolt reads as an id, or a dict with one (slack_bolt.request.internals).
ID_HOLDERS = ("user", "team", "enterprise", "channel")
# Parts Bolt and the listeners look into when they are present.
NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "view", "container",
          "function_data", "state")
# The events Pedir listens to, and their fields the listeners read as text.
EVENT_TEXT_FIELDS = {
    "message": ("user", "channel", "text", "ts", "thread_ts", "subtype", "channel_type", "bot_id", "event_ts"),
    "reaction_added": ("user", "reaction"),
    "app_home_opened": ("user", "channel", "tab"),
}


def problem(kind: str, body: dict[str, Any]) -> str | None:
    """`kind` as gate.decode names it: event, interactive, command or ssl_check."""
    check = {"event": _event_callback, "interactive": _interactive, "command": _command}.get(kind)
    return _envelope(body) or (check(body) if check else None)


def _envelope(body: dict[str, Any], depth: int = 0) -> str | None:
    for key in ID_HOLDERS:
        holder = body.get(key)
        if holder is not None and not (isinstance(holder, str) or _is_dict_with_text(holder, "id")):
            return f"{key} is neither an id nor an object with one"
    authorizations = body.get("authorizations")
    if authorizations is not None and not _list_of_dicts(authorizations):
        return "authorizations is not a list of objects"
    if "response_url" in body and not _url(body["response_url"]):
        return "response_url is not a URL"
    if "response_urls" in body and not (
            _list_of_dicts(body["response_urls"]) and all(_url(u.get("response_url")) for u in body["response_urls"])):
        return "response_urls is not a list of URLs"
    for key in NESTED:
        if key in body and not isinstance(body[key], dict):
            return f"{key} is not an object"
        if depth < 2 and isinstance(body.get(key), dict) and (inner := _envelope(body[key], depth + 1)):
            return f"{key}.{inner}"
    for key in ("type", "trigger_id", "callback_id"):
        if key in body and not isinstance(body[key], str):
            return f"{key} is not text"
    return None


def _event_callback(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    if not isinstance(kind, str):
        return "type is missing"
    if kind == "url_verification" and not isinstance(body.get("challenge"), str):
        return "challenge is not text"
    if kind != "event_callback":
        return None
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    if "event_id" in body and not isinstance(body["event_id"], str):
        return "event_id is not text"
    for key in EVENT_TEXT_FIELDS.get(event["type"], ()):
        if event.get(key) is not None and not isinstance(event[key], str):
            return f"event.{key} is not text"
    if event["type"] in ("reaction_added", "app_home_opened") and not _slack_id(event.get("user")):
        return "event.user is not a Slack id"
    if event["type"] == "message" and event.get("user") and not isinstance(event.get("channel"), str):
        return "event.channel is missing"
    item = event.get("item")
    if event["type"] == "reaction_added" and isinstance(item, dict) and item.get("type") == "message" and not (
            isinstance(item.get("channel"), str) and isinstance(item.get("ts"), str)):
        return "event.item is not a message's channel and ts"
    return None


def _interactive(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    if not isinstance(kind, str):
        return "type is missing"
    user = body.get("user")
    if not (isinstance(user, dict) and _slack_id(user.get("id"))):
        return "user.id is not a Slack id"
    if kind in ("view_submission", "view_closed"):
        return _view(body.get("view"))
    if kind == "block_actions":
        return _actions(body.get("actions"))
    if kind in ("shortcut", "message_action"):
        return _shortcut(body)
    return None


def _view(view: Any) -> str | None:
    if not isinstance(view, dict):
        return "view is not an object"
    for key in ("id", "callback_id", "type", "private_metadata"):
        if not isinstance(view.get(key), str):
            return f"view.{key} is not text"
    if "hash" in view and not isinstance(view["hash"], str):
        return "view.hash is not text"
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return "view.state.values is not an object"
    for by_action in values.values():
        if not (isinstance(by_action, dict) and all(isinstance(element, dict) for element in by_action.values())):
            return "view.state.values is not blocks of elements"
    return None


def _actions(actions: Any) -> str | None:
    if not (isinstance(actions, list) and actions and _list_of_dicts(actions)):
        return "actions is not a list of objects"
    for action in actions:
        if not isinstance(action.get("action_id"), str):
            return "actions[].action_id is not text"
        for key in ("value", "block_id", "action_ts"):
            if key in action and not isinstance(action[key], str):
                return f"actions[].{key} is not text"
    return None


def _shortcut(body: dict[str, Any]) -> str | None:
    if not (isinstance(body.get("callback_id"), str) and isinstance(body.get("trigger_id"), str)):
        return "callback_id or trigger_id is missing"
    if body["type"] == "message_action":
        message, channel = body.get("message"), body.get("channel")
        if not (isinstance(message, dict) and isinstance(message.get("ts"), str)):
            return "message.ts is not text"
        if not _is_dict_with_text(channel, "id") or not isinstance(channel.get("id"), str):
            return "channel.id is not text"
    return None


def _command(body: dict[str, str]) -> str | None:
    # Form fields are always text: only their presence and form can be wrong.
    if not _slack_id(body.get("user_id")):
        return "user_id is not a Slack id"
    if not body.get("command", "").startswith("/"):
        return "command is not a slash command"
    if not body.get("trigger_id"):
        return "trigger_id is missing"
    return None


def _is_dict_with_text(value: Any, key: str) -> bool:
    return isinstance(value, dict) and (value.get(key) is None or isinstance(value[key], str))


def _list_of_dicts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _slack_id(value: Any) -> bool:
    return isinstance(value, str) and SLACK_ID.fullmatch(value) is not None


def _url(value: Any) -> bool:
    return isinstance(value, str) and URL.fullmatch(value) is not None
