"""Faults from outside: `pedir serve` killed (SIGKILL) and stopped (SIGTERM)
while signed /pedir commands pour in, then restarted.

Each round: clients send signed slash commands (each with a unique token in
its text) to a real `pedir serve` process on SQLite, talking to a Slack Web API
stand-in in this process; mid-burst the server is killed or stopped, then a
fresh one is started and left to deliver what is owed. Then it counts, from
the database and from what the stand-in received:

- acknowledged: commands that got HTTP 200;
- refused: 503 (admission's deadline, or the server going away) or no answer;
- lost: acknowledged commands with no stored request (target 0);
- stored unacknowledged: requests stored whose 200 never arrived (the server
  died between commit and answer; Slack shows the user an error, the request exists);
- team cards delivered, and duplicates: requests whose team card was posted
  more than once (target 0 after SIGTERM; reported after SIGKILL);
- interrupted sends found on Slack: messages the dead server had posted but
  not recorded, which the restarted one found by their tag instead of posting
  them again. Slack answers each post after --slack-latency, so sends are in
  flight when the fault comes.

A last round sends a burst of commands at once: how many are acked (each one
stored) and how many refused (503, nothing stored), the slowest answer, and
the server's memory before and at its peak.

    .venv/bin/python bench/faults.py [--clients 16] [--before-fault 1.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_ack import SECRET, TOKEN, USERS, start, wait_ready  # noqa: E402

from tests.harness import slack_wire as wire  # noqa: E402
from tests.harness.ports import free_port  # noqa: E402
from tests.harness.slack_standin import FakeSlackAPI  # noqa: E402

FACTURACION = "C04FACTURA"
CARD_TITLE = re.compile(r"^PED-(\d+) · ")


@dataclass
class Round:
    fault: str
    statuses: Counter = field(default_factory=Counter)
    acked: set[str] = field(default_factory=set)
    sent: int = 0


async def pour(url: str, hook: str, round_: Round, clients: int, stop: asyncio.Event) -> None:
    """Clients send commands back to back until `stop`, recording each answer."""
    counter = iter(range(10**9))

    async def client(http: aiohttp.ClientSession, n: int) -> None:
        while not stop.is_set():
            i = next(counter)
            token = f"{round_.fault}-{i:05d}"
            body = wire.slash_command_body(
                text=f"@facturacion corregir la factura {token} de #ACME", user_id=USERS[i % len(USERS)],
                trigger_id=f"{token}-{n}", response_url=hook)
            round_.sent += 1
            try:
                async with http.post(url, data=body.encode(), headers=wire.signed_headers(SECRET, body)) as resp:
                    await resp.read()
                    round_.statuses[resp.status] += 1
                    if resp.status == 200:
                        round_.acked.add(token)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                round_.statuses["no answer"] += 1
                await asyncio.sleep(0.05)

    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients), timeout=timeout) as http:
        await asyncio.gather(*(client(http, n) for n in range(clients)))


def stored(database: Path) -> dict[str, int]:
    """Token -> request id, for every request stored."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id, description FROM request").fetchall()
    found = {}
    for request_id, description in rows:
        match = re.search(r"factura (\S+) de", description)
        if match:
            found[match.group(1)] = request_id
    return found


def undelivered(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]


