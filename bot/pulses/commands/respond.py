"""/pulso responder P-3: the subject team's answer to the results (being built)."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.messages import Reply


async def respond(ctx: Ctx, caller: Caller, pulse_id: int, text: str | None) -> Reply:
    raise UserError("pulse.help")
