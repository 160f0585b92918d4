"""The console stands in for `pedir worker`: the scheduled jobs run when its
clock moves (start-up, `:espera`, every 30 s of its time otherwise), and what
they send shows on screen, as the worker would have delivered it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from adapters.console.channel import ConsoleChannel
from adapters.console.render import ActionBoard
from adapters.console.session import ConsoleSession
from bot.app import Pedir
from bot.clock import FixedClock, ShiftedClock
from bot.commands.registry import Domain, Job
from bot.config import Settings
from bot.context import Ctx
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbox import PERSON, enqueue
from bot.domains import REGISTRY
from bot.messages import Message
from storage.models import Person, ProcessedDelivery

REMINDER = "Recordatorio: tu pedido lleva 2 horas sin respuesta"


class Reminder:
    """A test domain's job: from two hours after `start`, one reminder to `person`, once."""

    def __init__(self, start: datetime, person: Person) -> None:
        self.start, self.person = start, person
        self.asked: list[timedelta] = []  # when `due` ran, from the start

    async def due(self, session, now: datetime) -> list[int]:  # noqa: ANN001
        self.asked.append(now - self.start)
        if now < self.start + timedelta(hours=2):
            return []
        sent = (await session.exec(select(ProcessedDelivery).where(ProcessedDelivery.key == "reminder"))).first()
        return [] if sent else [self.person.id]

    async def run(self, ctx: Ctx, person_id: int) -> None:
        enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person_id, message=Message(text=REMINDER),
                now=ctx.now)
        ctx.session.add(ProcessedDelivery(key="reminder", created_at=ctx.now))

    def registry(self):  # noqa: ANN201
        return REGISTRY.with_domain(Domain("reminders", jobs=(Job("test.reminder", due=self.due, run=self.run,
                                                                  every_seconds=30),)))


def console(sessions, base: FixedClock, person: Person, reminder: Reminder, lines: list[str],  # noqa: ANN001
            tick: timedelta = timedelta()) -> tuple[ConsoleSession, list[str]]:
    """A console replaying `lines`; the base clock moves by `tick` before each (time at the keyboard)."""
    clock = ShiftedClock(base)
    out: list[str] = []
    replay = iter(lines)

    def read(prompt: str) -> str | None:
        line = next(replay, None)
        base.advance(seconds=tick.total_seconds())
        out.append(f"{prompt}{line}")
        return line

    board = ActionBoard()
    pedir = Pedir(sessions, Settings(), clock, reminder.registry())
    dispatcher = Dispatcher(sessions, [ConsoleChannel(out.append, board)], clock)
    return ConsoleSession(pedir, dispatcher, clock, person, board, out.append, read), out


def after(out: list[str], line: str) -> str:
    """What the console printed after `line` was typed, up to the next prompt."""
    start = out.index(f"ana.garcia> {line}") + 1
    rest = out[start:]
    end = next((i for i, shown in enumerate(rest) if shown.startswith("ana.garcia> ")), len(rest))
    return "\n".join(rest[:end])


async def test_waiting_runs_the_jobs_the_time_made_due_and_shows_what_they_send(folk, sessions, clock):  # noqa: ANN001
    ana = folk["ana.garcia"]
    reminder = Reminder(clock.now(), ana)
    session, out = console(sessions, clock, ana, reminder, [":espera 1h", ":espera 2h", ":espera 1h"])
    await session.run()
    assert REMINDER not in after(out, ":espera 1h")
    shown = after(out, ":espera 2h")
    assert shown.startswith("  (ahora es / it is now mié 25 nov, 13:00)")
    assert f"→ DM Ana García Ruiz <ana.garcia@example.com> [m1]\n  ┃ {REMINDER}" in shown
    assert "\n".join(out).count(REMINDER) == 1  # sent once: the next round found nothing due
    # At start-up, after each wait, and once more after what a round sent.
    hours = [int(asked / timedelta(hours=1)) for asked in reminder.asked]
    assert hours == [0, 1, 3, 3, 4]


async def test_time_at_the_keyboard_runs_the_jobs_at_most_every_30_seconds(folk, sessions, clock):  # noqa: ANN001
    start = clock.now()
    reminder = Reminder(start, folk["ana.garcia"])
    session, _out = console(sessions, clock, folk["ana.garcia"], reminder, ["/pedir mis"] * 4,
                            tick=timedelta(seconds=20))
    await session.run()
    assert [asked.total_seconds() for asked in reminder.asked] == [0, 40, 80]
