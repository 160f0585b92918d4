"""Operating Pedir: LOG_LEVEL and LOG_FORMAT, quiet and truthful start-up
lines, `pedir --version`, and a Slack token Slack refuses reported at start,
with one auth.test, instead of by the first person who types a command.

The servers run as real processes against the Slack Web API stand-in."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import aiohttp
import pytest

from adapters import logs
from adapters.slack.authorization import Authorization, TokenRefused
from bot.config import Settings
from tests.harness import slack_wire as wire
from tests.harness.cli import ROOT, cli_env, pedir
from tests.harness.logs import restore_logging  # noqa: F401  (pytest fixture)
from tests.harness.ports import free_port
from tests.harness.slack_env import ANA
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.waiting import eventually

TOKEN = "xoxb-operating-7f3a9c"
SIGNING = "operating-signing-5e1d"
HOSTILE = "@facturacion la nómina de Marta López es 3.250 € y su IBAN ES91 2100 0418"


def test_pedir_version_is_the_distributions(tmp_path):  # noqa: ANN001
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = pedir("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"pedir {declared}"


def test_a_bad_log_setting_is_one_line_naming_the_choices(tmp_path):  # noqa: ANN001
    result = pedir("db", "current", cwd=tmp_path, LOG_LEVEL="loud")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Configuración no válida: LOG_LEVEL")
    assert "'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'" in result.stderr
    assert Settings(LOG_LEVEL="debug", LOG_FORMAT="JSON").log_level == "DEBUG"


def configured(**values: str) -> io.StringIO:
    out = io.StringIO()
    logs.configure(Settings(**values), stream=out)
    return out


def test_json_lines_at_the_level_asked_with_secrets_masked(restore_logging):  # noqa: ANN001
    out = configured(LOG_LEVEL="warning", LOG_FORMAT="json", SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING)
    log = logging.getLogger("pedir.test")
    log.info("not shown at WARNING")
    log.warning("a library quoted %s and %s", TOKEN, SIGNING)
    try:
        raise ValueError(f"bad header Bearer {TOKEN}")
    except ValueError:
        log.exception("turn failed")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["level"], line["logger"]) for line in lines] == [("WARNING", "pedir.test"), ("ERROR", "pedir.test")]
    assert lines[0]["message"] == f"a library quoted {logs.MASK} and {logs.MASK}"
    assert "ValueError" in lines[1]["exc"] and TOKEN not in out.getvalue() and SIGNING not in out.getvalue()
    assert set(lines[0]) == {"time", "level", "logger", "message"} and lines[0]["time"].endswith("+00:00")


def test_text_lines_by_default_and_the_chatty_libraries_kept_quiet(restore_logging):  # noqa: ANN001
    out = configured()
    logging.getLogger("pedir.test").info("Slack is on")
    logging.getLogger("apscheduler.executors.default").info("Running job every 2 s")
    [line] = out.getvalue().splitlines()
    assert line.endswith(" INFO pedir.test: Slack is on")


def serve(env: dict[str, str], command: str = "serve") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "adapters.cli", command], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def slack_env(fake, tmp_path: Path, **more: str) -> tuple[dict[str, str], int]:  # noqa: ANN001
    port = free_port()
    env = cli_env(DATABASE_URL=f"sqlite:///{tmp_path / 'ops.db'}", SLACK_BOT_TOKEN=TOKEN,
                  SLACK_SIGNING_SECRET=SIGNING, SLACK_API_URL=fake.api_url, PORT=str(port), **more)
    for key in ("LOG_LEVEL", "LOG_FORMAT", "MICROSOFT_APP_PASSWORD", "PEDIR_TEAMS_UNAUTHENTICATED"):
        if key not in more:
            env.pop(key, None)
    return env, port


async def test_a_json_logging_server_starts_at_info_quietly_and_never_logs_what_people_write(  # noqa: F811
        fake_slack, tmp_path):  # noqa: ANN001, F811
    fake_slack.expected_token = TOKEN
    fake_slack.add_user(ANA, email="ana.garcia@example.com", real_name="Ana García Ruiz")
    env, port = slack_env(fake_slack, tmp_path, LOG_FORMAT="json")
    subprocess.run([sys.executable, "-m", "adapters.cli", "org", "import", "examples/demo-org.toml"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    server = serve(env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            async def up() -> bool:
                try:
                    async with http.get(f"{base}/healthz") as resp:
                        return resp.status == 200
                except aiohttp.ClientError:
                    return server.poll() is not None  # it died: the asserts below say why
            await eventually(up, "pedir serve to come up", timeout=30, interval=0.1)
            body = wire.slash_command_body(text=HOSTILE, user_id=ANA, response_url=fake_slack.response_url("ops"))
            async with http.post(f"{base}/slack/events", data=body.encode(),
                                 headers=wire.signed_headers(SIGNING, body)) as resp:
                assert resp.status == 200 and "PED-1" in await resp.text()
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(server.communicate, timeout=30)
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is one JSON object
    said = {line["message"]: line["level"] for line in lines}
    assert said["Slack is on: POST /slack/events"] == "INFO"
    assert said["Slack: signed in as bot UBOT in workspace T1"] == "INFO"
    assert any(m.startswith("Teams is off") and level == "INFO" for m, level in said.items())
    assert any("Running on http://" in m and level == "INFO" for m, level in said.items())
    assert [line for line in lines if line["level"] != "INFO"] == []  # no warning on a normal start
    assert "will be unused" not in stderr and "token" not in stderr.lower()
    for secret_or_text in (TOKEN, SIGNING, "nómina", "IBAN", "3.250"):
        assert secret_or_text not in stderr
    assert len(fake_slack.calls_to("auth.test")) == 1  # at start; the command did not check again


@pytest.mark.parametrize("command", ["serve", "worker"])
async def test_a_token_slack_refuses_stops_the_process_at_start_in_one_line(  # noqa: F811
        fake_slack, tmp_path, command):  # noqa: ANN001, F811
    fake_slack.expected_token = "xoxb-the-real-one"
    env, _port = slack_env(fake_slack, tmp_path)
    process = serve(env, command)
    # In a thread: the Slack stand-in answers on this test's event loop.
    stdout, stderr = await asyncio.to_thread(process.communicate, timeout=60)
    assert process.returncode == 1 and stdout == ""
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("Slack rechaza SLACK_BOT_TOKEN (invalid_auth): el token es falso")
    assert "Traceback" not in stderr and TOKEN not in stderr
    assert len(fake_slack.calls_to("auth.test")) == 1


async def test_a_slack_that_rate_limits_at_start_does_not_stop_anything(fake_slack):  # noqa: ANN001, F811
    from slack_sdk.web.async_client import AsyncWebClient

    fake_slack.fail_next("auth.test", status=429, retry_after=30)
    auth = Authorization(AsyncWebClient(token=TOKEN, base_url=fake_slack.api_url))
    await auth.check_at_start()  # not refused: the first request tries again
    fake_slack.expected_token = "xoxb-the-real-one"
    refused = Authorization(AsyncWebClient(token=TOKEN, base_url=fake_slack.api_url))
    with pytest.raises(TokenRefused) as caught:
        await refused.check_at_start()
    assert caught.value.error == "invalid_auth" and TOKEN not in str(caught.value)
    assert os.environ.get("SLACK_BOT_TOKEN") != TOKEN  # the test leaked nothing into its own process
