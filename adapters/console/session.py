"""A console conversation: lines in, replies and deliveries out.

Lines starting with ':' steer the console (switch person, press a button,
let time pass); anything else is a chat line such as '/pedir @sistemas …'.

Ctrl-C (adapters.console.interrupts) drops the line at a prompt and cancels a
form being filled in; pressed during a command, it lets the command finish,
then says whether it saved anything. A script being replayed stops there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from adapters.console import jobs
from adapters.console.interrupts import CtrlC, PromptCancelled
from adapters.console.render import ActionBoard, render
from adapters.console.saves import SaveCounter
from adapters.console.timeline import LATEST, LONGEST_WAIT, parse_wait
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.delivery.dispatcher import Dispatcher, DispatchReport
from bot.i18n import format_when, t
from bot.messages import Form, FormField, Reply
from bot.people import service as people
from storage.models import Person

HELP = """Comandos de la consola / console commands:
  :N                               pulsa el botón [N] / press button [N]
  :como EMAIL  (:as EMAIL)         cambia de persona (vale marta.lopez) / switch person
  :gente       (:people)           quién hay / who is here
  :espera 2h   (:wait 30m)         deja pasar el tiempo / let time pass
  :ayuda       (:help)             esta ayuda / this help
  :salir       (:quit)
Y los comandos de Slack o Teams / and the commands of Slack or Teams:"""
CLEAR = "-"  # typed again into a form field: leave it empty

Reader = Callable[[str], "str | None"]


class ConsoleSession:
    def __init__(
        self, app: Pedir, dispatcher: Dispatcher, clock: ShiftedClock, person: Person,
        board: ActionBoard, write: Callable[[str], None], read: Reader,
        *, ctrl_c: CtrlC | None = None, saves: SaveCounter | None = None, interactive: bool = False,
    ) -> None:
        self.app, self.dispatcher, self.clock = app, dispatcher, clock
        self.person, self.board, self.write, self.read = person, board, write, read
        self.ctrl_c = ctrl_c or CtrlC()
        self.saves = saves or SaveCounter()
        # At a terminal a Ctrl-C ends one command; in a script, the replay.
        self.interactive = interactive
        self._last_reply = ""
        self._jobs_ran_at: datetime | None = None  # on the console's clock

    @property
    def prompt(self) -> str:
        return f"{(self.person.email or self.person.name).split('@')[0]}> "

    def say(self, key: str, indent: str = "  ", **values: object) -> None:
        """A line of the console's own, in the current person's language."""
        self.write(indent + t(self.app.caller(self.person).locale, key, **values))

    async def run(self) -> bool:
        """Reads and handles lines until the reader ends or the user leaves.
        True when a Ctrl-C stopped a script."""
        await self.catch_up()  # what was due before the console opened
        cancelled = False  # the last prompt ended in Ctrl-C: another one leaves
        while True:
            if not self.interactive and self.ctrl_c.take():  # pressed between two lines
                self.say("console.ctrl_c.script")
                return True
            try:
                line = self.read(self.prompt)
            except PromptCancelled:
                if cancelled:
                    return False
                cancelled = True
                self.say("console.line_cancelled")
                continue
            if line is None:
                return False
            cancelled = False
            saved_before = self.saves.count
            keep_going = await self.handle(line)
            if self.ctrl_c.take():
                self.report_ctrl_c(saved=self.saves.count > saved_before)
                if not self.interactive:
                    self.say("console.ctrl_c.script")
                    return True
            if not keep_going:
                return False

    def report_ctrl_c(self, *, saved: bool) -> None:
        """After a command that a Ctrl-C could not stop: what it left behind."""
        if saved and self._last_reply:
            self.say("console.ctrl_c.saved", what=self._last_reply)
        elif saved:
            self.say("console.ctrl_c.saved_plain")
        else:
            self.say("console.ctrl_c.nothing")

    async def handle(self, line: str) -> bool:
        """Handles one line; False means the user asked to leave."""
        line = line.strip()
        self._last_reply = ""
        if not line or line.startswith("#"):
            return True
        keep_going = True
        if line.startswith(":"):
            keep_going = await self.meta(line[1:].strip())
        else:
            await self.show(await self.app.line(self.person, line))
        await self.deliver()
        if keep_going and self._jobs_ran_at is not None and self.clock.now() - self._jobs_ran_at >= jobs.EVERY:
            await self.catch_up()  # time went by at the terminal (a real clock under the shift)
        return keep_going

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
            await self.wait(rest)
        elif word in ("salir", "quit", "exit"):
            return False
        else:
            await self.help()
        return True

    async def help(self) -> None:
        """The console's own commands, then every command as `/pedir ayuda` lists them."""
        self.write(HELP)
        reply = await self.app.command(self.person, "/pedir", "ayuda")
        if reply.message is not None:
            for line in render(reply.message, self.board):
                self.write(line)

    async def press(self, number: int) -> None:
        action = self.board.get(number)
        if action is None:
            self.write(f"  (no hay botón [{number}] / no button [{number}])")
            return
        self.write(f"  (pulsa / presses «{action.label}»)")
        await self.show(await self.app.action(self.person, action.id, action.value))

    async def switch(self, email: str) -> None:
        # "marta.lopez", as the prompt shows people, or the whole email.
        async with self.app.sessions() as session:
            person = await people.by_handle(session, email) if email else None
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

    async def wait(self, text: str) -> None:
        wait = parse_wait(text)
        if wait is None:
            self.say("console.wait.usage", days=LONGEST_WAIT.days)
            return
        if self.clock.now() + wait >= LATEST:
            self.say("console.wait.too_far", year=LATEST.year)
            return
        target = self.clock.now() + wait
        now = format_when(target, self.app.caller(self.person).locale, self.app.caller(self.person).timezone)
        self.write(f"  (ahora es / it is now {now})")
        self._jobs_ran_at = target
        await jobs.pass_time(self.app, self.clock, target, self.deliver)

    async def show(self, reply: Reply) -> None:
        if reply.message:
            self.write("← " + ("respuesta / reply"))
            for line in render(reply.message, self.board):
                self.write(line)
            self._last_reply = (reply.message.text or reply.message.title or "").strip().split("\n")[0]
        if reply.form and not self.ctrl_c.pressed:  # after a Ctrl-C, no new questions
            await self.fill(reply.form)

    async def fill(self, form: Form) -> None:
        """Asks a form's fields one by one; fields with errors are asked again,
        as often as it takes, with what was typed kept until the user cancels."""
        self.write(f"← {form.title}")
        values: dict[str, str] = {}
        pending = form.fields
        while pending:
            for field in pending:
                try:
                    answer = self.ask(field, values.get(field.name))
                except PromptCancelled:
                    self.say("console.ctrl_c.form")
                    return
                if answer is None:
                    self.write("  (formulario cancelado / form cancelled)")
                    return
                values[field.name] = answer
            reply = await self.app.submit(self.person, form.id, form.context, values)
            if not reply.errors:
                await self.show(reply)
                return
            labels = {field.name: field.label for field in form.fields}
            for name, error in reply.errors.items():
                self.write(f"  ✗ {labels.get(name, name)}: {error}")
            if self.ctrl_c.pressed:
                return  # Ctrl-C during the submission: not asked again; the session reports
            pending = [field for field in form.fields if field.name in reply.errors]
            if pending:
                self.say("console.form.retry")
        self.write("  (formulario cancelado / form cancelled)")  # errors on no field: nothing to ask

    def ask(self, field: FormField, typed: str | None = None) -> str | None:
        """One field; `typed` (what the user wrote last round) is kept on Enter, "-" clears it."""
        if field.kind == "choice":
            for number, (value, label) in enumerate(field.choices, 1):
                self.write(f"    {number}) {label}")
        mark = "*" if field.required else ""
        default = typed if typed is not None else field.initial
        while True:
            hint = f" [{default}]" if default else (f" ({field.placeholder})" if field.placeholder else "")
            answer = self.read(f"  {field.label}{mark}{hint}: ")
            if answer is None:
                return None
            answer = answer.strip()
            if answer == CLEAR and typed is not None:
                return ""
            answer = answer or (default or "")
            if field.kind != "choice" or not answer.isdigit():
                return answer  # a typed value or slug: the domain checks it
            if 1 <= int(answer) <= len(field.choices):
                return field.choices[int(answer) - 1][0]
            self.say("console.form.bad_choice", indent="    ", last=len(field.choices))

    async def deliver(self) -> DispatchReport:
        return await self.dispatcher.drain()

    async def catch_up(self) -> int:
        """Runs the scheduled jobs at the console's now, as `pedir worker` would
        have while that time passed, and shows what they sent; returns how many."""
        self._jobs_ran_at = self.clock.now()
        return await jobs.run_due(self.app, self.deliver)
