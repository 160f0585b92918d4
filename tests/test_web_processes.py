"""Several web processes on one port: `pedir serve --workers N` (gunicorn with
aiohttp's worker), and gunicorn started by hand on adapters.web.processes:app.

Driven from outside, as an operator would: the command line, a port, signed
Slack commands, SIGTERM. PostgreSQL only (several processes need it); SQLite
is refused in one line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from adapters.web.processes import GRACEFUL_SECONDS, WORKER_CLASS, options
from bot.config import Settings
from tests.harness import slack_wire as wire
from tests.harness.cli import ROOT, pedir, sqlite_url
from tests.harness.ports import free_port
from tests.harness.serving import SECRET, Process, serve, settings_env
from tests.harness.slack_env import ANA, PROFILES, unique
from tests.harness.slack_standin import fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.waiting import eventually


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_gunicorn_runs_aiohttps_worker_on_the_port_with_a_drain_longer_than_the_servers():
    settings = Settings(_env_file=None, PORT=4321, DATABASE_URL="postgresql://db.example/pedir")
    chosen = options(settings, 3)
    assert chosen["worker_class"] == WORKER_CLASS == "aiohttp.GunicornWebWorker"
    assert chosen["workers"] == 3 and chosen["bind"] == ["0.0.0.0:4321"]
    # The server's own drain: requests 10 s, after-ack work 5 s, delivery in flight 10 s.
    assert GRACEFUL_SECONDS >= 10 + 5 + 10


@pytest.mark.parametrize("workers", ["0", "-1", "tres", "65", "２"])
def test_a_process_count_that_is_not_1_to_64_is_refused_in_one_line(tmp_path, workers):  # noqa: ANN001
    result = pedir("serve", "--workers", workers, cwd=tmp_path, DATABASE_URL=sqlite_url(tmp_path / "p.db"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--workers" in result.stderr and "1" in result.stderr


def test_several_processes_on_sqlite_are_refused_in_one_line(tmp_path):  # noqa: ANN001
    result = pedir("serve", "--workers", "2", cwd=tmp_path, DATABASE_URL=sqlite_url(tmp_path / "p.db"),
                   PEDIR_LOCALE="en")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: several web processes need PostgreSQL (DATABASE_URL=postgresql://…); "
                                     "on SQLite, run one (pedir serve)")
    assert not (tmp_path / "p.db").exists()  # nothing started


async def command_answer(url: str, user: str, text: str) -> tuple[int, str]:
    body = wire.slash_command_body(text=text, user_id=user, trigger_id=unique("trig-"))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        status, answer, _ = await wire.post_signed(http, f"{url}/slack/events", SECRET, body)
    return status, json.loads(answer)["text"] if status == 200 else answer


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_pedir_serve_with_three_workers_answers_on_one_port_and_drains_on_sigterm(
        backend, database_url, fake_slack, tmp_path):  # noqa: ANN001, F811
    for user_id, (name, email, locale) in PROFILES.items():
        fake_slack.add_user(user_id, email=email, real_name=name, locale=locale)
    server = await serve(settings_env(database_url, fake_slack, LOG_LEVEL="INFO"), tmp_path / "serve.log", workers=3)
    try:
        await eventually(lambda: len(children(server.process.popen.pid)) == 3, "three worker processes", timeout=30)
        answers = await asyncio.gather(*(command_answer(server.url, ANA, f"@facturacion revisar la factura {n}")
                                         for n in range(12)))
        assert all(status == 200 and text.startswith("Creado PED-") for status, text in answers), answers
        numbers = sorted(int(text.split("PED-")[1].split()[0]) for _, text in answers)
        assert numbers == list(range(1, 13))  # twelve requests, each stored once, whichever process took it
    finally:
        log = await asyncio.to_thread(server.process.stop)
    assert server.process.popen.returncode == 0, log[-3000:]
    assert log.count("Booting worker with pid") == 3 and "Shutting down: Master" in log
    assert "Traceback" not in log


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_gunicorn_started_by_hand_serves_the_app_factory(backend, database_url, fake_slack, tmp_path):  # noqa: ANN001, F811
    fake_slack.add_user(ANA, email="ana.garcia@example.com", real_name="Ana García Ruiz")
    port = free_port()
    env = settings_env(database_url, fake_slack)
    env.pop("GUNICORN_CMD_ARGS", None)  # gunicorn would read more arguments from it
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        popen = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "adapters.web.processes:app", "--worker-class", WORKER_CLASS,
             "--workers", "2", "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out)
    process = Process(popen, log)
    try:
        async def up() -> bool:
            assert popen.poll() is None, log.read_text()[-3000:]
            try:
                return (await command_answer(f"http://127.0.0.1:{port}", ANA, "@facturacion probar"))[0] == 200
            except aiohttp.ClientError:
                return False
        await eventually(up, "gunicorn to answer", timeout=60, interval=0.2)
        status, text = await command_answer(f"http://127.0.0.1:{port}", ANA, "@facturacion otra factura")
        assert status == 200 and text.startswith("Creado PED-2"), text
    finally:
        errors = await asyncio.to_thread(process.stop)
    assert popen.returncode == 0 and "Traceback" not in errors, errors[-3000:]
