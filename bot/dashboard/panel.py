"""/pedir panel: a private one-time link to the web dashboard."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.dashboard import access
from bot.i18n import t
from bot.messages import Message, Reply

SIGN_IN_PATH = "/panel/entrar"


async def link_reply(ctx: Ctx, caller: Caller) -> Reply:
    token = await access.issue_link(ctx.session, caller.person.id, ctx.now)
    url = f"{ctx.base_url}{SIGN_IN_PATH}?t={token}"
    minutes = int(access.LINK_LIFETIME.total_seconds() // 60)
    return Reply(message=Message(title=t(caller.locale, "panel.link.title"),
                                 text=t(caller.locale, "panel.link.text", url=url, minutes=minutes)))
