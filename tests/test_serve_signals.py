"""`pedir serve` as a real process, stopped the way a deploy stops it (SIGTERM)
while signed commands pour in: every command it acknowledged is stored, the
delivery in flight is finished and recorded (nothing is left half-sent), and
after a restart each card is posted exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import aiohttp

from tests.harness import slack_wire as wire
from tests.harness.ports import free_port
from tests.harness.slack_env import ANA, FACTURACION, SARA
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.waiting import eventually

ROOT = Path(__file__).resolve().parents[1]
SECRET = "signals-secret"


def serve(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def until_up(http: aiohttp.ClientSession, base: str) -> None:
    async def up() -> bool:
        try:
            async with http.get(f"{base}/healthz") as resp:
                return resp.status == 200
        except aiohttp.ClientError:
            return False
    await eventually(up, "pedir serve to come up", timeout=30, interval=0.1)


def query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


async def test_sigterm_under_load_loses_nothing_and_posts_no_card_twice(fake_slack, tmp_path):  # noqa: ANN001, F811
    database = tmp_path / "signals.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SLACK_BOT_TOKEN": "xoxb-signals",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake_slack.api_url, "PORT": str(port)}
    subprocess.run([sys.executable, "-m", "adapters.cli", "org", "import", "examples/demo-org.toml"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    fake_slack.add_user(ANA, email="ana.garcia@example.com", real_name="Ana García Ruiz")
    fake_slack.add_user(SARA, email="sara.ruiz@example.com", real_name="Sara Ruiz Moreno")
    # Slack is slow to take posts: deliveries are in flight when the signal comes.
    fake_slack.stall_next("chat.postMessage", 0.2, times=1000)
    server = serve(env)
    acked: set[str] = set()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        await until_up(http, base)

        async def command(n: int) -> None:
            token = f"F-{n:03d}"
            body = wire.slash_command_body(text=f"@facturacion corregir la factura {token}",
                                           user_id=(ANA, SARA)[n % 2], trigger_id=f"sig-{n}",
                                           response_url=fake_slack.response_url("sig"))
            try:
                async with http.post(f"{base}/slack/events", data=body.encode(),
                                     headers=wire.signed_headers(SECRET, body)) as resp:
                    if resp.status == 200:
                        acked.add(token)
            except aiohttp.ClientError:
                pass  # the server went away before answering: not acknowledged

        burst = [asyncio.create_task(command(n)) for n in range(40)]
        await eventually(lambda: len(acked) >= 10, "some commands to be acknowledged", timeout=30)
        server.send_signal(signal.SIGTERM)
        await asyncio.gather(*burst)
    assert await asyncio.to_thread(server.wait, 30) == 0
    stopping = server.stderr.read()
    # The delivery in flight ended normally (not cut off by a closed HTTP session).
    assert "Traceback" not in stopping and "unexpected delivery error" not in stopping

    stored = {row[0].split("factura ")[1] for row in query(database, "SELECT description FROM request")}
    assert acked and acked <= stored  # nothing acknowledged was lost
    assert query(database, "SELECT count(*) FROM outbox WHERE status = 'sending'") == [(0,)]  # nothing half-sent

    fake_slack.reset()  # Slack answers at once now
    restarted = serve(env)
    try:
        async with aiohttp.ClientSession() as http:
            await until_up(http, base)
        await eventually(lambda: query(database, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
                         == [(0,)], "the restarted server to deliver what is owed", timeout=60, interval=0.2)
    finally:
        restarted.send_signal(signal.SIGTERM)
        await asyncio.to_thread(restarted.wait, 30)
    cards = Counter(m["text"].split(" · ")[0] for m in fake_slack.messages_in(FACTURACION)
                    if m.get("thread_ts") is None)
    assert len(cards) == len(stored) and set(cards.values()) == {1}  # every card once, none twice
