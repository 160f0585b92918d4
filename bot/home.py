"""A person's home: their open requests, their teams' queues and the issues they follow."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import t
from bot.issues import flows as issue_flows
from bot.issues import messaging as issue_messaging
from bot.issues import service as issues
from bot.messages import Action, Message
from bot.requests import flows, messaging, service
from bot.teams import service as teams
from storage.models import Person

# A home page lists this many requests per section; the rest are a command away.
SECTION_LIMIT = 15


async def render(
    session: AsyncSession, person: Person, now: datetime, default_locale: str, default_timezone: str = "Europe/Madrid"
) -> Message:
    locale = person.locale or default_locale
    ctx = flows.Ctx(session=session, now=now, default_locale=default_locale, timezone=default_timezone)
    sections: list[str] = []
    mine = await service.open_by_requester(session, person.id, limit=SECTION_LIMIT)
    total = await service.count_open_by_requester(session, person.id) if len(mine) == SECTION_LIMIT else len(mine)
    sections.append(f"*{t(locale, 'reply.mine.title', count=total)}*")
    sections += [messaging.summary_line(await flows.view_of(ctx, req), locale, now) for req in mine]
    if not mine:
        sections.append(t(locale, "reply.mine.empty"))
    for team in await teams.teams_of(session, person.id):
        queue = await service.queue(session, team.id, limit=SECTION_LIMIT)
        total = await service.count_queue(session, team.id) if len(queue) == SECTION_LIMIT else len(queue)
        sections.append("")
        sections.append(f"*{t(locale, 'reply.queue.title', team=team.name, count=total)}*")
        sections += [messaging.summary_line(await flows.view_of(ctx, req), locale, now) for req in queue]
        if not queue:
            sections.append(t(locale, "reply.queue.empty", team=team.name))
    followed = await issues.followed_by(session, person.id, limit=SECTION_LIMIT)
    if followed:
        tz = person.timezone or ctx.timezone
        sections += ["", f"*{t(locale, 'home.issues_title', count=len(followed))}*"]
        sections += [issue_messaging.summary_line(await issue_flows.view_of(ctx, issue), locale, tz, now)
                     for issue in followed]
    return Message(
        title="Pedir",
        text="\n".join(sections),
        actions=[Action(id="request.open_form", label=t(locale, "form.new.title"), style="primary")],
        surface="home",
    )

