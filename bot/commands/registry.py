"""The registry: every domain declares its commands, buttons, forms and jobs
once, and everything that needs to know them (the dispatcher in bot.app, the
Slack listeners and manifest, the Teams bot and package, the console's help,
the worker) asks here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import refusals
from bot.commands.grammar import TOKEN, ParseError
from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.i18n import add_catalog
from bot.interaction import INVALID, Interaction, Subject, decode
from bot.messages import Action, Reply
from bot.nudges import kinds as nudge_kinds
from bot.nudges.kinds import NudgeKind
from bot.text import fold, strip_controls

Parse = Callable[[str, date, bool], Any]  # (text, today, english) -> a command object or a ParseError
Handle = Callable[[Ctx, Caller, Any], Awaitable[Reply]]
Press = Callable[[Ctx, Caller, Interaction], Awaitable[Reply]]
Submit = Callable[[Ctx, Caller, Interaction, dict[str, str]], Awaitable[Reply]]
# A card key -> what a reply in that card's thread does, or None: not our card.
ThreadReply = Callable[[str], Callable[[Ctx, Caller, str], Awaitable[Reply]] | None]
# A domain's part of a person's home page: its lines and its buttons.
HomeSection = Callable[[Ctx, Caller], Awaitable[tuple[list[str], list[Action]]]]


@dataclass(frozen=True)
class MenuEntry:
    """A line of Teams' command menu: what to type, and what it does (Spanish)."""

    title: str
    description: str


@dataclass(frozen=True)
class Command:
    """A command word and everything the platforms need to offer it."""

    words: tuple[str, ...]  # every word that calls it, Spanish first: ("pedir", "request")
    parse: Parse
    handle: Handle
    slash: str | None = None  # declared as a Slack slash command ("/pedir"); None: typed only
    description: str = ""  # Slack's command description (Spanish, like the manifest)
    usage_hint: str = ""  # Slack's usage hint
    menu: tuple[MenuEntry, ...] = ()  # Teams' command menu
    help: Mapping[str, str] = field(default_factory=dict)  # one help line per locale
    # A line starting with an everyday word ("estado de la factura @x") may be
    # prose, not this command: given the line's words, is it meant as the command?
    claims_line: Callable[[list[str]], bool] | None = None
    # The words its parser knows after it, per language ("es", "en"): what an
    # unknown word after it is answered with, and what a typo is matched against.
    verbs: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # The command whose help covers this one ("incidencia" for /estado): "/estado
    # ayuda" shows that help, and errors point to it. Empty: its own parser has "ayuda".
    help_from: str = ""

    @property
    def name(self) -> str:
        return self.words[0]


@dataclass(frozen=True)
class Button:
    id: str  # "request.claim"
    subject: Subject  # what its context names; checked before `press` runs
    press: Press


@dataclass(frozen=True)
class Form:
    id: str  # "request.assign"
    subject: Subject
    submit: Submit
    # Shows the form again (Teams, after field errors); None: the button of the same id opens it.
    reopen: Press | None = None


@dataclass(frozen=True)
class Job:
    """A scheduled job: what is due now, and what to do with each due item.

    Each item is handled in its own transaction (bot.scheduling), so one that
    fails never stops the rest.
    """

    name: str
    due: Callable[[AsyncSession, datetime], Awaitable[Sequence[Any]]]
    run: Callable[[Ctx, Any], Awaitable[None]]
    every_seconds: float | None = None  # an interval...
    cron: str | None = None  # ...or a crontab line, in UTC
    # The earliest moment something will be due, if the job can tell: the
    # console steps its clock through these, as a worker ticking all along would.
    next_at: Callable[[AsyncSession], Awaitable[datetime | None]] | None = None


@dataclass(frozen=True)
class Domain:
    name: str
    commands: tuple[Command, ...] = ()
    buttons: tuple[Button, ...] = ()
    forms: tuple[Form, ...] = ()
    jobs: tuple[Job, ...] = ()
    nudges: tuple[NudgeKind, ...] = ()  # the reminders its scheduled.py plans
    home: HomeSection | None = None  # its section of a person's home page
    thread_reply: ThreadReply | None = None
    catalog: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # its own sentences


