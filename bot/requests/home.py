"""The requests' part of a person's home page: their open requests, their teams' queues."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.i18n import t
from bot.interaction import NOTHING, make
from bot.limits import HOME_SECTION_LIMIT
from bot.messages import Action
from bot.requests import flows, messaging, service
from bot.teams import service as teams


async def home(ctx: Ctx, caller: Caller) -> tuple[list[str], list[Action]]:
    """The caller's open requests, then their teams' queues, and the button for a new request."""
    person, locale = caller.person, caller.locale
    mine = await service.open_by_requester(ctx.session, person.id, viewer_id=person.id, limit=HOME_SECTION_LIMIT)
    full = len(mine) == HOME_SECTION_LIMIT
    total = await service.count_open_by_requester(ctx.session, person.id, viewer_id=person.id) if full else len(mine)
    lines = [f"*{t(locale, 'reply.mine.title', count=total)}*"]
    lines += [messaging.summary_line(await flows.view_of(ctx, req), locale, ctx.now, caller.timezone) for req in mine]
    if not mine:
        lines.append(t(locale, "reply.mine.empty"))
    for team in await teams.teams_of(ctx.session, person.id):
        queued = await service.queue(ctx.session, team.id, viewer_id=person.id, limit=HOME_SECTION_LIMIT)
        full = len(queued) == HOME_SECTION_LIMIT
        total = await service.count_queue(ctx.session, team.id, viewer_id=person.id) if full else len(queued)
        lines += ["", f"*{t(locale, 'reply.queue.title', team=team.name, count=total)}*"]
        lines += [messaging.summary_line(await flows.view_of(ctx, req), locale, ctx.now, caller.timezone) for req in queued]
        if not queued:
            lines.append(t(locale, "reply.queue.empty", team=team.name))
    new = Action(id="request.open_form", label=t(locale, "form.new.title"), value=make("request.open_form", NOTHING),
                 style="primary")
    return lines, [new]
