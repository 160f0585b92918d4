"""/pulso resultados P-3 (being built: bot.pulses.results)."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.messages import Reply


async def show_results(ctx: Ctx, caller: Caller, pulse_id: int, round_number: int | None) -> Reply:
    raise UserError("pulse.help")
