"""A console conversation: lines in, replies and deliveries out.

Lines starting with ':' steer the console (switch person, press a button,
let time pass); anything else is a chat line such as '/pedir @sistemas …'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from adapters.console.render import ActionBoard, render
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.delivery.dispatcher import Dispatcher
from bot.i18n import format_when
from bot.messages import Form, Reply
from bot.people import service as people
from storage.models import Person

HELP = """Comandos de la consola / console commands:
  {commands}
                                   lo mismo que en Slack o Teams / as on Slack or Teams
  :N                               pulsa el botón [N] / press button [N]
  :como EMAIL  (:as EMAIL)         cambia de persona / switch person
  :gente       (:people)           quién hay / who is here
  :espera 2h   (:wait 30m)         deja pasar el tiempo / let time pass
  :salir       (:quit)"""
MAX_FORM_TRIES = 3
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")

Reader = Callable[[str], "str | None"]


class ConsoleSession:
    def __init__(
        self, app: Pedir, dispatcher: Dispatcher, clock: ShiftedClock, person: Person,
        board: ActionBoard, write: Callable[[str], None], read: Reader,
    ) -> None:
        self.app, self.dispatcher, self.clock = app, dispatcher, clock
        self.person, self.board, self.write, self.read = person, board, write, read

    @property
    def prompt(self) -> str:
        return f"{(self.person.email or self.person.name).split('@')[0]}> "

    async def run(self) -> None:
        await self.deliver()
        while (line := self.read(self.prompt)) is not None:
            if not await self.handle(line):
                break

    async def handle(self, line: str) -> bool:
        """Handles one line; False means the user asked to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            keep_going = await self.meta(line[1:].strip())
        else:
            await self.show(await self.app.line(self.person, line))
        await self.deliver()
        return keep_going if line.startswith(":") else True

    async def meta(self, text: str) -> bool:
        word, _, rest = text.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word.isdigit():
            await self.press(int(word))
        elif word in ("como", "as"):
            await self.switch(rest)
        elif word in ("gente", "people"):
            await self.list_people()
        elif word in ("espera", "wait"):
            self.wait(rest)
        elif word in ("salir", "quit", "exit"):
            return False
        else:
            self.write(HELP.format(commands=", ".join(self.app.registry.slash_commands())))
        return True

    async def press(self, number: int) -> None:
        action = self.board.get(number)
        if action is None:
            self.write(f"  (no hay botón [{number}] / no button [{number}])")
            return
        self.write(f"  (pulsa / presses «{action.label}»)")
        await self.show(await self.app.action(self.person, action.id, action.value))

    async def switch(self, email: str) -> None:
        async with self.app.sessions() as session:
            person = await people.by_email(session, email)
        if person is None:
            self.write(f"  (no conozco a / unknown person «{email}»: prueba :gente)")
            return
        self.person = person
        self.write(f"  (ahora eres / you are now {person.name})")

    async def list_people(self) -> None:
        from sqlmodel import select

        async with self.app.sessions() as session:
            everyone = (await session.exec(select(Person).order_by(Person.email))).all()
        for person in everyone:
            self.write(f"  {person.email}  {person.name}")

    def wait(self, text: str) -> None:
        match = _DURATION.match(text.replace(" ", "").lower())
        if not text or match is None:
            self.write("  (usa / use :espera 2h, :espera 1d4h, :espera 30m)")
            return
        days, hours, minutes = (int(part or 0) for part in match.groups())
        self.clock.advance(timedelta(days=days, hours=hours, minutes=minutes))
        now = format_when(self.clock.now(), self.app.caller(self.person).locale, self.app.caller(self.person).timezone)
        self.write(f"  (ahora es / it is now {now})")

    async def show(self, reply: Reply) -> None:
        if reply.message:
            self.write("← " + ("respuesta / reply"))
            for line in render(reply.message, self.board):
                self.write(line)
        if reply.form:
            await self.fill(reply.form)

    async def fill(self, form: Form) -> None:
        """Asks a form's fields one by one; invalid fields are asked again."""
        self.write(f"← {form.title}")
        values: dict[str, str] = {}
        pending = form.fields
        for _try in range(MAX_FORM_TRIES):
            for field in pending:
                answer = self.ask(field)
                if answer is None:
                    self.write("  (formulario cancelado / form cancelled)")
                    return
                values[field.name] = answer
            reply = await self.app.submit(self.person, form.id, form.context, values)
            if not reply.errors:
                await self.show(reply)
                return
            for name, error in reply.errors.items():
                self.write(f"  ✗ {name}: {error}")
            pending = [field for field in form.fields if field.name in reply.errors]
        self.write("  (formulario cancelado / form cancelled)")

    def ask(self, field) -> str | None:  # noqa: ANN001
        if field.kind == "choice":
            for number, (value, label) in enumerate(field.choices, 1):
                self.write(f"    {number}) {label}")
        mark = "*" if field.required else ""
        default = f" [{field.initial}]" if field.initial else ""
        answer = self.read(f"  {field.label}{mark}{default}: ")
        if answer is None:
            return None
        answer = answer.strip() or (field.initial or "")
        if field.kind == "choice" and answer.isdigit() and 1 <= int(answer) <= len(field.choices):
            return field.choices[int(answer) - 1][0]
        return answer

    async def deliver(self) -> None:
        await self.dispatcher.drain()
