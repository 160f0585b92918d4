"""Does a stalled Bot Framework key endpoint freeze `pedir serve`?

The OpenID metadata endpoint (a loopback stand-in) stalls STALL seconds per
request, then fails (504). FORGED Teams tokens naming the Bot Framework issuer
are posted at once, twice, while a client GETs /healthz every 50 ms. Prints
each forged request's status and time, and the slowest /healthz answer. A
server whose key fetch blocks the event loop shows /healthz waiting for
whole stalls, and every forged token costing one.

    .venv/bin/python bench/teams_key_stall.py [--stall 6] [--forged 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.web.server import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.harness import teams_wire as wire  # noqa: E402
from tests.harness.teams_standin import FakeBotConnector, StaticCredentialsFactory, auth_overrides  # noqa: E402


async def timed(coro) -> tuple[float, object]:  # noqa: ANN001
    started = time.monotonic()
    result = await coro
    return time.monotonic() - started, result


async def main(stall: float, forged: int) -> None:
    async with FakeBotConnector() as connector:
        connector.stall_next("openid", stall, times=forged * 10, status=504)
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{folder}/bench.db",
                                MICROSOFT_APP_ID=wire.BOT_APP_ID, MICROSOFT_APP_PASSWORD="not-used")
            options = dict(credentials_factory=StaticCredentialsFactory(wire.BOT_APP_ID), **auth_overrides(connector))
            server = TestServer(build_app(settings, teams_options=options), host="127.0.0.1")
            await server.start_server()
            try:
                await run(server, connector, stall, forged)
            finally:
                await server.close()


async def run(server: TestServer, connector: FakeBotConnector, stall: float, forged: int) -> None:
    messages, health = str(server.make_url("/api/messages")), str(server.make_url("/healthz"))
    activity = wire.personal_message("hola", service_url=connector.service_url)
    async with aiohttp.ClientSession() as http:
        async with http.get(health) as response:  # the database is up before the clock starts
            assert response.status == 200
        done = asyncio.Event()
        slowest = 0.0

        async def poll_health() -> None:
            nonlocal slowest
            while not done.is_set():
                took, _ = await timed(http.get(health))
                slowest = max(slowest, took)
                await asyncio.sleep(0.05)

        async def forge(n: int) -> tuple[float, int]:
            token = connector.make_token(wire.BOT_APP_ID, sign_with_other_key=True, kid=f"forged-{n}",
                                         service_url=activity["serviceUrl"])
            took, (status, _) = await timed(wire.post_activity(http, messages, activity, token))
            return took, status

        poller = asyncio.create_task(poll_health())
        await asyncio.sleep(0.1)
        for wave in (1, 2):  # the second right after the first: a failure should be remembered
            took, results = await timed(asyncio.gather(*(forge(n) for n in range(forged))))
            print(f"wave {wave}: " + ", ".join(f"{status} in {t:.2f} s" for t, status in results)
                  + f"; all {forged} answered in {took:.2f} s")
        done.set()
        await poller
    print(f"slowest /healthz {slowest:.2f} s; OpenID metadata requests: {len(connector.calls_to('openid'))} "
          f"(each stalls {stall:g} s, then fails)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stall", type=float, default=6.0)
    parser.add_argument("--forged", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.stall, args.forged))
