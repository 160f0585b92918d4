"""The door of POST /slack/events: what passes was signed by Slack and reads
as one of its payloads.

In this order, each step trusting the one before it:

1. the signature, over the raw bytes, before anything is parsed: a sender
   without the signing secret costs one HMAC and gets a 401, whatever its
   body holds;
2. the body decoded as Bolt will read it (UTF-8; JSON, or a form that may
   carry a JSON `payload`), bounded in fields and depth: a 400 otherwise;
3. the payload's shape (payload_shape): a signed payload Pedir cannot act on
   is acknowledged with an empty 200 and ignored, since Slack shows the
   person an error for anything else.

Bodies over aiohttp's client_max_size (1 MiB) never get here: aiohttp answers
413 while reading. No step looks at the content for a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from adapters.slack import payload_shape

WINDOW_SECONDS = 5 * 60  # Slack's replay window for X-Slack-Request-Timestamp
JSON = "application/json"
# A slash command has about a dozen fields; interactivity one. Far more is not Slack.
MAX_FORM_FIELDS = 64
# Slack's deepest payloads (rich text inside a view's blocks) nest about a dozen levels.
MAX_DEPTH = 32
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would also take ' 1', '1_0', '١'
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Admitted:
    """A signed, readable Slack payload, safe to hand to Bolt."""

    text: str  # the body, decoded
    body: dict[str, Any]  # the body as Bolt should see it


@dataclass(frozen=True)
class Turned:
    """Turned away: 401 unsigned, 400 unreadable, 200 signed but not a payload Pedir acts on."""

    status: int
    reason: str  # for the log: fixed words, never the request's content


class Unreadable(ValueError):
    """The body is not JSON or form data Slack would send."""


def admit(raw: bytes, headers: Mapping[str, str], secret: bytes, now: float) -> Admitted | Turned:
    """`headers` looked up case-insensitively (aiohttp's are); `now` in Unix seconds."""
    if not signed(raw, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature"), secret, now):
        return Turned(401, "signature or timestamp invalid")
    content_type = (headers.get("Content-Type") or "").split(";")[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Turned(400, "body is not UTF-8")
    try:
        kind, body = decode(text, content_type)
    except Unreadable as exc:
        return Turned(400, str(exc))
    problem = payload_shape.problem(kind, body)
    if problem is not None:
        return Turned(200, f"{kind}: {problem}")
    return Admitted(text, body)


def signed(raw: bytes, timestamp: str | None, signature: str | None, secret: bytes, now: float) -> bool:
    """Slack's v0 signature, checked in constant time, within the replay window."""
    if timestamp is None or signature is None:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def decode(text: str, content_type: str) -> tuple[str, dict[str, Any]]:
    """(kind, body): "event" for JSON, "interactive" for a form with a payload,
    "command" for a slash command, "ssl_check" for Slack's probe.

    JSON or form is decided as Bolt decides it (slack_bolt.request.internals.parse_body),
    so what passes here is what Bolt reads.
    """
    if content_type == JSON or text.startswith("{"):
        return "event", _json_object(text)
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    except ValueError:
        raise Unreadable("too many form fields") from None
    if "payload" in fields:
        return "interactive", _json_object(fields["payload"])
    if "command" in fields:
        return "command", fields
    if fields.get("ssl_check") == "1":
        return "ssl_check", fields
    raise Unreadable("not a Slack payload")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the interpreter's limit
        raise Unreadable("not JSON") from None
    if not isinstance(value, dict):
        raise Unreadable("JSON that is not an object")
    if not _within_depth(value, MAX_DEPTH):
        raise Unreadable("JSON nested too deeply")
    return value


def _within_depth(value: Any, limit: int) -> bool:
    """Iterative, so a deep value cannot exhaust the stack here either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True