async def settle(database: Path, seconds: float) -> bool:
    """Waits until the restarted server delivered everything owed (leases of a
    killed server run out after 60 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if undelivered(database) == 0:
            return True
        await asyncio.sleep(0.5)
    return False


async def run_round(fault: str, env: dict[str, str], database: Path, fake: FakeSlackAPI, args) -> dict:  # noqa: ANN001
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    server = start([sys.executable, "-m", "adapters.cli", "serve"], {**env, "PORT": str(port)})
    await wait_ready(url)
    round_ = Round(fault)
    stop = asyncio.Event()
    clients = asyncio.create_task(pour(url, fake.response_url(fault), round_, args.clients, stop))
    await asyncio.sleep(args.before_fault)
    stopped_at = time.monotonic()
    server.send_signal(signal.SIGKILL if fault == "sigkill" else signal.SIGTERM)
    exit_code = await asyncio.to_thread(server.wait, 60)
    drain_seconds = time.monotonic() - stopped_at
    stop.set()
    await clients

    with sqlite3.connect(database) as db:
        in_flight = db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0]
    log_path = database.with_suffix(f".{fault}.log")
    with open(log_path, "w") as log:
        restarted = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT,
                                     env={**env, "PORT": str(port)}, stdout=subprocess.DEVNULL, stderr=log)
        await wait_ready(url)
        settled = await settle(database, args.settle_seconds)
        restarted.send_signal(signal.SIGTERM)
        await asyncio.to_thread(restarted.wait, 60)
    # Sends the dead server had made but not recorded, found on Slack instead of posted again.
    recovered = log_path.read_text().count("an interrupted send had gone out")

    requests = {token: rid for token, rid in stored(database).items() if token.startswith(f"{fault}-")}
    cards = Counter(int(m.group(1)) for message in fake.messages_in(FACTURACION)
                    if message.get("thread_ts") is None and (m := CARD_TITLE.match(message.get("text", ""))))
    ours = {rid for rid in requests.values()}
    return {
        "fault": fault,
        "exit": exit_code,
        "stop_seconds": drain_seconds,
        "sent": round_.sent,
        "acked": len(round_.acked),
        "refused": sum(n for status, n in round_.statuses.items() if status != 200),
        "lost": len(round_.acked - requests.keys()),
        "stored_unacked": len(requests.keys() - round_.acked),
        "cards": sum(1 for rid in ours if cards[rid]),
        "missing_cards": sum(1 for rid in ours if not cards[rid]),
        "duplicates": sum(cards[rid] - 1 for rid in ours if cards[rid] > 1),
        "recovered": recovered,
        "in_flight": in_flight,
        "settled": settled,
    }


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def burst(env: dict[str, str], fake: FakeSlackAPI, size: int) -> None:
    """`size` commands at once: what is acked, what is refused, how memory and latency behave."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    server = start([sys.executable, "-m", "adapters.cli", "serve"], {**env, "PORT": str(port)})
    await wait_ready(url)
    before = rss_mb(server.pid)
    peak = before
    statuses: Counter = Counter()
    slowest = 0.0

    async def one(http: aiohttp.ClientSession, i: int) -> None:
        nonlocal slowest
        body = wire.slash_command_body(text=f"@facturacion corregir la factura burst-{i:05d} de #ACME",
                                       user_id=USERS[i % len(USERS)], trigger_id=f"burst-{i}",
                                       response_url=fake.response_url("burst"))
        started = time.monotonic()
        try:
            async with http.post(url, data=body.encode(), headers=wire.signed_headers(SECRET, body)) as resp:
                await resp.read()
                statuses[resp.status] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError):
            statuses["no answer"] += 1
        slowest = max(slowest, time.monotonic() - started)

    async def watch(stop: asyncio.Event) -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_mb(server.pid))
            await asyncio.sleep(0.05)

    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(stop))
    connector = aiohttp.TCPConnector(limit=size)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        await asyncio.gather(*(one(http, i) for i in range(size)))
    stop.set()
    await watcher
    server.send_signal(signal.SIGTERM)
    await asyncio.to_thread(server.wait, 60)
    print(f"burst    {size} at once: " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
          + f"; slowest answer {slowest:.1f} s; server RSS {before:.0f} MB before, {peak:.0f} MB at peak")


def show(figures: dict) -> None:
    print(f"{figures['fault']:<8} sent {figures['sent']:>5}  acked {figures['acked']:>5}  refused {figures['refused']:>4}  "
          f"LOST {figures['lost']:>3}  stored-unacked {figures['stored_unacked']:>2}  "
          f"cards {figures['cards']:>5}  missing {figures['missing_cards']:>2}  DUPLICATES {figures['duplicates']:>2}  "
          f"in flight at the fault {figures['in_flight']}, found on Slack {figures['recovered']}  "
          f"(exit {figures['exit']}, stopped in {figures['stop_seconds']:.1f} s, "
          f"{'all delivered' if figures['settled'] else 'outbox NOT drained'})")


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--before-fault", type=float, default=1.5, help="seconds of load before the fault")
    parser.add_argument("--settle-seconds", type=float, default=120.0)
    parser.add_argument("--burst", type=int, default=600, help="commands sent at once in the overload round")
    parser.add_argument("--slack-latency", type=float, default=0.1,
                        help="seconds Slack takes to answer a post: sends are in flight when the fault comes")
    args = parser.parse_args()
    async with FakeSlackAPI() as fake:
        for user in USERS:
            fake.add_user(user, email=None, real_name=user)
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "faults.db"
            env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                   "SLACK_API_URL": fake.api_url, "DATABASE_URL": f"sqlite:///{database}"}
            subprocess.run([sys.executable, "-m", "adapters.cli", "org", "import", "examples/demo-org.toml"],
                           cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            print(f"{args.clients} clients, signed /pedir commands, fault after {args.before_fault:g} s, then a restart")
            fake.stall_next("chat.postMessage", args.slack_latency, times=10**6)
            results = [await run_round(fault, env, database, fake, args) for fault in ("sigterm", "sigkill")]
            fake.reset()
            await burst(env, fake, args.burst)
    for figures in results:
        show(figures)
    failed = any(f["lost"] for f in results) or results[0]["duplicates"] or not all(f["settled"] for f in results)
    print("targets: 0 lost in both; 0 duplicates after SIGTERM:", "MET" if not failed else "MISSED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
