"""/pulso resultados P-3 (being built: bot.pulses.results)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.messages import Message, Reply
from storage.models import Pulse, PulseRound


async def show_results(ctx: Ctx, caller: Caller, pulse_id: int, round_number: int | None) -> Reply:
    raise UserError("pulse.help")


async def results_message(session: AsyncSession, pulse: Pulse, rnd: PulseRound, locale: str, now: datetime) -> Message:
    return Message(text=f"P-{pulse.id} · {rnd.number}")
