"""`pedir chat`: wiring the console to the domain, a database and a dispatcher."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from adapters.console.channel import ConsoleChannel
from adapters.console.render import ActionBoard
from adapters.console.session import ConsoleSession
from bot.app import Pedir
from bot.clock import FixedClock, ShiftedClock, SystemClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.org.importer import import_org
from bot.people import service as people
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade_async

DEMO_ORG = Path(__file__).resolve().parents[2] / "examples" / "demo-org.toml"
DEMO_PERSON = "ana.garcia@example.com"


def script_reader(path: Path, write: Callable[[str], None]) -> Callable[[str], str | None]:
    """Replays a file's lines as if typed, echoing each after its prompt."""
    lines = iter(path.read_text(encoding="utf-8").splitlines())

    def read(prompt: str) -> str | None:
        line = next(lines, None)
        if line is not None:
            write(f"{prompt}{line}")
        return line

    return read


def terminal_reader(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


async def run_chat(
    *, demo: bool, as_email: str | None, script: Path | None, now: datetime | None,
    settings: Settings, write: Callable[[str], None] = print,
) -> int:
    workdir = tempfile.TemporaryDirectory(prefix="pedir-demo-") if demo else None
    url = f"sqlite:///{Path(workdir.name) / 'demo.db'}" if workdir else settings.database_url
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    clock = ShiftedClock(FixedClock(now) if now else SystemClock())
    try:
        if demo:
            await import_org(sessions, DEMO_ORG, clock.now())
        email = as_email or (DEMO_PERSON if demo else None)
        async with sessions() as session:
            person = await people.by_email(session, email) if email else None
        if person is None:
            write(f"No encuentro a «{email}»; usa --as EMAIL de alguien importado (pedir org import FILE).")
            return 2
        board = ActionBoard()
        app = Pedir(sessions, settings, clock)
        dispatcher = Dispatcher(sessions, [ConsoleChannel(write, board)], clock)
        read = script_reader(script, write) if script else terminal_reader
        if not script:
            write(f"Pedir · consola. Eres {person.name}. Escribe :ayuda para ver los comandos.")
        await ConsoleSession(app, dispatcher, clock, person, board, write, read).run()
        return 0
    finally:
        await engine.dispose()
        if workdir:
            workdir.cleanup()


def flush_print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
