"""The front door of the domain: adapters call these three methods.

Each call is one transaction: a UserError rolls everything back and becomes a
message in the caller's language, so bad input never leaves half a change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock, SystemClock
from bot.commands import actions, handlers, parser
from bot.commands.handlers import Caller
from bot.config import Settings
from bot.errors import UserError
from bot.i18n import normalize_locale, t
from bot.messages import Reply
from bot.requests.flows import Ctx
from storage.models import Person

log = logging.getLogger(__name__)


class Pedir:
    def __init__(self, sessions, settings: Settings, clock: Clock | None = None) -> None:  # noqa: ANN001
        self.sessions = sessions
        self.settings = settings
        self.clock = clock or SystemClock()

    def caller(self, person: Person) -> Caller:
        return Caller(
            person=person,
            locale=normalize_locale(person.locale, self.settings.locale),
            timezone=person.timezone or self.settings.timezone,
        )

    async def _run(self, person: Person, work: Callable[[Ctx, Caller], Awaitable[Reply]]) -> Reply:
        caller = self.caller(person)
        try:
            async with self.sessions() as session, session.begin():
                ctx = Ctx(session=session, now=self.clock.now(), default_locale=self.settings.locale)
                return await work(ctx, caller)
        except UserError as exc:
            return Reply.text(t(caller.locale, exc.key, **exc.values))
        except Exception:
            # Logged without the input: user text may hold personal data.
            log.exception("command failed for person %s", person.id)
            return Reply.text(t(caller.locale, "error.internal"))

    async def command(self, person: Person, command: str, text: str) -> Reply:
        """A slash command: `/pedir` with the text after it."""
        async def work(ctx: Ctx, caller: Caller) -> Reply:
            parsed = parser.parse(command, text, caller.today(ctx.now), caller.locale)
            return await handlers.handle(ctx, caller, parsed)
        return await self._run(person, work)

    async def line(self, person: Person, line: str) -> Reply:
        """A whole chat line such as 'pedir @sistemas ...' (console, Teams)."""
        async def work(ctx: Ctx, caller: Caller) -> Reply:
            parsed = parser.parse_line(line, caller.today(ctx.now), caller.locale)
            return await handlers.handle(ctx, caller, parsed)
        return await self._run(person, work)

    async def action(self, person: Person, action_id: str, value: str) -> Reply:
        """A button press."""
        return await self._run(person, lambda ctx, caller: actions.press(ctx, caller, action_id, value))

    async def submit(self, person: Person, form_id: str, context: str, values: dict[str, str]) -> Reply:
        """A submitted form (modal, Adaptive Card, console prompts)."""
        return await self._run(person, lambda ctx, caller: actions.submit(ctx, caller, form_id, context, values))
