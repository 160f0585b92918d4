"""/pulso nuevo, lista, ver, pausar, reanudar, cancelar (being built: bot.pulses setup)."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.messages import Reply


async def new_form(ctx: Ctx, caller: Caller) -> Reply:
    raise UserError("pulse.help")


async def list_pulses(ctx: Ctx, caller: Caller) -> Reply:
    raise UserError("pulse.help")


async def show(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    raise UserError("pulse.help")


async def pause(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    raise UserError("pulse.help")


async def resume(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    raise UserError("pulse.help")


async def cancel(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    raise UserError("pulse.help")
