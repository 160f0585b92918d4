"""The confirm tick: a nudge counts as sent only once the outbox delivered it.

Then the item's cards are refreshed, so their trail shows it. A message the
outbox could not deliver marks its nudges failed (the outbox has retried it,
and told the people watching it, bot.delivery.reach).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.nudges import kinds
from bot.nudges.ledger import FAILED, QUEUED, SENT
from bot.observe import after_commit, observer
from storage.models import Nudge, Outbox

DONE = ("sent", "failed", "unreachable")
PER_TICK = 1000


async def due(session: AsyncSession, now: datetime) -> Sequence[int]:
    """Queued nudges whose message is delivered or given up: few, by the state index."""
    result = await session.exec(
        select(Nudge.id).join(Outbox, Outbox.id == Nudge.outbox_id)  # type: ignore[arg-type]
        .where(Nudge.state == QUEUED, Outbox.status.in_(DONE))  # type: ignore[attr-defined]
        .order_by(Nudge.id).limit(PER_TICK)
    )
    return list(result.all())


async def confirm(ctx: Ctx, nudge_id: int) -> None:
    nudge = await ctx.session.get(Nudge, nudge_id, with_for_update=True)
    if nudge is None or nudge.state != QUEUED:
        return  # another worker confirmed it
    outbox = await ctx.session.get(Outbox, nudge.outbox_id)
    if outbox.status == "sent":
        nudge.state, nudge.sent_at = SENT, outbox.sent_at or ctx.now
        kind_name = nudge.kind
        after_commit(ctx.session, lambda: observer().nudge_sent(kind_name))
    else:
        nudge.state = FAILED
    ctx.session.add(nudge)
    kind = kinds.named(nudge.kind)
    if nudge.state == SENT and kind is not None and kind.refresh is not None:
        await ctx.session.flush()
        await kind.refresh(ctx, nudge)
