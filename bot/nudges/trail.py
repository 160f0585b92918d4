"""The trail a card shows: what the bot already did about the item
("recordado a Marta 10:30 · escalado a Luis 12:00")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Ctx
from bot.delivery.outbox import TEAM
from bot.i18n import format_when, t
from bot.nudges import ledger
from storage.models import Person, Team

SHOWN = 4  # the latest few: a card is not a log


@dataclass(frozen=True)
class Entry:
    role: str  # lead (escalated), stakeholder (told), anything else (reminded)
    name: str
    at: datetime


async def entries(ctx: Ctx, subject_kind: str, subject_id: int) -> list[Entry]:
    out = []
    for nudge in await ledger.trail(ctx, subject_kind, subject_id):
        row = await ctx.session.get(Team if nudge.recipient_kind == TEAM else Person, nudge.recipient_id)
        out.append(Entry(nudge.data.get("role", ""), row.name if row else "?", nudge.sent_at or nudge.created_at))
    return out


def line(trail: list[Entry], locale: str | None, tz: str, *, home_tz: str | None = None) -> str:
    """'' when the bot has not nudged anyone about it; `home_tz` as in format_when."""
    parts = []
    stakeholders = [entry for entry in trail if entry.role == "stakeholder"]
    for entry in trail:
        if entry.role == "stakeholder":
            continue
        key = "nudge.trail.escalated" if entry.role == "lead" else "nudge.trail.reminded"
        parts.append(t(locale, key, name=entry.name, when=format_when(entry.at, locale, tz, home_tz=home_tz)))
    parts = parts[-SHOWN:]
    if stakeholders:
        parts.append(t(locale, "nudge.trail.told", count=len(stakeholders),
                       when=format_when(stakeholders[-1].at, locale, tz, home_tz=home_tz)))
    return " · ".join(parts)
