"""The README's demo transcript is exactly what `pedir chat` prints for its script."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from adapters.console.main import run_chat
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def readme_transcript() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```text\n(ana\.garcia> .*?)```", readme, flags=re.S)
    return block


async def test_the_readme_transcript_is_what_the_demo_prints():
    lines: list[str] = []
    code = await run_chat(
        demo=True, as_email=None, script=ROOT / "examples" / "demo-script.txt",
        now=datetime.fromisoformat("2026-11-25T09:00+01:00"), settings=Settings(), write=lines.append,
    )
    assert code == 0
    assert "\n".join(lines) + "\n" == readme_transcript()
