"""A request's two cards (the team's and the requester's) and the view they
are drawn from.

Apart from flows so that the request's nudges (scheduled.py), which flows
plans, can re-render the cards with their trail without importing flows.
"""

from __future__ import annotations

from bot.context import Ctx
from bot.customers import service as customers
from bot.delivery.outbox import PERSON, TEAM, enqueue_now, entry
from bot.nudges import trail
from bot.people import service as people
from bot.requests import messaging
from bot.requests.messaging import RequestView
from bot.requests.states import NUDGE_SUBJECT
from bot.teams import service as teams
from storage.models import Nudge, Request


async def view_of(ctx: Ctx, request: Request) -> RequestView:
    team = await teams.get(ctx.session, request.team_id)
    requester = await people.get(ctx.session, request.requester_id)
    owner = await people.get(ctx.session, request.owner_id) if request.owner_id else None
    customer = await customers.get(ctx.session, request.customer_id) if request.customer_id else None
    return RequestView(request=request, team=team, requester=requester, owner=owner, customer=customer)


async def send_cards(ctx: Ctx, view: RequestView, *, nudged: bool = True, before: list[dict] | None = None) -> None:
    """The team's card and the requester's, each editing its previous version,
    with what the bot already did about the request (lists need no trail: only cards read it).
    `nudged=False`: nothing can have been sent about it yet (a request created
    in this transaction), so its trail is empty without asking the ledger.
    `before`: other outbox rows (entry()) to queue ahead of them, in the same INSERT."""
    request = view.request
    view.trail = await trail.entries(ctx, NUDGE_SUBJECT, request.id) if nudged else []
    await enqueue_now(ctx.session, [
        *(before or []),
        entry(recipient_kind=TEAM, recipient_id=view.team.id, now=ctx.now,
              message=messaging.team_card(view, ctx.team_locale(view.team), ctx.now),
              card_key=messaging.team_card_key(request.id), watchers=[view.requester.id]),
        entry(recipient_kind=PERSON, recipient_id=view.requester.id, now=ctx.now,
              message=messaging.requester_card(view, ctx.now),
              card_key=messaging.requester_card_key(request.id)),
    ])


async def refresh(ctx: Ctx, nudge: Nudge) -> None:
    """The request's cards again, now with a delivered nudge in their trail
    (nothing else changed: home pages stay as they are)."""
    request = await ctx.session.get(Request, nudge.subject_id)
    if request is not None:
        await send_cards(ctx, await view_of(ctx, request))
