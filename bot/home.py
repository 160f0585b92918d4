"""A person's home page: each domain's section of it, in one message."""

from __future__ import annotations

from bot.commands.registry import Registry
from bot.context import Caller, Ctx
from bot.messages import Message


async def render(ctx: Ctx, caller: Caller, registry: Registry) -> Message:
    lines, actions = await registry.home(ctx, caller)
    return Message(title="Pedir", text="\n".join(lines), actions=actions, surface="home")
