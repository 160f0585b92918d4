"""A running Pedir with Teams on (and optionally Slack), against the fake Bot
Connector (and fake Slack Web API), on loopback, authenticated for real:
tokens are signed by the fake's key and checked against its OpenID metadata."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import select

from adapters.web.server import SESSIONS, build_app
from bot.commands.registry import Registry
from bot.config import Settings
from storage.engine import create_engine, session_factory
from storage.models import Team
from tests.harness import teams_wire as wire
from tests.harness.slack_env import PROFILES, SECRET, with_demo_org
from tests.harness.slack_env import BOT_TOKEN as SLACK_TOKEN
from tests.harness.teams_standin import FakeBotConnector, StaticCredentialsFactory, auth_overrides

APP_ID = wire.BOT_APP_ID
SISTEMAS_CHANNEL = wire.CHANNEL_ID
# Demo people on Teams: (Teams user id, AAD object id, name, email).
ANA_T = ("29:1ana", "aad-ana", "Ana García Ruiz", "ana.garcia@example.com")
IRENE_T = ("29:1irene", "aad-irene", "Irene Vázquez", "irene.vazquez@example.com")
PABLO_T = ("29:1pablo", "aad-pablo", "Pablo Jiménez", "pablo.jimenez@example.com")
OUTSIDER_T = ("29:1nadie", "aad-nadie", "Nadie", "nadie@example.com")


@dataclass
class TeamsEnv:
    connector: FakeBotConnector
    url: str  # the server's /api/messages
    http: aiohttp.ClientSession
    database_url: str
    servers: list[TestServer] = field(default_factory=list)
    sessions: Any = None

    async def post(self, activity: dict[str, Any], *, token: str | None = "valid",
                   authorization: str | None = None) -> tuple[int, Any]:
        if token == "valid":
            token = self.connector.make_token(APP_ID, service_url=activity["serviceUrl"])
        return await wire.post_activity(self.http, self.url, activity, token, authorization=authorization)

    def personal(self, who: tuple[str, str, str, str], text: str, **kw: Any) -> dict[str, Any]:
        user_id, aad, name, _email = who
        return wire.personal_message(text, user_id=user_id, aad_object_id=aad, user_name=name,
                                     conversation_id=f"a:personal-{user_id}",
                                     service_url=self.connector.service_url, **kw)

    def click(self, who: tuple[str, str, str, str], value: dict[str, Any], *, channel_root: str | None = None,
              **kw: Any) -> dict[str, Any]:
        """An Action.Submit click, in a personal chat or on a card in the channel."""
        user_id, aad, name, _email = who
        activity = wire.submit_as_message(value, user_id=user_id, aad_object_id=aad, user_name=name,
                                          conversation_id=f"a:personal-{user_id}",
                                          service_url=self.connector.service_url, **kw)
        if channel_root:
            activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": wire.TENANT_ID,
                                        "id": f"{SISTEMAS_CHANNEL};messageid={channel_root}"}
            activity["channelData"] = {"team": {"id": wire.TEAM_ID}, "channel": {"id": SISTEMAS_CHANNEL},
                                       "tenant": {"id": wire.TENANT_ID}}
        return activity

    async def install_in_channel(self) -> None:
        activity = wire.conversation_update_bot_added(scope="team", service_url=self.connector.service_url)
        activity["conversation"]["id"] = SISTEMAS_CHANNEL
        activity["channelData"]["channel"] = {"id": SISTEMAS_CHANNEL}
        status, _ = await self.post(activity)
        assert status in (200, 201), status


def settings_for(env_url: str, *, slack_api_url: str | None = None) -> Settings:
    values: dict[str, Any] = dict(DATABASE_URL=env_url, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-used")
    if slack_api_url:
        values.update(SLACK_BOT_TOKEN=SLACK_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack_api_url)
    return Settings(**values)


async def start_server(
    env: TeamsEnv, slack_api_url: str | None = None, registry: Registry | None = None,
    teams_options: dict[str, Any] | None = None,
) -> TestServer:
    """The server on loopback; `registry` replaces the domains it serves, `teams_options`
    adds to the Teams adapter's (e.g. key_policy)."""
    options = dict(credentials_factory=StaticCredentialsFactory(APP_ID), **auth_overrides(env.connector),
                   **(teams_options or {}))
    server = TestServer(build_app(settings_for(env.database_url, slack_api_url=slack_api_url),
                                  teams_options=options, registry=registry), host="127.0.0.1")
    await server.start_server()
    env.servers.append(server)
    env.url = str(server.make_url("/api/messages"))
    # Read the database through the server's own engine: on SQLite a second
    # engine in this process would wait on a lock held across the event loop.
    env.sessions = server.app[SESSIONS]
    return server


async def prepare_database(database_url: str) -> None:
    """Demo organisation, with Sistemas' intake on Teams."""
    await with_demo_org(database_url)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        sistemas = (await session.exec(select(Team).where(Team.slug == "sistemas"))).one()
        sistemas.intake = {"teams": SISTEMAS_CHANNEL}
        session.add(sistemas)
    await engine.dispose()


@pytest.fixture
async def fake_connector_running():
    async with FakeBotConnector() as connector:
        for user_id, aad, name, email in (ANA_T, IRENE_T, PABLO_T, OUTSIDER_T):
            connector.add_member(aad, user_id, name, email, email, wire.TENANT_ID)
        yield connector


@pytest.fixture
async def teams(fake_connector_running, database_url):  # noqa: ANN001
    await prepare_database(database_url)
    env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(), database_url=database_url)
    await start_server(env)
    yield env
    await env.http.close()
    for server in env.servers:
        await asyncio.wait_for(server.close(), 60)


__all__ = ["PROFILES", "TeamsEnv", "teams"]
