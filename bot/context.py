"""Who is acting and in which transaction: what every handler and flow needs,
whatever its domain, and the check every text gets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import Channel
from bot.errors import UserError
from bot.limits import MAX_TEXT
from storage.models import Person, Team


class HelpLines(Protocol):
    """What a domain's help asks of the registry: a line per other command."""

    def help_lines(self, locale: str, *, besides: str) -> list[str]: ...


@dataclass
class Ctx:
    """The open transaction, the time, the default language and time zone."""

    session: AsyncSession
    now: datetime
    default_locale: str = "es"
    # For people who never said where they are.
    timezone: str = "Europe/Madrid"
    # Every domain's commands (the registry): for help that names them all.
    commands: HelpLines | None = None
    # The platforms messages go out through, in routing order: whether a team
    # can receive its card is known when it is created. Empty: not known here.
    channels: Sequence[Channel] = ()
    # Where this server is reached (Settings.base_url): links to the dashboard start with it.
    base_url: str = "http://localhost:3000"

    def team_locale(self, team: Team) -> str:
        return team.locale or self.default_locale


@dataclass
class Caller:
    """The person acting, with the language and time zone their answers use."""

    person: Person
    locale: str
    timezone: str

    def today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.timezone)).date()


def check_text(text: str | None, *, field: str = "description") -> str:
    text = (text or "").strip()
    if not text:
        raise UserError(f"input.empty.{field}")
    if len(text) > MAX_TEXT:
        raise UserError("input.too_long", limit=MAX_TEXT, length=len(text))
    return text
