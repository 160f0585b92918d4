"""A loopback stand-in for the Slack Web API and for response_url hooks.

Point slack_sdk at it with ``AsyncWebClient(token=..., base_url=f"{fake.url}/api/")``.
It speaks Slack's real wire formats (see slack_sdk/web/internal_utils.py and
async_client.py for how the client sends each method):

* ``params=`` methods (auth.test, conversations.open, and the GET ones:
  users.info, conversations.history/replies, chat.getPermalink) arrive as a
  query string, booleans already turned into "1"/"0";
* ``json=`` methods (chat.postMessage/update/postEphemeral, views.*) arrive as
  a JSON body with nested ``blocks``/``view`` as real objects;
* ``api_call(method, data=...)`` arrives form-encoded, where nested values are
  JSON *strings*; those are decoded so tests see the same dicts either way.

Every answer is HTTP 200 with ``{"ok": ...}`` like Slack, except the scripted
failures (429 with Retry-After, 5xx; per method, or per method and channel),
stalls, and the rate limits set with ``limit_rate`` (real time; per method
across the workspace, per method on one channel, or per method on each
channel, which all apply together: Slack's chat.postMessage takes about one
message a second in a channel and a few hundred a minute in a workspace; its
Tier 3 methods, such as conversations.open, some 50 a minute). A post to a
user id lands in the DM with that user, and counts against that channel.
Messages the bot posts are
kept in the same per-channel store that ``add_message`` fills, so a later
conversations.history sees them, as it would on Slack.

Usage::

    from tests.harness.slack_standin import fake_slack  # noqa: F401  (pytest fixture)

    async def test_x(fake_slack):
        client = AsyncWebClient(token="xoxb-test", base_url=f"{fake_slack.url}/api/")
        ...
        assert fake_slack.calls_to("chat.postMessage")[0].args["channel"] == "C1"
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections import defaultdict, deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from tests.harness.rate_window import PerChannel, RateWindow
from tests.harness.waiting import eventually

# Values slack_sdk JSON-encodes into a string when a method is sent as a form
# or query string instead of JSON (e.g. chat.scheduleMessage, api_call(data=)).
JSON_ENCODED_ARGS = frozenset(
    {"blocks", "attachments", "view", "metadata", "unfurls", "user_auth_blocks", "message", "outputs"}
)
# Sent on every Web API answer, as Slack does; Bolt reads x-oauth-scopes.
DEFAULT_SCOPES = (
    "commands,chat:write,im:write,im:history,channels:history,groups:history,"
    "users:read,users:read.email"
)
FIRST_TS_MICROS = 1_700_000_000_000_100  # first generated ts: "1700000000.000100"
# limit_rate(..., channel=EACH_CHANNEL): the limit applies to every channel apart.
EACH_CHANNEL = "*"
TS_STEP_MICROS = 100


@dataclass
class Call:
    """One request the stand-in received."""

    method: str  # "chat.postMessage", or "hooks/<token>" for response_url posts
    args: dict[str, Any]  # query + form + JSON body merged, nested JSON decoded
    headers: CIMultiDictProxy[str]  # case-insensitive, as the client sent them
    http_verb: str = "POST"

    @property
    def token(self) -> str | None:
        """The token the client authenticated with (header first, like Slack)."""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer ") :]
        token = self.args.get("token")
        return token if isinstance(token, str) else None


@dataclass
class _Script:
    """A scripted misbehaviour for the next ``times`` calls to one method."""

    times: int
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    stall: float = 0.0
    channel: str | None = None  # only calls to this channel, when set

    def matches(self, args: dict[str, Any]) -> bool:
        return self.channel is None or args.get("channel") == self.channel


@dataclass
class _Profile:
    user_id: str
    email: str | None
    real_name: str
    locale: str
    tz: str
    name: str
    is_bot: bool = False
    deleted: bool = False


@dataclass
class FakeSlackAPI:
    """Slack Web API + response_url endpoint on 127.0.0.1 (random free port)."""

    team_id: str = "T1"
    team_name: str = "Pedir Test"
    team_domain: str = "pedir-test"
    bot_user_id: str = "UBOT"
    bot_id: str = "BBOT"
    app_id: str = "A1"
    # When set, calls without this bearer token get not_authed / invalid_auth.
    expected_token: str | None = None
    scopes: str = DEFAULT_SCOPES

    calls: list[Call] = field(default_factory=list, repr=False)
    responses: list[dict[str, Any]] = field(default_factory=list, repr=False)
    response_calls: list[Call] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.url = ""  # "http://127.0.0.1:<port>" once started
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._scripts: dict[str, deque[_Script]] = defaultdict(deque)
        self._outages: dict[str, Callable[[], int | None]] = {}  # fail_for: method -> the status now, if failing
        self._outage_retry_after = 1
        self.outage_refused = 0  # calls fail_for answered with a failure
        self.rate_windows: dict[tuple[str, str | None], RateWindow | PerChannel] = {}
        self._messages: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # channel -> ts -> msg
        self._used_ts: set[str] = set()  # every ts in any channel
        self.posted_at: list[float] = []  # time.monotonic() of each message posted, for benchmarks
        self.refused_at: list[float] = []  # time.monotonic() of each call a rate limit refused
        # (time.monotonic(), channel, first words) of each message posted, for end-to-end benchmarks
        self.posts: list[tuple[float, str, str]] = []
        self._users: dict[str, _Profile] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._next_ts = FIRST_TS_MICROS
        self._next_view = 1
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]] | dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
            "views.update": self._views_update,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> "FakeSlackAPI":
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/hooks/{token}", self._handle_hook)
        # A short shutdown_timeout: a stalled handler must not hold up teardown.
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        # Bind the socket ourselves so the port is known without racing for it.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    async def stop(self) -> None:
        self._closing.set()  # wake stalled handlers so they finish at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeSlackAPI":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """What to pass as AsyncWebClient(base_url=...)."""
        return f"{self.url}/api/"

    # ----------------------------------------------------------- test helpers

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def response_url(self, token: str = "resp1") -> str:
        return f"{self.url}/hooks/{token}"

    def responses_to(self, token: str) -> list[dict[str, Any]]:
        return [c.args for c in self.response_calls if c.method == f"hooks/{token}"]

    async def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Bolt acks first and runs listeners after: wait for their API calls."""
        await eventually(lambda: len(self.calls_to(method)) >= count, f"{count} call(s) to {method}", timeout=timeout)
        return self.calls_to(method)

    async def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` respond() posts reached the response_url endpoint."""
        await eventually(lambda: len(self.responses) >= count, f"{count} response_url post(s)", timeout=timeout)
        return self.responses

    def add_message(
        self, channel: str, ts: str, text: str, user: str, thread_ts: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Put a message in a channel's history (and thread, with thread_ts)."""
        message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team_id}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        message.update(extra)
        self._messages[channel][ts] = message
        self._used_ts.add(ts)
        return message

    def channels(self) -> list[str]:
        """Every channel that holds a message."""
        return [channel for channel, messages in self._messages.items() if messages]

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """Everything stored for a channel, oldest first (posted or added)."""
        return [self._messages[channel][ts] for ts in sorted(self._messages[channel], key=_ts_key)]

    def add_user(
        self,
        user_id: str,
        email: str | None = None,
        real_name: str = "Test User",
        locale: str = "es-ES",
        tz: str = "Europe/Madrid",
        name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        handle = name or (email.split("@")[0] if email else real_name.lower().replace(" ", "."))
        self._users[user_id] = _Profile(user_id, email, real_name, locale, tz, handle, is_bot, deleted)

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The D… channel conversations.open returns for a user (stable)."""
        return "D" + user_id[1:]

    def fail_next(
        self,
        method: str,
        status: int = 200,
        retry_after: int | None = None,
        error: str | None = None,
        times: int = 1,
        channel: str | None = None,
    ) -> None:
        """Script the next ``times`` calls to ``method`` to fail.

        * ``status=429``: HTTP 429, ``Retry-After`` (default 1), body
          ``{"ok": false, "error": "ratelimited"}``, Slack's rate-limit answer;
        * ``status>=500``: that HTTP status with ``{"ok": false, "error": "internal_error"}``;
        * ``error="..."`` (status 200): HTTP 200 with ``{"ok": false, "error": ...}``.

        Use method ``"response_url"`` to fail posts to the hooks endpoint.
        Scripts queue: two fail_next calls fail the two following requests.
        With ``channel``, only calls to that channel count and fail.
        """
        if status == 200 and error is None:
            raise ValueError("fail_next needs a non-200 status or an error")
        if status == 429 and retry_after is None:
            retry_after = 1
        self._scripts[method].append(
            _Script(times=times, status=status, error=error, retry_after=retry_after, channel=channel))

    def limit_rate(
        self, method: str, calls: int, channel: str | None = None, monotonic: Callable[[], float] = time.monotonic,
        *, seconds: float = 1.0,
    ) -> RateWindow | PerChannel:
        """Answer calls to ``method`` beyond ``calls`` in any ``seconds`` with 429 and
        Retry-After, as Slack does: across all channels (no ``channel``: the
        workspace's cap), on one ``channel``, or on each channel apart
        (``channel=EACH_CHANNEL``). Every limit set for a call applies to it; a
        refused call counts against none. Returns what counts the calls each
        limit accepted and refused. ``monotonic`` is its time: a test passes its
        own clock's."""
        if channel == EACH_CHANNEL:
            limit: RateWindow | PerChannel = PerChannel(calls, monotonic, seconds)
        else:
            limit = RateWindow(calls, monotonic, seconds)
        self.rate_windows[(method, channel)] = limit
        return limit

    def fail_for(self, method: str, seconds: float, statuses: tuple[int, ...] = (429, 500),
                 retry_after: int = 1) -> None:
        """From now, for ``seconds``, answer every call to ``method`` with the
        ``statuses`` in turn (429 with ``Retry-After``, 5xx as fail_next does):
        Slack having a bad minute. Nothing is posted meanwhile."""
        until = time.monotonic() + seconds
        turn = itertools.cycle(statuses)
        self._outages[method] = lambda: (next(turn) if time.monotonic() < until else None)
        self._outage_retry_after = retry_after

    def stall_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` answers to ``method`` (then answer normally)."""
        self._scripts[method].append(_Script(times=times, stall=seconds))

    def reset(self) -> None:
        """Forget calls and scripts (keeps users and messages)."""
        self.calls.clear()
        self.responses.clear()
        self.response_calls.clear()
        self._scripts.clear()
        self._outages.clear()
        self.rate_windows.clear()

    # ------------------------------------------------------------------- wire

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await _read_args(request), CIMultiDictProxy(CIMultiDict(request.headers)), request.method)
        self.calls.append(call)

        outage = self._outages.get(method)
        failing = outage() if outage is not None else None
        if failing is not None:
            self.outage_refused += 1
            return await self._play(_Script(times=1, status=failing, retry_after=self._outage_retry_after))
        script = self._take_script(method, call.args)
        if script is not None and not script.stall:
            scripted = await self._play(script)
            if scripted is not None:
                return scripted
        # Counted against the limits on arrival, as Slack's gateway would; the
        # answer (a refusal too) then takes the time a stall asks for.
        limited = self._rate_limited(method, call.args)
        if script is not None:
            await self._play(script)
        if limited is not None:
            return limited

        auth_error = self._check_auth(call)
        if auth_error:
            return self._json({"ok": False, "error": auth_error})
        handler = self._handlers.get(method)
        if handler is None:
            return self._json({"ok": False, "error": "unknown_method"})
        result = handler(call.args)
        if asyncio.iscoroutine(result):
            result = await result
        return self._json(result)

    async def _handle_hook(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = await request.json() if request.can_read_body else {}
        call = Call(f"hooks/{token}", body, CIMultiDictProxy(CIMultiDict(request.headers)))
        self.response_calls.append(call)
        self.responses.append(body)
        script = self._take_script("response_url")
        if script is not None:
            scripted = await self._play(script)
            if scripted is not None:
                return scripted
        # hooks.slack.com answers a plain "ok".
        return web.Response(text="ok", content_type="text/plain")

    def _take_script(self, method: str, args: dict[str, Any] | None = None) -> _Script | None:
        queue = self._scripts.get(method)
        script = next((s for s in queue or () if s.matches(args or {})), None)
        if script is None:
            return None
        script.times -= 1
        if script.times <= 0:
            queue.remove(script)
        return script

    def _rate_limited(self, method: str, args: dict[str, Any]) -> web.Response | None:
        windows = self._windows(method, args.get("channel"))
        for window in windows:
            retry_after = window.refusal()
            if retry_after is not None:
                window.refused += 1
                self.refused_at.append(time.monotonic())
                return self._json({"ok": False, "error": "ratelimited"}, status=429,
                                  headers={"Retry-After": str(retry_after)})
        for window in windows:
            window.take()
        return None

    def _windows(self, method: str, channel: Any) -> list[RateWindow]:
        """The limits a call counts against: its channel's, and the workspace's."""
        windows = []
        if channel:
            resolved = self._resolve_channel(str(channel))
            one = self.rate_windows.get((method, str(channel))) or self.rate_windows.get((method, resolved))
            each = self.rate_windows.get((method, EACH_CHANNEL))
            if isinstance(one, RateWindow):
                windows.append(one)
            elif isinstance(each, PerChannel):
                windows.append(each.window(resolved))
        workspace = self.rate_windows.get((method, None))
        if isinstance(workspace, RateWindow):
            windows.append(workspace)
        return windows

    async def _play(self, script: _Script) -> web.Response | None:
        """Answer a scripted failure, or stall and return None to answer normally."""
        if script.stall:
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=script.stall)
            except asyncio.TimeoutError:
                pass
            return None
        if script.status == 429:
            return self._json(
                {"ok": False, "error": script.error or "ratelimited"},
                status=429,
                headers={"Retry-After": str(script.retry_after)},
            )
        if script.status >= 500:
            return self._json({"ok": False, "error": script.error or "internal_error"}, status=script.status)
        return self._json({"ok": False, "error": script.error}, status=script.status)

    def _check_auth(self, call: Call) -> str | None:
        if self.expected_token is None:
            return None
        if not call.token:
            return "not_authed"
        return None if call.token == self.expected_token else "invalid_auth"

    def _json(self, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        all_headers = {"X-OAuth-Scopes": self.scopes, **(headers or {})}
        return web.json_response(body, status=status, headers=all_headers)

    # ---------------------------------------------------------------- methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": "pedir",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _new_ts(self) -> str:
        # Unique and increasing; skips any ts a test registered by hand.
        while True:
            micros = self._next_ts
            self._next_ts += TS_STEP_MICROS
            ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
            if ts not in self._used_ts:
                return ts

    def _resolve_channel(self, channel: str) -> str:
        # Posting to a user id lands in the app's DM with that user.
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def _bot_message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.get("text", ""),
            "ts": ts,
            "team": self.team_id,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}
        channel = self._resolve_channel(str(args["channel"]))
        ts = self._new_ts()
        message = self._bot_message(args, ts)
        self._messages[channel][ts] = message
        self._used_ts.add(ts)
        now = time.monotonic()
        self.posted_at.append(now)
        self.posts.append((now, channel, str(args.get("text") or "")[:120]))
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        message = {**self._messages[channel].get(ts, {}), **self._bot_message(args, ts)}
        if ts in self._messages[channel]:
            self._messages[channel][ts] = message
        return {"ok": True, "channel": channel, "ts": ts, "text": args.get("text", ""), "message": message}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": args["channel"]}}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": self.dm_channel(users[0])}}
        return {"ok": True, "channel": {"id": "G" + "".join(u[1:] for u in sorted(users))}}

    def _with_thread_info(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        # A thread parent carries reply_count/latest_reply, as Slack returns it.
        replies = [
            m for m in self._messages[channel].values() if m.get("thread_ts") == message["ts"] and m is not message
        ]
        if not replies:
            return dict(message)
        latest = max((m["ts"] for m in replies), key=_ts_key)
        return {
            **message,
            "thread_ts": message["ts"],
            "reply_count": len(replies),
            "reply_users": sorted({m.get("user", "") for m in replies}),
            "reply_users_count": len({m.get("user") for m in replies}),
            "latest_reply": latest,
        }

    def _page(self, messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
        oldest, latest = args.get("oldest"), args.get("latest")
        inclusive = str(args.get("inclusive", "0")) in ("1", "true")
        if oldest:
            messages = [
                m for m in messages if _ts_key(m["ts"]) > _ts_key(oldest) or (inclusive and m["ts"] == oldest)
            ]
        if latest:
            messages = [
                m for m in messages if _ts_key(m["ts"]) < _ts_key(latest) or (inclusive and m["ts"] == latest)
            ]
        return messages

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        # History holds top-level messages and thread parents, newest first.
        top = [m for m in self.messages_in(channel) if m.get("thread_ts") in (None, m["ts"])]
        top = self._page(top, args)[::-1]
        limit = int(args.get("limit") or 100)
        page = [self._with_thread_info(channel, m) for m in top[:limit]]
        return {
            "ok": True,
            "messages": _metadata_as_asked(page, args),
            "has_more": len(top) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        thread = [m for m in self.messages_in(channel) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        # Parent first, then replies oldest first; oldest/latest filter replies.
        parent = [self._with_thread_info(channel, m) for m in thread if m["ts"] == ts]
        replies = self._page([m for m in thread if m["ts"] != ts], args)
        limit = int(args.get("limit") or 1000)
        messages = _metadata_as_asked((parent + [dict(m) for m in replies])[:limit], args)
        return {"ok": True, "messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        profile = self._users.get(str(args.get("user", "")))
        if profile is None:
            return {"ok": False, "error": "user_not_found"}
        zone = ZoneInfo(profile.tz)
        now = datetime.now(zone)
        offset = now.utcoffset()
        user: dict[str, Any] = {
            "id": profile.user_id,
            "team_id": self.team_id,
            "name": profile.name,
            "deleted": profile.deleted,
            "real_name": profile.real_name,
            "tz": profile.tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {
                "real_name": profile.real_name,
                "real_name_normalized": profile.real_name,
                "display_name": profile.name,
                "display_name_normalized": profile.name,
                "team": self.team_id,
            },
            "is_admin": False,
            "is_owner": False,
            "is_bot": profile.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }
        if profile.email:
            user["profile"]["email"] = profile.email  # needs users:read.email on Slack
        # Slack includes locale only when asked: include_locale=true.
        if str(args.get("include_locale", "")).lower() in ("1", "true"):
            user["locale"] = profile.locale
        return {"ok": True, "user": user}

    def _view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        view = view if isinstance(view, dict) else {}
        if view_id is None:
            view_id = f"V{self._next_view:08d}"
            self._next_view += 1
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{view_id}",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": view.get("clear_on_close", False),
            "notify_on_close": view.get("notify_on_close", False),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self._views[view_id] = stored
        return stored

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(args.get("view"))}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(args.get("view"))}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next((k for k, v in self._views.items() if v["external_id"] == args["external_id"]), None)
            if view_id is None:
                return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._view(args.get("view"), view_id=view_id)}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds or 0), int((micros or "0").ljust(6, "0"))


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Query string + form or JSON body, the way Slack's API accepts them."""
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in JSON_ENCODED_ARGS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # leave it as sent; a test can assert on the raw string
    return args


@asynccontextmanager
async def serve_bolt(bolt_app: Any, path: str = "/slack/events") -> AsyncIterator[str]:
    """Serve a slack_bolt AsyncApp over aiohttp on loopback; yields its URL.

    Uses Bolt's own aiohttp adapter functions, so requests take the same
    path (raw body -> signature check -> listeners) as in production.
    """

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt_app.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post(path, handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{path}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def fake_slack():
    """A started FakeSlackAPI, stopped after the test."""
    async with FakeSlackAPI() as fake:
        yield fake


def _metadata_as_asked(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Slack returns message metadata only to a caller that asks (include_all_metadata)."""
    if str(args.get("include_all_metadata", "0")) in ("1", "true"):
        return messages
    return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
