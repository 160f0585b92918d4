"""Running the real `pedir` command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEDIR = [sys.executable, "-m", "adapters.cli"]
# Settings the developer's environment might hold: every run states its own.
_SETTINGS = ("DATABASE_URL", "PEDIR_LOCALE", "PORT", "MICROSOFT_APP_ID", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
             "LOG_LEVEL", "LOG_FORMAT")


def cli_env(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **settings}


def pedir(*args: str, cwd: Path, timeout: float = 120, **settings: str) -> subprocess.CompletedProcess[str]:
    """`pedir ARGS` with only the given settings, in cwd (where no .env can slip one in)."""
    return subprocess.run([*PEDIR, *args], cwd=cwd, env=cli_env(**settings),
                          capture_output=True, text=True, timeout=timeout)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
