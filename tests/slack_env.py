"""A running Pedir with Slack on, against the fake Slack Web API, on loopback.

The server is the real aiohttp application of `pedir serve`, on a real port;
requests reach it signed, in Slack's own formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from alembic import command

from adapters.web.server import build_app
from bot.clock import SystemClock
from bot.config import Settings
from bot.org.importer import import_org
from storage.engine import create_engine, session_factory
from storage.migrate import make_config
from tests import slack_wire as wire
from tests.slack_standin import FakeSlackAPI

SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-token-not-for-logs"
DEMO_ORG = Path(__file__).resolve().parents[1] / "examples" / "demo-org.toml"
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

    async def command(self, user: str, text: str, *, command: str = "/pedir", trigger: str = "trig-1",
                      hook: str = "cmd") -> tuple[int, str]:
        body = wire.slash_command_body(command=command, text=text, user_id=user, trigger_id=trigger,
                                       response_url=self.fake.response_url(hook))
        return await self.post(body)

    async def click(self, user: str, action_id: str, value: str, *, hook: str = "click",
                    trigger: str = "trig-click", action_ts: str = "1700000001.000001", **extra) -> tuple[int, str]:  # noqa: ANN003
        payload = wire.block_actions(user_id=user, action_id=action_id, value=value, trigger_id=trigger,
                                     response_url=self.fake.response_url(hook), **extra)
        payload["actions"][0]["action_ts"] = action_ts
        return await self.post(wire.interactivity_body(payload))

    async def event(self, event: dict, event_id: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        return await self.post(wire.event_body(event, event_id=event_id), headers=headers)


async def start_env(fake: FakeSlackAPI, database_url: str) -> tuple[SlackEnv, TestServer]:
    for user_id, (name, email, locale) in PROFILES.items():
        fake.add_user(user_id, email=email, real_name=name, locale=locale)
    # The schema exists already (tests create it from the models): mark it current.
    command.stamp(make_config(database_url), "head")
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await import_org(sessions, DEMO_ORG, SystemClock().now())
    settings = Settings(
        DATABASE_URL=database_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
    )
    server = TestServer(build_app(settings), host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    env = SlackEnv(fake=fake, url=str(server.make_url("/slack/events")), http=http, sessions=sessions)
    env._engine = engine  # type: ignore[attr-defined]
    return env, server


@pytest.fixture
async def slack(fake_slack, database_url):  # noqa: ANN001
    env, server = await start_env(fake_slack, database_url)
    yield env
    await env.http.close()
    await server.close()
    await env._engine.dispose()  # type: ignore[attr-defined]
