"""What every flow needs, requests and issues alike, and the check every text gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from storage.models import Team

MAX_TEXT = 3000  # longest description, comment, note or status we store


@dataclass
class Ctx:
    """The open transaction, the time, the default language and time zone."""

    session: AsyncSession
    now: datetime
    default_locale: str = "es"
    # For people who never said where they are.
    timezone: str = "Europe/Madrid"

    def team_locale(self, team: Team) -> str:
        return team.locale or self.default_locale


def check_text(text: str | None, *, field: str = "description") -> str:
    text = (text or "").strip()
    if not text:
        raise UserError(f"input.empty.{field}")
    if len(text) > MAX_TEXT:
        raise UserError("input.too_long", limit=MAX_TEXT, length=len(text))
    return text
