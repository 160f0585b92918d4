"""`pedir chat`: wiring the console to the domain, a database and a dispatcher."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from adapters.cli_errors import INTERRUPTED, CliError
from adapters.console.channel import ConsoleChannel
from adapters.console.interrupts import CtrlC
from adapters.console.render import ActionBoard
from adapters.console.saves import SaveCounter
from adapters.console.session import ConsoleSession
from bot.app import Pedir
from bot.clock import FixedClock, ShiftedClock, SystemClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.i18n import t
from bot.org.importer import import_org
from bot.people import service as people
from storage.engine import create_engine, location, session_factory
from storage.migrate import upgrade_async
from storage.models import Person

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
        person = await who(sessions, as_email or (DEMO_PERSON if demo else None), settings, url)
        board = ActionBoard()
        app = Pedir(sessions, settings, clock)
        # One send at a time: the console is a transcript, shown in the order it was written.
        dispatcher = Dispatcher(sessions, [ConsoleChannel(write, board)], clock, concurrency=1)
        interactive = script is None
        ctrl_c = CtrlC()
        read = ctrl_c.read if interactive else script_reader(script, write)
        session = ConsoleSession(app, dispatcher, clock, person, board, write, read,
                                 ctrl_c=ctrl_c, saves=SaveCounter(engine), interactive=interactive)
        # The terminal echoed "^C" after whatever was on the line: start a new one.
        ctrl_c.on_wait = lambda: (write(""), session.say("console.ctrl_c.waiting"))
        if interactive:
            write(f"Pedir · consola. Eres {person.name}. Escribe :ayuda para ver los comandos.")
        with ctrl_c:
            stopped = await session.run()
        if interactive:
            session.say("console.goodbye", indent="")
        return INTERRUPTED if stopped else 0
    finally:
        await engine.dispose()
        if workdir:
            workdir.cleanup()


async def who(sessions, email: str | None, settings: Settings, url: str) -> Person:  # noqa: ANN001
    """The person to be: --as, or a hint at what to do when there is nobody to be."""
    async with sessions() as session:
        person = await people.by_email(session, email) if email else None
        if person is not None:
            return person
        anyone = (await session.exec(select(Person.email).where(Person.email.is_not(None)).limit(1))).first()
    if anyone is None:
        raise CliError(t(settings.locale, "cli.chat.empty", where=location(url)), 2)
    if email is None:
        raise CliError(t(settings.locale, "cli.chat.who", example=anyone), 2)
    raise CliError(t(settings.locale, "cli.chat.unknown", email=email), 2)


def flush_print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
