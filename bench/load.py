"""End to end under load: the floors, then Pedir with 1, 2 and 4 web processes.

Closed loop, as bench/slack_ack.py (whose pieces this imports): 32 clients
each send a signed `/pedir @facturacion ...` command, wait for the ack, and
send the next. Measured, in one run:

- the bare Bolt floor (acks only) and the durable floor (Bolt storing each
  command in SQLite before its ack);
- `pedir serve` on SQLite, and on PostgreSQL with 1, 2 and 4 web processes
  (`pedir serve --workers N`; --database-url, each run on a database of its
  own, bench/_databases.py).

For Pedir a command is done when its answer came back (in the ack: "Creado
PED-7 …"), its team card reached the team's channel and its requester card
the requester's DM, as the Slack stand-in recorded them. The stand-in runs in
a process of its own with no rate limit (tests/harness/slack_standin_process.py),
so its CPU is not Pedir's. Printed per run: acks/s, end-to-end commands/s
(the commands sent in the window over the time until the last of them was
done), p50/p99 of the ack latency and of the end-to-end latency, CPU seconds
per 1,000 commands (user + system time of the server and its children, from
/proc), then the ratios: ack p99 against the durable floor's, CPU per 1,000
with 2 and 4 processes against 1 (on PostgreSQL).

Targets (issue 15): >= 150 commands/s end to end per process on SQLite, ack
p99 <= 3x the durable floor's, CPU per 1,000 with 2 and 4 processes within
1.25x of one process's.

    nice -n -15 .venv/bin/python bench/load.py [--seconds 10] [--concurrency 32]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--only sqlite]

PEDIR_BENCH_WRAP (as in bench/slack_ack.py) wraps the `pedir serve` runs
with a profiler, e.g. py-spy record.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._databases import postgres_database  # noqa: E402
from bench.slack_ack import SECRET, TOKEN, USERS, load, start, wait_ready  # noqa: E402
from tests.harness.ports import free_port  # noqa: E402
from tests.harness.slack_standin_process import standin_process  # noqa: E402

REF = re.compile(rb"PED-(\d+)")
TEAM_CHANNEL = "C04FACTURA"  # facturacion's intake in examples/demo-org.toml
DRAIN_SECONDS = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ CPU

def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(child) for child in f.read().split()]
    except OSError:
        pass
    return found


def cpu_seconds(root: int) -> float:
    """User + system time of `root` and every live descendant (and the reaped
    children they waited for), from /proc/<pid>/stat."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17
        total += sum(int(value) for value in fields[11:15])
        todo += _children(pid)
    return total / CLOCK_TICKS


# ------------------------------------------------------------------ the stand-in's record

