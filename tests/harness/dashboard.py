"""The dashboard under test: the /panel sub-application on an aiohttp test server,
and signing in as a person the way they would (/pedir panel, then the link)."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlparse

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.dashboard import mount
from bot.app import Pedir
from storage.models import Person

LINK = re.compile(r"https?://\S+/panel/entrar\?t=[\w-]+")


@asynccontextmanager
async def panel(pedir: Pedir):  # noqa: ANN201
    app = web.Application()
    mount(app, pedir)
    async with TestClient(TestServer(app)) as client:
        yield client


async def link_for(pedir: Pedir, person: Person) -> str:
    """The token of the link /pedir panel answers `person` with."""
    reply = await pedir.command(person, "pedir", "panel")
    assert reply.message is not None and not reply.refused, reply
    url = LINK.search(reply.message.text)
    assert url, reply.message.text
    return parse_qs(urlparse(url[0]).query)["t"][0]


async def follow(client: TestClient, token: str):  # noqa: ANN201
    """The link's page, then its button: the POST that spends the link."""
    page = await client.get("/panel/entrar", params={"t": token})
    assert page.status == 200
    return await client.post("/panel/entrar", data={"t": token}, allow_redirects=False)


async def sign_in(client: TestClient, pedir: Pedir, person: Person) -> None:
    response = await follow(client, await link_for(pedir, person))
    assert response.status == 303, await response.text()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found[1]