class Registry:
    def __init__(self, *domains: Domain) -> None:
        self.domains = domains
        self._words: dict[str, Command] = {}
        self._buttons: dict[str, Button] = {}
        self._forms: dict[str, Form] = {}
        jobs: dict[str, Job] = {}
        for domain in domains:
            add_catalog(domain.catalog)
            for command in domain.commands:
                for word in command.words:
                    _add(self._words, fold(word), command, "command word")
            for button in domain.buttons:
                _add(self._buttons, button.id, button, "button")
            for form in domain.forms:
                _add(self._forms, form.id, form, "form")
            for job in domain.jobs:
                if (job.every_seconds is None) == (job.cron is None):
                    raise ValueError(f"job {job.name!r}: give every_seconds or cron")
                _add(jobs, job.name, job, "job")
            nudge_kinds.register(domain.nudges)
        self.jobs = tuple(jobs.values())

    def with_domain(self, domain: Domain) -> Registry:
        return Registry(*self.domains, domain)

    # Commands

    @property
    def commands(self) -> list[Command]:
        return [command for domain in self.domains for command in domain.commands]

    def slash_commands(self) -> list[str]:
        return [command.slash for command in self.commands if command.slash]

    def command(self, word: str) -> Command | None:
        return self._words.get(fold(word).strip().lstrip("/"))

    def read(self, word: str, text: str, today: date, locale: str = "es") -> tuple[Command | None, Any]:
        """The command `word` names, and `text` parsed by it (or a ParseError)."""
        command = self.command(word)
        if command is None:
            return None, ParseError("unknown_command", word)
        return command, command.parse(strip_controls(text), today, fold(locale).startswith("en"))

    def parse(self, word: str, text: str, today: date, locale: str = "es") -> Any:
        """Parse `text` typed after `word` ("/pedir", "teams"...)."""
        return self.read(word, text, today, locale)[1]

    def split_line(self, line: str) -> tuple[str, str]:
        """A whole line ("pedir ayuda", for the console and Teams) as (word, rest)."""
        line = strip_controls(line)
        m = TOKEN.search(line)
        return (m[0], line[m.end() :]) if m else ("", "")

    def parse_line(self, line: str, today: date, locale: str = "es") -> Any:
        return self.parse(*self.split_line(line), today, locale)

    def names_a_command(self, line: str) -> bool:
        """Whether a line starts with a command word ("pedir", "equipos"...)."""
        words = TOKEN.findall(strip_controls(line))
        command = self.command(words[0]) if words else None
        if command is None:
            return False
        return command.claims_line is None or command.claims_line(words)

    async def answer(self, ctx: Ctx, caller: Caller, word: str, text: str) -> Reply:
        command, parsed = self.read(word, text, caller.today(ctx.now), caller.locale)
        if command is not None and command.help_from and refusals.asks_for_help(text):
            return await self.answer(ctx, caller, command.help_from, refusals.help_word(caller.locale))
        if command is None or isinstance(parsed, ParseError):
            raise self.refusal(command, parsed, caller.locale)
        return await command.handle(ctx, caller, parsed)

    def refusal(self, command: Command | None, error: ParseError, locale: str) -> UserError:
        """What a line that could not be read answers, pointing to the help of the command typed."""
        if command is None:
            return refusals.unknown_command(locale, error.detail, self.slash_commands(), self.verb_owner(error.detail))
        help_at = self.help_at(command, locale)
        if error.code == "unknown_command":  # a word after the command that it does not know
            return refusals.unknown_verb(locale, error.detail, command.slash or command.name, command.verbs, help_at)
        return refusals.parse_error(error, help_at)

    def verb_owner(self, word: str) -> str | None:
        """ "/pedir cancelar" for "cancelar" typed alone: the command a bare word belongs after."""
        for command in self.commands:
            if any(fold(word) == fold(verb) for verbs in command.verbs.values() for verb in verbs):
                return f"{command.slash or command.name} {word}"
        return None

    def help_at(self, command: Command, locale: str) -> str:
        """ "/incidencia ayuda": where the help of `command` is, in the caller's words."""
        covering = self.command(command.help_from) if command.help_from else None
        target = covering or command
        return f"{target.slash or target.name} {refusals.help_word(locale)}"

    def help_lines(self, locale: str, *, besides: str) -> list[str]:
        """One line per command of the other domains: what a domain's help adds at its end."""
        return [
            command.help.get(locale) or command.help.get("es", "")
            for domain in self.domains if domain.name != besides
            for command in domain.commands if command.help
        ]

    # Buttons and forms

    @property
    def button_namespaces(self) -> list[str]:
        """"request" for "request.claim": a button of ours whose id is no longer
        declared (an old card) is still ours to answer."""
        return sorted({button_id.split(".", 1)[0] for button_id in self._buttons})

    def context(self, action_id: str, raw: str, *, form: bool = False) -> Interaction:
        """The checked context a button (or a form) carried back; a UserError if it is not one of ours."""
        if not action_id:  # an adapter's reading of a context that was not ours: nothing to name
            raise UserError(INVALID)
        declared = (self._forms if form else self._buttons).get(action_id)
        if declared is None:
            raise UserError("input.unknown_command", value=action_id)
        return decode(raw, action_id, declared.subject)

    async def press(self, ctx: Ctx, caller: Caller, action_id: str, value: str) -> Reply:
        interaction = self.context(action_id, value)
        return await self._buttons[action_id].press(ctx, caller, interaction)

    async def reopen(self, ctx: Ctx, caller: Caller, form_id: str, context: str, values: dict[str, str]) -> Reply:
        """A submitted form shown again, filled in as it was sent; an empty Reply if it cannot be."""
        interaction = self.context(form_id, context, form=True)
        form = self._forms[form_id]
        if form.reopen is not None:
            shown = await form.reopen(ctx, caller, interaction)
        elif form_id in self._buttons:
            shown = await self._buttons[form_id].press(ctx, caller, self.context(form_id, context))
        else:
            return Reply()
        if shown.form is None or shown.form.id != form_id:
            return Reply()
        for field_ in shown.form.fields:
            if values.get(field_.name):
                field_.initial = values[field_.name]
        return Reply(form=shown.form)

    async def submit(self, ctx: Ctx, caller: Caller, form_id: str, context: str, values: dict[str, str]) -> Reply:
        interaction = self.context(form_id, context, form=True)
        values = {key: (value or "").strip() for key, value in values.items()}
        return await self._forms[form_id].submit(ctx, caller, interaction, values)

    # Threads and home pages

    def thread_reply(self, card_key: str | None) -> Callable[[Ctx, Caller, str], Awaitable[Reply]] | None:
        for domain in self.domains:
            if card_key and domain.thread_reply and (reply := domain.thread_reply(card_key)):
                return reply
        return None

    async def home(self, ctx: Ctx, caller: Caller) -> tuple[list[str], list[Action]]:
        """Every domain's part of a person's home page, in registration order."""
        lines: list[str] = []
        actions: list[Action] = []
        for domain in self.domains:
            if domain.home is not None:
                more_lines, more_actions = await domain.home(ctx, caller)
                lines += more_lines
                actions += more_actions
        return lines, actions


def _add(table: dict[str, Any], key: str, value: Any, what: str) -> None:
    if key in table:
        raise ValueError(f"{what} {key!r} is declared twice")
    table[key] = value