class Posts:
    """The stand-in's posts, read incrementally: per request number, when its
    team card and its requester card arrived."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("/stats", "/posts")
        self.seen = 0
        self.team: dict[int, float] = {}
        self.dm: dict[int, float] = {}
        # An earlier run's posts (another database numbers its requests from 1 again) are not this run's.
        self.read()
        self.team.clear()
        self.dm.clear()

    def read(self) -> None:
        with urllib.request.urlopen(f"{self.url}?since={self.seen}", timeout=30) as resp:
            posts = json.loads(resp.read())
        self.seen += len(posts)
        for at, channel, text in posts:
            found = REF.search(text.encode())
            if not found:
                continue
            ref = int(found.group(1))
            if channel == TEAM_CHANNEL:
                self.team.setdefault(ref, at)
            elif channel.startswith("D"):
                self.dm.setdefault(ref, at)

    def done_at(self, ref: int) -> float | None:
        team, dm = self.team.get(ref), self.dm.get(ref)
        return None if team is None or dm is None else max(team, dm)


# ------------------------------------------------------------------ one run

@dataclass
class Run:
    name: str
    acks: int = 0
    seconds: float = 0.0
    ack_latencies: list[float] = field(default_factory=list)
    e2e_latencies: list[float] = field(default_factory=list)
    e2e_seconds: float = 0.0  # from the first command to the last one done
    cpu: float = 0.0
    undone: int = 0

    @property
    def acks_per_s(self) -> float:
        return self.acks / self.seconds

    @property
    def e2e_per_s(self) -> float:
        return len(self.e2e_latencies) / self.e2e_seconds if self.e2e_seconds else 0.0

    @property
    def cpu_per_1000(self) -> float:
        done = len(self.e2e_latencies) or self.acks
        return self.cpu / done * 1000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def show(run: Run, pedir: bool) -> None:
    line = (f"{run.name:<26} acks {run.acks_per_s:>7.1f}/s  ack p50 {pct(run.ack_latencies, 0.5):>6.1f} "
            f"p99 {pct(run.ack_latencies, 0.99):>6.1f} ms")
    if pedir:
        line += (f"  e2e {run.e2e_per_s:>6.1f}/s  e2e p50 {pct(run.e2e_latencies, 0.5):>7.1f} "
                 f"p99 {pct(run.e2e_latencies, 0.99):>7.1f} ms")
    line += f"  CPU {run.cpu_per_1000:>5.2f} s/1000"
    if run.undone:
        line += f"  ({run.undone} not done after {DRAIN_SECONDS:g} s)"
    print(line, flush=True)


async def measure(name: str, cmd: list[str], env: dict[str, str], stats_url: str | None,
                  args: argparse.Namespace) -> Run:
    port = free_port()
    process = start(cmd, {**env, "PORT": str(port)})
    url = f"http://127.0.0.1:{port}/slack/events"
    hook = env["SLACK_API_URL"].replace("/api/", "/hooks/") + name.replace(" ", "-")
    run = Run(name)
    posts = Posts(stats_url) if stats_url else None
    try:
        await wait_ready(url)
        warm: list[int] = []
        await load(url, hook, 2.0, args.concurrency,
                   on_ack=lambda _s, _a, body: warm.extend(int(m) for m in REF.findall(body)[:1]))
        if posts is not None:  # the warm-up's deliveries, out of the way before the clock starts
            await drain(posts, warm, deadline=time.monotonic() + DRAIN_SECONDS)
        sent: dict[int, float] = {}

        def on_ack(sent_at: float, acked_at: float, body: bytes) -> None:
            found = REF.search(body)
            if found:
                sent[int(found.group(1))] = sent_at

        cpu_before, started = cpu_seconds(process.pid), time.monotonic()
        run.ack_latencies = await load(url, hook, args.seconds, args.concurrency, on_ack=on_ack)
        run.acks, run.seconds = len(run.ack_latencies), time.monotonic() - started
        if posts is not None:
            last = await drain(posts, list(sent), deadline=time.monotonic() + DRAIN_SECONDS)
            run.e2e_latencies = [done - sent[ref] for ref in sent if (done := posts.done_at(ref)) is not None]
            run.undone = len(sent) - len(run.e2e_latencies)
            run.e2e_seconds = last - started
        run.cpu = cpu_seconds(process.pid) - cpu_before
        return run
    finally:
        process.send_signal(signal.SIGINT)  # graceful: lets a profiler wrapper write its report
        process.wait(timeout=60)


async def drain(posts: Posts, refs: list[int], deadline: float) -> float:
    """Waits until every ref is done (or the deadline): when the last one was."""
    while True:
        await asyncio.to_thread(posts.read)
        done = [posts.done_at(ref) for ref in refs]
        if all(at is not None for at in done) or time.monotonic() > deadline:
            return max((at for at in done if at is not None), default=time.monotonic())
        await asyncio.sleep(0.2)


async def pedir_runs(label: str, database_url: str, workers: list[int], env: dict[str, str],
                     stats_url: str, args: argparse.Namespace) -> dict[int, Run]:
    python = sys.executable
    db_env = {**env, "DATABASE_URL": database_url}
    await asyncio.to_thread(
        subprocess.run, [python, "-m", "adapters.cli", "org", "import", "examples/demo-org.toml"],
        cwd=ROOT, env=db_env, check=True, stdout=subprocess.DEVNULL)
    wrap = shlex.split(os.environ.get("PEDIR_BENCH_WRAP", ""))
    runs = {}
    for n in workers:
        cmd = [*wrap, python, "-m", "adapters.cli", "serve", *(["--workers", str(n)] if n > 1 else [])]
        runs[n] = await measure(f"pedir {label} x{n}", cmd, db_env, stats_url, args)
        show(runs[n], pedir=True)
    return runs


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", help="a PostgreSQL server for the 1, 2 and 4 process runs")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="skip the floors and the other database")
    args = parser.parse_args()
    python = sys.executable
    with standin_process(0, 0, 0, 0.0, no_limits=True, users=tuple(USERS)) as (api_url, stats_url), \
            tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
        print(f"closed loop, {args.concurrency} concurrent, {args.seconds:g} s each, signed /pedir commands; "
              f"Slack stand-in in its own process, no rate limit", flush=True)
        durable = None
        if args.only is None:
            show(await measure("bare bolt", [python, "bench/_bare_bolt.py"], env, None, args), pedir=False)
            durable = await measure("durable floor (bolt+sqlite)", [python, "bench/_bare_bolt.py"],
                                    {**env, "BARE_BOLT_STORE": f"{tmp}/inbox.db"}, None, args)
            show(durable, pedir=False)
        sqlite: dict[int, Run] = {}
        if args.only in (None, "sqlite"):
            sqlite = await pedir_runs("sqlite", f"sqlite:///{tmp}/bench.db", [1], env, stats_url, args)
        pg: dict[int, Run] = {}
        if args.database_url and args.only in (None, "postgresql"):
            url, drop = postgres_database(args.database_url, "pedir_bench_load")
            try:
                pg = await pedir_runs("postgresql", url, [1, 2, 4], env, stats_url, args)
            finally:
                drop()
    print()
    if durable is not None:
        floor_p99 = pct(durable.ack_latencies, 0.99)
        for run in [*sqlite.values(), *pg.values()]:
            print(f"{run.name}: ack p99 / durable floor p99 = {pct(run.ack_latencies, 0.99) / floor_p99:.2f} "
                  f"(target <= 3.00)")
    if 1 in sqlite:
        print(f"end to end per process on SQLite: {sqlite[1].e2e_per_s:.0f} commands/s (target >= 150)")
    for n in (2, 4):
        if 1 in pg and n in pg:
            print(f"CPU per 1,000 commands, {n} processes vs 1 (PostgreSQL): "
                  f"{pg[n].cpu_per_1000 / pg[1].cpu_per_1000:.2f} (target <= 1.25); "
                  f"end to end {pg[n].e2e_per_s / pg[1].e2e_per_s:.2f}x one process's")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
