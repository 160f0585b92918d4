"""Real `pedir serve` and `pedir worker` processes for the fault tests, and
a crowd of Slack clients that sends them signed slash commands.

The processes are started as an operator would start them (the command
line, settings in the environment) and stopped with SIGTERM; their stderr is
kept for the test to read. Each command a client sends is recorded with its
answer and how long the answer took.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.harness import slack_wire as wire
from tests.harness.cli import PEDIR, ROOT, cli_env
from tests.harness.ports import free_port
from tests.harness.slack_standin import FakeSlackAPI
from tests.harness.waiting import eventually

SECRET = "faults-signing-secret"
TOKEN = "xoxb-faults-token"
_triggers = itertools.count(1)


def settings_env(database_url: str, fake: FakeSlackAPI, **more: str) -> dict[str, str]:
    """The environment of a Pedir process with Slack on, against `fake`."""
    return cli_env(**{"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                      "SLACK_API_URL": fake.api_url, "LOG_LEVEL": "WARNING", **more})


@dataclass
class Process:
    """A `pedir` subprocess whose stderr goes to a file (a pipe nobody reads could fill and stall it)."""

    popen: subprocess.Popen
    log: Path

    @classmethod
    def start(cls, args: list[str], env: dict[str, str], log: Path) -> Process:
        with log.open("w") as out:
            popen = subprocess.Popen([*PEDIR, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out)
        return cls(popen, log)

    def stop(self, timeout: float = 45) -> str:
        """SIGTERM, then waits (SIGKILL after `timeout`); its stderr."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


@dataclass
class Server:
    process: Process
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def serve(env: dict[str, str], log: Path, workers: int = 1) -> Server:
    """`pedir serve [--workers N]` on a free port, once /healthz answers 200."""
    port = free_port()
    args = ["serve"] if workers == 1 else ["serve", "--workers", str(workers)]
    process = Process.start(args, {**env, "PORT": str(port)}, log)
    server = Server(process, port)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        async def up() -> bool:
            if process.popen.poll() is not None:
                raise AssertionError(f"pedir serve exited: {log.read_text(errors='replace')[-3000:]}")
            try:
                async with http.get(f"{server.url}/healthz") as resp:
                    return resp.status == 200
            except aiohttp.ClientError:
                return False
        await eventually(up, "pedir serve to answer /healthz", timeout=60, interval=0.2)
    return server


def worker(env: dict[str, str], log: Path) -> Process:
    return Process.start(["worker"], env, log)


@dataclass
class Answer:
    sent_at: float  # time.monotonic()
    seconds: float  # until the answer arrived
    status: int  # 0: no answer (connection failed or timed out)
    text: str  # the body as it came
    user: str

    @property
    def said(self) -> str:
        """What the person reads: the ephemeral answer's text (the body is JSON, non-ASCII escaped)."""
        try:
            return str(json.loads(self.text).get("text", ""))
        except (ValueError, AttributeError):
            return self.text


@dataclass
class Crowd:
    """Clients posting signed slash commands to one URL (several servers: round-robin per client)."""

    urls: list[str]
    answers: list[Answer] = field(default_factory=list)
    timeout: float = 10.0

    async def command(self, http: aiohttp.ClientSession, url: str, user: str, text: str,
                      command: str = "/pedir") -> Answer:
        body = wire.slash_command_body(command=command, text=text, user_id=user,
                                       trigger_id=f"faults-{next(_triggers)}")
        started = time.monotonic()
        try:
            status, answer, _headers = await wire.post_signed(http, f"{url}/slack/events", SECRET, body)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            status, answer = 0, exc.__class__.__name__
        result = Answer(started, time.monotonic() - started, status, answer, user)
        self.answers.append(result)
        return result

    async def run(self, clients: int, until: Callable[[], bool],
                  next_command: Callable[[int], tuple[str, str]], pause: float = 0.0) -> None:
        """`clients` loops, each sending next_command(n) -> (user, text) until `until()`,
        `pause` seconds apart."""
        counter = itertools.count()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http:
            async def client(index: int) -> None:
                while not until():
                    user, text = next_command(next(counter))
                    await self.command(http, self.urls[index % len(self.urls)], user, text)
                    await asyncio.sleep(pause)
            await asyncio.gather(*(client(i) for i in range(clients)))
