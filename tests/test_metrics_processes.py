"""Several processes, one view: two `pedir serve` processes and a `pedir
worker` sharing PROMETHEUS_MULTIPROC_DIR. A scrape of either web process, or
of the worker's own port, sums all three; the worker's delivery log lines
carry the request id that the web process gave the command. Real processes
against the Slack Web API stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from pathlib import Path

import aiohttp
import pytest

from tests.harness import slack_wire as wire
from tests.harness.cli import PEDIR, ROOT, cli_env
from tests.harness.ports import free_port
from tests.harness.slack_env import ANA, FACTURACION, PROFILES
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.waiting import eventually
from tests.test_metrics import samples, value

TOKEN, SIGNING, METRICS = "xoxb-multi-1c7e", "multi-signing-8d2a", "multi-metrics-3f9b"
SIGN_IN = "signin-once-6a0c4e"


def start(command: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([*PEDIR, command], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


async def stop(process: subprocess.Popen) -> list[dict]:
    """SIGTERM, then its JSON log lines."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


async def scrape(http: aiohttp.ClientSession, port: int) -> dict:
    async with http.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {METRICS}"}) as resp:
        assert resp.status == 200
        return samples(await resp.text())


@pytest.fixture
def multiproc_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    return directory


async def test_two_web_processes_and_a_worker_are_scraped_as_one(
        database_url, fake_slack, multiproc_dir):  # noqa: ANN001, F811
    fake_slack.expected_token = TOKEN
    for user_id, (name, email, locale) in PROFILES.items():
        fake_slack.add_user(user_id, email=email, real_name=name, locale=locale)
    common = dict(DATABASE_URL=database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING,
                  SLACK_API_URL=fake_slack.api_url, PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
                  PEDIR_METRICS_TOKEN=METRICS, LOG_FORMAT="json", LOG_LEVEL="INFO",
                  PEDIR_INLINE_DELIVERY="false", PEDIR_INLINE_JOBS="false")
    web_ports, worker_port = [free_port(), free_port()], free_port()
    webs = [start("serve", cli_env(**common, PORT=str(port))) for port in web_ports]
    worker = start("worker", cli_env(**common, PEDIR_WORKER_METRICS_PORT=str(worker_port)))
    processes = [*webs, worker]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            async def up(port: int) -> bool:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/metrics",
                                        headers={"Authorization": f"Bearer {METRICS}"}) as resp:
                        return resp.status == 200
                except aiohttp.ClientError:
                    assert all(p.poll() is None for p in processes), "a process died at start"
                    return False

            for port in [*web_ports, worker_port]:
                await eventually(lambda port=port: up(port), f"port {port} to answer", timeout=60, interval=0.1)
            request_ids = []
            for n, port in enumerate(web_ports):  # one command to each web process
                body = wire.slash_command_body(text=f"@facturacion pedido {n}", user_id=ANA,
                                               trigger_id=f"trig-multi-{n}", response_url=fake_slack.response_url())
                async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                     headers=wire.signed_headers(SIGNING, body)) as resp:
                    assert resp.status == 200 and "PED-" in await resp.text()
                    request_ids.append(resp.headers["X-Request-Id"])
            # The worker delivers both team cards (it ticks every 2 s).
            await eventually(lambda: len(fake_slack.messages_in(FACTURACION)) >= 2, "the worker to deliver",
                             timeout=30, interval=0.1)

            async def delivered_all() -> dict | None:
                scraped = await scrape(http, web_ports[0])
                # A tick is timed when it ends, which may be a while after its last delivery.
                done = (value(scraped, "pedir_end_to_end_seconds_count") >= 4
                        and value(scraped, "pedir_tick_seconds_count", job="deliver") >= 1)
                return scraped if done else None

            scraped = await eventually(delivered_all, "four deliveries counted", timeout=30, interval=0.2)
            # Both web processes' requests, seen from the first one.
            assert value(scraped, "pedir_http_requests_total", route="/slack/events", outcome="200") == 2
            assert value(scraped, "pedir_ack_seconds_count", route="/slack/events") == 2
            # The worker's deliveries and ticks, seen from a web process.
            assert value(scraped, "pedir_deliveries_total", platform="slack", result="sent") >= 4
            assert value(scraped, "pedir_tick_seconds_count", job="deliver") >= 1
            assert value(scraped, "pedir_database_up") == 1
            # A dashboard sign-in link's one-time token stays out of every log (aiohttp's access log is off).
            async with http.get(f"http://127.0.0.1:{web_ports[1]}/panel/entrar?t={SIGN_IN}") as resp:
                assert resp.status == 200
            # The worker's own port shows the same sums.
            from_worker = await scrape(http, worker_port)
            assert value(from_worker, "pedir_ack_seconds_count", route="/slack/events") == 2
            assert value(from_worker, "pedir_tick_seconds_count", job="deliver") >= 1
    finally:
        logs = [await stop(process) for process in processes]
    web_logs, worker_log = logs[0] + logs[1], logs[2]
    for request_id in request_ids:
        assert any(line.get("request_id") == request_id and line["message"].startswith("POST /slack/events 200")
                   for line in web_logs)
        # The worker, another process, logs the deliveries under the id the web process gave the command.
        assert sum(line.get("request_id") == request_id and " delivered via slack " in line["message"]
                   for line in worker_log) >= 2
    assert any(line["message"].startswith("GET /panel/entrar 200 in ") for line in web_logs)
    everything = json.dumps(logs)
    for private in (TOKEN, SIGNING, METRICS, SIGN_IN, "pedido 0", "pedido 1"):
        assert private not in everything
