"""Slack ack latency and throughput: `pedir serve` against a bare Bolt app.

Closed loop: 32 clients each send a signed `/pedir @facturacion ...` slash
command, wait for the HTTP answer, and send the next. The same load runs
against a slack-bolt AsyncApp that only acks (the floor), in the same run.
Both servers are real processes on loopback; Pedir uses SQLite and talks to
a fake Slack Web API in this process. Prints p50/p99 latency, throughput and
the ratios. Targets: throughput >= 40 % of the floor's, p99 <= 3x the floor's.

    .venv/bin/python bench/slack_ack.py [--seconds 10] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import slack_wire as wire  # noqa: E402
from tests.harness.ports import free_port  # noqa: E402
from tests.harness.slack_standin import FakeSlackAPI  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
COMMANDS = itertools.count()
USERS = ["U012AB3CD", "U04MLOPEZ1", "U04SRUIZ02", "U04JWHITAK", "U04PJIMENE", "U04IVAZQUE"]


async def wait_ready(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.post(url, data=b"") as resp:
                    if resp.status in (401, 400, 404, 503, 200):
                        return
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def load(url: str, hook: str, seconds: float, concurrency: int, answered: list[int] | None = None,
               on_ack: Callable[[float, float, bytes], None] | None = None) -> list[float]:
    """Latencies of the acks; `answered` counts acks that carried the command's answer;
    `on_ack(sent, acked, body)` hears each ack, its times from time.monotonic()
    (comparable with another process's on Linux: bench/load.py)."""
    latencies: list[float] = []
    stop_at = time.monotonic() + seconds
    counter = COMMANDS  # one numbering for every run: a trigger_id is never reused (Pedir ignores replays)

    async def client(http: aiohttp.ClientSession, n: int) -> None:
        while time.monotonic() < stop_at:
            i = next(counter)
            body = wire.slash_command_body(
                text=f"@facturacion corregir la factura F-{i} de #ACME", user_id=USERS[i % len(USERS)],
                trigger_id=f"bench-{n}-{i}", response_url=hook,
            )
            headers = wire.signed_headers(SECRET, body)
            sent_at = time.monotonic()
            started = time.perf_counter()
            async with http.post(url, data=body.encode(), headers=headers) as resp:
                text = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                if answered is not None and b" PED-" in text:  # "Creado PED-7…" / "Created PED-7…"
                    answered.append(1)
            latencies.append(time.perf_counter() - started)
            if on_ack is not None:
                on_ack(sent_at, time.monotonic(), text)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(client(http, n) for n in range(concurrency)))
    return latencies


def summary(name: str, latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    figures = {
        "requests": len(ordered),
        "throughput": len(ordered) / seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }
    print(f"{name:<14} {figures['requests']:>7.0f} req  {figures['throughput']:>8.1f} req/s  "
          f"p50 {figures['p50_ms']:>7.1f} ms  p99 {figures['p99_ms']:>7.1f} ms")
    return figures


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(os.environ.get("PEDIR_BENCH_LOG", os.devnull), "a"))


async def measure(name: str, cmd: list[str], env: dict[str, str], fake: FakeSlackAPI, args) -> dict[str, float]:  # noqa: ANN001
    port = free_port()
    process = start(cmd, {**env, "PORT": str(port)})
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        await wait_ready(url)
        await load(url, fake.response_url("warmup"), 2.0, args.concurrency)  # warm caches
        hook = name.replace(" ", "-")
        answered_before = len(fake.response_calls)
        in_acks: list[int] = []
        figures = summary(name, await load(url, fake.response_url(hook), args.seconds, args.concurrency, in_acks),
                          args.seconds)
        # How many commands were answered within the window (in the ack, or
        # through response_url after it), so work left behind an ack shows.
        done = len(fake.response_calls) - answered_before + len(in_acks)
        if name.startswith("pedir") or name.startswith("serve"):
            print(f"{'':<14} work done in the window: {done} answers ({done / args.seconds:.0f}/s)")
        return figures
    finally:
        process.send_signal(signal.SIGINT)  # graceful: lets a profiler wrapper write its report
        process.wait(timeout=30)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--with-worker", action="store_true",
                        help="also measure serve with delivery left to a `pedir worker` process")
    args = parser.parse_args()
    python = sys.executable
    async with FakeSlackAPI() as fake:
        for user in USERS:
            fake.add_user(user, email=None, real_name=user)
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                   "SLACK_API_URL": fake.api_url, "DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
            subprocess.run([python, "-m", "adapters.cli", "org", "import", "examples/demo-org.toml"],
                           cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            print(f"closed loop, {args.concurrency} concurrent, {args.seconds:g} s each, signed /pedir commands")
            floor = await measure("bare bolt", [python, "bench/_bare_bolt.py"], env, fake, args)
            durable = await measure("bolt+sqlite", [python, "bench/_bare_bolt.py"],
                                    {**env, "BARE_BOLT_STORE": f"{tmp}/inbox.db"}, fake, args)
            # PEDIR_BENCH_WRAP="py-spy record -f raw -o prof.txt --" profiles the server.
            wrap = shlex.split(os.environ.get("PEDIR_BENCH_WRAP", ""))
            pedir = await measure("pedir serve", [*wrap, python, "-m", "adapters.cli", "serve"], env, fake, args)
            if args.with_worker:
                worker = start([python, "-m", "adapters.cli", "worker"], env)
                split_env = {**env, "PEDIR_INLINE_DELIVERY": "false"}
                await measure("serve+worker", [python, "-m", "adapters.cli", "serve"], split_env, fake, args)
                worker.send_signal(signal.SIGINT)
                worker.wait(timeout=30)
    throughput_ratio = pedir["throughput"] / floor["throughput"]
    p99_ratio = pedir["p99_ms"] / floor["p99_ms"]
    print(f"throughput ratio {throughput_ratio:.2f} (target >= 0.40)   p99 ratio {p99_ratio:.2f} (target <= 3.00)")
    print(f"against the durable floor (bolt+sqlite): throughput {pedir['throughput'] / durable['throughput']:.2f}   "
          f"p99 {pedir['p99_ms'] / durable['p99_ms']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
