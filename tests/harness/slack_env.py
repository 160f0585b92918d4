"""A running Pedir with Slack on, against the fake Slack Web API, on loopback.

The server is the real aiohttp application of `pedir serve`, on a real port;
requests reach it signed, in Slack's own formats.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import or_
from sqlmodel import select

from adapters.web.server import SESSIONS, build_app
from bot.commands.registry import Registry
from bot.config import Settings
from storage.models import Outbox
from tests.harness import databases
from tests.harness import slack_wire as wire
from tests.harness.slack_standin import FakeSlackAPI
from tests.harness.waiting import eventually

SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-token-not-for-logs"
# Demo people's Slack ids (examples/demo-org.toml) and team intake channels.
ANA, MARTA, SARA, JAMES, PABLO = "U012AB3CD", "U04MLOPEZ1", "U04SRUIZ02", "U04JWHITAK", "U04PJIMENE"
FACTURACION, SISTEMAS = "C04FACTURA", "C04SISTEMA"
PROFILES = {
    ANA: ("Ana García Ruiz", "ana.garcia@example.com", "es-ES"),
    MARTA: ("Marta López Fernández", "marta.lopez@example.com", "es-ES"),
    SARA: ("Sara Ruiz Moreno", "sara.ruiz@example.com", "es-ES"),
    JAMES: ("James Whitaker", "james.whitaker@example.com", "en-GB"),
    PABLO: ("Pablo Jiménez", "pablo.jimenez@example.com", "es-ES"),
}
# What a listener shows after its ack runs in tasks with this name (adapters.web.background).
_AFTER_ACK_TASK = "after-ack"
# Outbox rows still to be delivered (pending includes those waiting for a retry).
_UNDELIVERED = ("pending", "sending")
_unique = itertools.count(1)


def unique(prefix: str) -> str:
    """A fresh id (trigger_id, action_ts, event_id…): Slack never reuses them."""
    return f"{prefix}{next(_unique):06d}"


@dataclass
class SlackEnv:
    fake: FakeSlackAPI
    url: str  # the server's /slack/events
    http: aiohttp.ClientSession
    sessions: object

    async def post(self, body: str, *, secret: str = SECRET, timestamp: int | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        status, text, _headers = await wire.post_signed(
            self.http, self.url, secret, body, timestamp=timestamp, headers=headers)
        return status, text

    async def command(self, user: str, text: str, *, command: str = "/pedir", trigger: str | None = None,
                      hook: str = "cmd") -> tuple[int, str]:
        """A slash command; each gets its own trigger_id unless one is given (a replay)."""
        body = wire.slash_command_body(command=command, text=text, user_id=user,
                                       trigger_id=trigger or unique("trig-"), response_url=self.fake.response_url(hook))
        return await self.post(body)

    async def answer(self, user: str, text: str, *, command: str = "/pedir") -> dict[str, Any]:
        """A slash command's answer: it travels in the ack itself (the work is
        done before the ack), never through response_url."""
        hook = unique("cmd-")
        status, body = await self.command(user, text, command=command, hook=hook)
        assert status == 200, body
        await self.listeners_idle()
        assert self.fake.responses_to(hook) == []
        answer = json.loads(body)
        assert answer["response_type"] == "ephemeral"
        return answer

    async def click(self, user: str, action_id: str, value: str, *, hook: str = "click",
                    trigger: str = "trig-click", action_ts: str | None = None, **extra) -> tuple[int, str]:  # noqa: ANN003
        """A button click; each click gets its own action_ts unless one is given (a replay)."""
        payload = wire.block_actions(user_id=user, action_id=action_id, value=value, trigger_id=trigger,
                                     response_url=self.fake.response_url(hook), **extra)
        payload["actions"][0]["action_ts"] = action_ts or f"1700000001.{next(_unique):06d}"
        return await self.post(wire.interactivity_body(payload))

    def button(self, channel: str, ts: str, neutral_id: str) -> dict[str, Any]:
        """The button ``neutral_id`` ("request.claim") on the current version of a message."""
        message = next(m for m in self.fake.messages_in(channel) if m["ts"] == ts)
        for block in message.get("blocks", []):
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                if element["action_id"].rpartition(":")[0] == neutral_id:
                    return element
        raise AssertionError(f"no {neutral_id} button on {channel}/{ts}")

    async def press(self, user: str, channel: str, ts: str, neutral_id: str, **extra) -> tuple[int, str]:  # noqa: ANN003
        """Clicks a button of a message the bot posted, as Slack sends that click."""
        button = self.button(channel, ts, neutral_id)
        extra.setdefault("trigger", unique("trig-"))
        return await self.click(user, button["action_id"], button.get("value", ""), channel_id=channel,
                                message_ts=ts, **extra)

    async def event(self, event: dict, event_id: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        return await self.post(wire.event_body(event, event_id=event_id), headers=headers)

    async def get(self, path: str) -> tuple[int, Any]:
        """A plain GET on the server (e.g. /healthz): (status, JSON body)."""
        async with self.http.get(self.url.replace("/slack/events", path)) as resp:
            return resp.status, await resp.json()

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, str | None]) -> tuple[int, str]:
        """Submits a modal the bot opened (a views.open call's ``view``), fields filled
        with ``values`` (field name -> text or option value), the rest as Slack leaves them."""
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            element, name = block["element"], block["block_id"]
            if element["type"] == "static_select":
                chosen = values[name] if name in values else (element.get("initial_option") or {}).get("value")
                entry = {"type": "static_select", "selected_option": {"value": chosen} if chosen else None}
            else:
                entry = {"type": element["type"], "value": values.get(name, element.get("initial_value"))}
            state[name] = {element["action_id"]: entry}
        payload = wire.view_submission(user_id=user, callback_id=view["callback_id"],
                                       private_metadata=view["private_metadata"], state_values=state,
                                       view_id=self.view_id(view), blocks=view["blocks"])
        return await self.post(wire.interactivity_body(payload))

    def view_id(self, view: dict[str, Any]) -> str:
        """The id the fake gave a view when it was opened (the newest one that matches)."""
        ids = [vid for vid, stored in self.fake._views.items()  # noqa: SLF001  (no public lookup)
               if stored["private_metadata"] == view["private_metadata"] and stored["blocks"] == view["blocks"]]
        return ids[-1]

    async def modal(self, count: int = 1) -> dict[str, Any]:
        """The view of the ``count``-th views.open call, once it happened."""
        return (await self.fake.wait_for_calls("views.open", count))[count - 1].args["view"]

    async def listeners_idle(self, timeout: float = 10.0) -> None:
        """Waits until everything listeners started after their acks has finished."""
        def idle() -> bool:
            return not any(task.get_name() == _AFTER_ACK_TASK for task in asyncio.all_tasks() if not task.done())
        await eventually(idle, "Bolt listeners to finish", timeout=timeout)

    async def undelivered(self, homes: bool = True) -> int:
        query = select(Outbox.id).where(Outbox.status.in_(_UNDELIVERED))  # type: ignore[attr-defined]
        if not homes:
            not_home = or_(Outbox.card_key.is_(None), ~Outbox.card_key.startswith("home:"))  # type: ignore[union-attr]
            query = query.where(not_home)
        async with self.sessions() as session:
            return len((await session.exec(query)).all())

    async def settled(self, timeout: float = 15.0, *, homes: bool = False) -> None:
        """Listeners done and every outbox row delivered (retries included).

        Home-tab refreshes are debounced (a couple of seconds): waited for only with ``homes``.
        """
        await self.listeners_idle(timeout)

        async def drained() -> bool:
            return await self.undelivered(homes) == 0

        await eventually(drained, "the outbox to drain", timeout=timeout, interval=0.02)

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """The messages posted in a channel outside any thread (cards, mostly)."""
        return [m for m in self.fake.messages_in(channel) if m.get("thread_ts") in (None, m["ts"])]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies under one message, oldest first."""
        return [m for m in self.fake.messages_in(channel) if m.get("thread_ts") == ts and m["ts"] != ts]


async def with_demo_org(database_url: str) -> None:
    """The demo organisation in a database whose tables exist, as a server expects it:
    stamped at Alembic's head. A copy of the E2E template has it already."""
    started = databases.content(database_url)
    if started is not None and started[0] == databases.E2E:
        return
    await databases.fill(database_url, databases.E2E)


async def start_env(
    fake: FakeSlackAPI, database_url: str, registry: Registry | None = None,
) -> tuple[SlackEnv, TestServer]:
    """The server on loopback; `registry` replaces the domains it serves."""
    for user_id, (name, email, locale) in PROFILES.items():
        fake.add_user(user_id, email=email, real_name=name, locale=locale)
    await with_demo_org(database_url)
    settings = Settings(
        DATABASE_URL=database_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
    )
    app = build_app(settings, registry=registry)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    # Tests read the database through the server's own engine: on SQLite a second
    # engine in this process (and event loop) would contend with it for the lock.
    env = SlackEnv(fake=fake, url=str(server.make_url("/slack/events")), http=http, sessions=app[SESSIONS])
    return env, server


async def _run_env(fake: FakeSlackAPI, database_url: str):  # noqa: ANN202
    env, server = await start_env(fake, database_url)
    yield env
    await env.http.close()
    await server.close()


@pytest.fixture
async def slack(fake_slack, database_url):  # noqa: ANN001
    async for env in _run_env(fake_slack, database_url):
        yield env


# Web API calls give up after this long in `slack_short_timeout` (10 s in production),
# so a test can stall a call past the client's patience without waiting long.
SHORT_WEB_API_TIMEOUT = 1


@pytest.fixture
async def slack_short_timeout(fake_slack, database_url, monkeypatch):  # noqa: ANN001
    """`slack`, with a Web API client that times out after SHORT_WEB_API_TIMEOUT seconds."""
    monkeypatch.setattr("adapters.slack.app.WEB_API_TIMEOUT_SECONDS", SHORT_WEB_API_TIMEOUT)
    async for env in _run_env(fake_slack, database_url):
        yield env


# ------------------------------------------------------- a request's life, via Slack

DM_ANA = FakeSlackAPI.dm_channel(ANA)  # the app's DM with Ana, where her cards go


@dataclass
class Cards:
    """Where one request's two cards were posted (Slack ts)."""

    team: str  # in the team's intake channel
    requester: str  # in the requester's DM


async def new_request(env: SlackEnv, text: str = "@facturacion corregir la factura de #ACME",
                      user: str = ANA) -> Cards:
    """A request made with /pedir, its cards delivered."""
    status, _ = await env.command(user, text, trigger=unique("trig-new-"), hook=unique("new-"))
    assert status == 200
    await env.settled()
    team, dm = env.top_level(FACTURACION)[-1], env.top_level(FakeSlackAPI.dm_channel(user))[-1]
    return Cards(team=team["ts"], requester=dm["ts"])


async def through_modal(env: SlackEnv, user: str, channel: str, ts: str, neutral_id: str,
                        values: dict[str, str]) -> str:
    """Presses a card button that opens a form, submits it, waits; the submission's ack body."""
    opened = len(env.fake.calls_to("views.open"))
    status, _ = await env.press(user, channel, ts, neutral_id)
    assert status == 200
    status, ack = await env.submit(user, await env.modal(opened + 1), values)
    assert status == 200
    await env.settled()
    return ack
