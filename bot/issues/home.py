"""The issues' part of a person's home page: the issues they follow."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.i18n import t
from bot.issues import flows, messaging, service
from bot.limits import HOME_SECTION_LIMIT
from bot.messages import Action


async def home(ctx: Ctx, caller: Caller) -> tuple[list[str], list[Action]]:
    followed = await service.followed_by(ctx.session, caller.person.id, limit=HOME_SECTION_LIMIT)
    if not followed:
        return [], []
    lines = ["", f"*{t(caller.locale, 'home.issues_title', count=len(followed))}*"]
    lines += [messaging.summary_line(await flows.view_of(ctx, issue), caller.locale, caller.timezone, ctx.now)
              for issue in followed]
    return lines, []
