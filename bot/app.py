"""The front door of the domain: adapters call these methods.

Each call is one transaction: a UserError rolls everything back and becomes a
message in the caller's language, so bad input never leaves half a change.
A delivery key (a Slack event id, a click's id) is recorded in that same
transaction, so a retried delivery changes nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import home, scheduling
from bot.clock import Clock, SystemClock
from bot.commands.registry import Job, Registry
from bot.config import Settings
from bot.context import Caller, Ctx
from bot.delivery import placements
from bot.delivery.channel import Channel
from bot.domains import REGISTRY
from bot.errors import UserError
from bot.i18n import normalize_locale, t
from bot.messages import Message, Reply
from bot.people import identity
from bot.requests.commands import forms
from bot.scheduling import JobReport
from storage.models import Person, ProcessedDelivery
from storage.upsert import insert_new

log = logging.getLogger(__name__)
Work = Callable[[Ctx, Caller], Awaitable[Reply]]


class Pedir:
    def __init__(  # noqa: ANN001
        self, sessions, settings: Settings, clock: Clock | None = None, registry: Registry | None = None,
        channels: Sequence[Channel] = (),
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock or SystemClock()
        self.registry = registry or REGISTRY
        # The dispatcher's channels (the list may be filled later): replies can
        # then say at once that a team cannot receive a request yet.
        self.channels = channels

    def caller(self, person: Person) -> Caller:
        return Caller(
            person=person,
            locale=normalize_locale(person.locale, self.settings.locale),
            timezone=person.timezone or self.settings.timezone,
        )

    def _ctx(self, session, now: datetime | None = None) -> Ctx:  # noqa: ANN001
        return Ctx(session=session, now=now or self.clock.now(), default_locale=self.settings.locale,
                   timezone=self.settings.timezone, commands=self.registry, channels=self.channels,
                   base_url=self.settings.base_url)

    async def _current(self, session: AsyncSession, person: Person) -> Caller:
        """The caller as stored now: an adapter may hold `person` from before they
        chose another language (here or in another process)."""
        stored = await session.get(Person, person.id) if person.id is not None else None
        return self.caller(stored or person)

    async def _run(self, person: Person, work: Work, key: str | None = None) -> Reply:
        caller = self.caller(person)
        try:
            async with self.sessions() as session, session.begin():
                ctx = self._ctx(session)
                caller = await self._current(session, person)
                if key is not None and not await _first_delivery(ctx, key):
                    return Reply(duplicate=True)
                reply = await work(ctx, caller)
                if reply.errors:
                    # Nothing is saved, the delivery key included: the same form,
                    # corrected, comes back with the same key and must be heard.
                    raise _FormErrors(reply)
            _keep_up(person, caller.person)
            return reply
        except _FormErrors as rejected:
            return rejected.reply
        except UserError as exc:
            return Reply(message=Message(text=t(caller.locale, exc.key, **exc.values)), refused=True)
        except Exception:
            # Logged without the input: user text may hold personal data.
            log.exception("command failed for person %s", person.id)
            return Reply(message=Message(text=t(caller.locale, "error.internal")), refused=True)

    async def command(self, person: Person, command: str, text: str, *, key: str | None = None) -> Reply:
        """A slash command: `/pedir` with the text after it."""
        return await self._run(person, lambda ctx, caller: self.registry.answer(ctx, caller, command, text), key)

    async def line(self, person: Person, line: str, *, key: str | None = None) -> Reply:
        """A whole chat line such as 'pedir @sistemas ...' (console, Teams)."""
        word, text = self.registry.split_line(line)
        return await self._run(person, lambda ctx, caller: self.registry.answer(ctx, caller, word, text), key)

    async def action(self, person: Person, action_id: str, value: str, *, key: str | None = None) -> Reply:
        """A button press."""
        return await self._run(person, lambda ctx, caller: self.registry.press(ctx, caller, action_id, value), key)

    async def submit(
        self, person: Person, form_id: str, context: str, values: dict[str, str], *, key: str | None = None
    ) -> Reply:
        """A submitted form (modal, Adaptive Card, console prompts)."""
        return await self._run(
            person, lambda ctx, caller: self.registry.submit(ctx, caller, form_id, context, values), key
        )

    async def thread_reply(
        self, person: Person, platform: str, external_id: str, text: str, *, key: str | None = None
    ) -> Reply | None:
        """A reply in the thread of a card Pedir posted: the domain that owns the
        card says what it means (a comment on a request).

        None when the thread is not one of Pedir's cards, or its domain takes no
        replies (ordinary chatter).
        """
        async with self.sessions() as session:
            reply = self.registry.thread_reply(await placements.card_at(session, platform, external_id))
        if reply is None:
            return None
        return await self._run(person, lambda ctx, caller: reply(ctx, caller, text), key)

    async def form_again(self, person: Person, form_id: str, context: str, values: dict[str, str]) -> Reply:
        """A submitted form, shown again as it was filled in (only reads)."""
        return await self._run(
            person, lambda ctx, caller: self.registry.reopen(ctx, caller, form_id, context, values))

    async def new_request_form(self, person: Person, initial: dict[str, str]) -> Reply:
        """The request form, prefilled (a message turned into a request)."""
        return await self.form_again(person, forms.NEW, "", initial)

    async def run_job(self, job: Job) -> JobReport:
        """One run of a domain's scheduled job (the worker's scheduler calls this)."""
        return await scheduling.run(job, self.sessions, self._ctx, self.clock.now())

    async def first_time(self, key: str) -> bool:
        """Records a delivery key on its own; False if it was seen before."""
        async with self.sessions() as session, session.begin():
            ctx = self._ctx(session)
            return await _first_delivery(ctx, key)

    async def home(self, person: Person) -> Message:
        async with self.sessions() as session:
            return await self.render_home(session, person, self.clock.now())

    async def render_home(self, session: AsyncSession, person: Person, now: datetime) -> Message:
        """A person's home page, in an open session (the dispatcher renders it at delivery)."""
        return await home.render(self._ctx(session, now), self.caller(person), self.registry)

    async def person(
        self, platform: str, external_id: str, profile: identity.Profile | None, workspace: str = ""
    ) -> Person | None:
        """The Person behind a chat account; with a profile, created or refreshed.

        Without a profile, only an account seen before is found (no writes).
        """
        if profile is None:
            async with self.sessions() as session:
                return await identity.known(session, platform, external_id, workspace)
        try:
            return await self._link(platform, external_id, profile, workspace)
        except IntegrityError:
            # The same email arrived from the other platform at the same moment:
            # once that person is committed, linking again finds them.
            return await self._link(platform, external_id, profile, workspace)

    async def _link(self, platform: str, external_id: str, profile: identity.Profile, workspace: str) -> Person:
        async with self.sessions() as session, session.begin():
            return await identity.link(session, platform, external_id, profile, self.clock.now(), workspace)


class _FormErrors(Exception):
    """Rolls back a form submission that came back with field errors."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("form errors")
        self.reply = reply


def _keep_up(held: Person, stored: Person) -> None:
    """The adapter's copy of a person follows what is stored, so its own words
    (a modal's Cancel button) speak the language they chose a moment ago."""
    if held is not stored:
        held.locale, held.timezone = stored.locale, stored.timezone


async def _first_delivery(ctx: Ctx, key: str) -> bool:
    """Records the key; False if it was recorded before (or is being, by a
    transaction that then commits). One INSERT ... ON CONFLICT DO NOTHING, not
    a savepoint around an INSERT that may fail: one statement instead of three
    on every command, click and event."""
    return await insert_new(ctx.session, ProcessedDelivery, ["key"], dict(key=key[:200], created_at=ctx.now))



