"""The send tick: nudges whose moment has come, one message per recipient.

Claiming is a conditional update (planned -> queued), so of several workers
each row is taken by exactly one. A recipient who heard from the bot in the
last BATCH waits until it has passed, and then gets everything due by then in
one message: nobody gets a string of pings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.delivery.outbox import enqueue
from bot.i18n import t
from bot.interaction import Subject, make
from bot.messages import Action, Message
from bot.nudges import kinds, timing
from bot.nudges.kinds import Said
from bot.nudges.ledger import CANCELLED, PLANNED, QUEUED
from storage.models import Nudge

BATCH = timedelta(minutes=5)
PER_TICK = 500  # recipients per tick; the rest are due at the next one
# Due rows a tick reads to find them: the earliest, in index order. A backlog
# past this many (a worker down for hours) drains over several ticks.
SCAN = PER_TICK * 10
MAX_ACTIONS = 6  # Teams renders at most six actions on a card
# Lines in one message: a long list would be cut by the platform (Teams cards
# hold about 128 such lines) while every nudge in it counted as sent. The rest
# stay planned and come in the next message, after the batch window.
PER_MESSAGE = 15
SNOOZES = ("1h", "4h", "tomorrow")
NUDGE = Subject("nudge")
Recipient = tuple[str, int]


async def due(session: AsyncSession, now: datetime) -> Sequence[Recipient]:
    """Recipients with a nudge due, the longest waiting first: the earliest due
    rows, read in the order of the (state, send_at) index and cut at SCAN, then
    grouped. The cut keeps the tick's cost to what it sends, whatever the backlog,
    and keeps PostgreSQL from planning for the history instead: it estimates
    "planned and due" from two columns' separate statistics (about a tenth of
    the table), and for that many rows takes a parallel scan, a few ms even with
    nothing due (bench/scheduler_tick.py)."""
    earliest = (
        select(Nudge.recipient_kind, Nudge.recipient_id, Nudge.send_at)
        .where(Nudge.state == PLANNED, Nudge.send_at <= now)  # type: ignore[operator]
        .order_by(Nudge.send_at)  # type: ignore[arg-type]
        .limit(SCAN)
        .subquery()
    )
    result = await session.exec(
        select(earliest.c.recipient_kind, earliest.c.recipient_id)
        .group_by(earliest.c.recipient_kind, earliest.c.recipient_id)
        .order_by(func.min(earliest.c.send_at))
        .limit(PER_TICK)
    )
    return [tuple(row) for row in result.all()]


async def next_at(session: AsyncSession) -> datetime | None:
    """When the next planned nudge is due."""
    return (await session.exec(select(func.min(Nudge.send_at)).where(Nudge.state == PLANNED))).one()


async def send(ctx: Ctx, recipient: Recipient) -> None:
    kind, recipient_id = recipient
    if (last := await _last_heard(ctx, kind, recipient_id)) is not None and ctx.now - last < BATCH:
        await _hold_until(ctx, kind, recipient_id, last + BATCH)
        return
    claimed = await _claim(ctx, kind, recipient_id)
    if not claimed:
        return  # another worker took them
    more = await _still_due(ctx, kind, recipient_id)
    reader = await timing.reader(ctx, kind, recipient_id)
    said: list[tuple[Nudge, Said]] = []
    for nudge in claimed:
        nudge_kind = kinds.named(nudge.kind)
        words = await nudge_kind.describe(ctx, nudge, reader) if nudge_kind else None
        if words is None:
            # Acted on, closed or moved on since it was planned: it never went out.
            nudge.state, nudge.queued_at = CANCELLED, None
        else:
            said.append((nudge, words))
            if not words.snooze:  # sent once, never again: a snooze of its message leaves it out
                nudge.data = {**nudge.data, "once": True}
        ctx.session.add(nudge)
    if not said:
        return
    row = enqueue(ctx.session, recipient_kind=kind, recipient_id=recipient_id, now=ctx.now,
                  message=compose(said, reader.locale, more))
    await ctx.session.flush()
    for nudge, _words in said:
        nudge.outbox_id = row.id


def compose(said: list[tuple[Nudge, Said]], locale: str, more: int = 0) -> Message:
    """One message for everything due for one reader (`more`: how many wait for the next one)."""
    lines = [words.line for _nudge, words in said]
    snooze = [_snooze(said[0][0].id, span, locale) for span in SNOOZES] if any(w.snooze for _n, w in said) else []
    actions: list[Action] = []
    for _nudge, words in said:
        actions += [action for action in words.actions if action not in actions]
    actions = actions[: MAX_ACTIONS - len(snooze)] + snooze
    if len(lines) == 1 and not more:
        return Message(text=lines[0], actions=actions)
    text = "\n".join(f"• {line}" for line in lines)
    if more:
        text += "\n" + t(locale, "nudge.more", count=more, minutes=int(BATCH.total_seconds() // 60))
    return Message(title=t(locale, "nudge.many", count=len(lines) + more), text=text, actions=actions)


def _snooze(nudge_id: int, span: str, locale: str) -> Action:
    return Action(id="nudge.snooze", label=t(locale, f"nudge.snooze.{span}"), value=make("nudge.snooze", NUDGE, nudge_id, span))


async def _last_heard(ctx: Ctx, kind: str, recipient_id: int) -> datetime | None:
    return (await ctx.session.exec(
        select(func.max(Nudge.queued_at)).where(Nudge.recipient_kind == kind, Nudge.recipient_id == recipient_id)
    )).one()


async def _hold_until(ctx: Ctx, kind: str, recipient_id: int, moment: datetime) -> None:
    """What is due for someone who just heard from us waits, in the ledger, for the
    end of the batch window: then it all goes out together."""
    await ctx.session.exec(  # type: ignore[call-overload]
        update(Nudge)
        .where(*_due_for(kind, recipient_id, ctx.now))
        .values(send_at=moment)
        .execution_options(synchronize_session=False)
    )


def _due_for(kind: str, recipient_id: int, now: datetime):  # noqa: ANN202
    return (Nudge.recipient_kind == kind, Nudge.recipient_id == recipient_id, Nudge.state == PLANNED,
            Nudge.send_at <= now)  # type: ignore[operator]


async def _still_due(ctx: Ctx, kind: str, recipient_id: int) -> int:
    return (await ctx.session.exec(select(func.count()).where(*_due_for(kind, recipient_id, ctx.now)))).one()


async def _claim(ctx: Ctx, kind: str, recipient_id: int) -> list[Nudge]:
    """The recipient's earliest due nudges, up to a message's worth: read first,
    then taken by id with the state checked again, so of two workers one gets each row."""
    first = (await ctx.session.exec(
        select(Nudge.id).where(*_due_for(kind, recipient_id, ctx.now))
        .order_by(Nudge.send_at, Nudge.id).limit(PER_MESSAGE)  # type: ignore[arg-type]
    )).all()
    if not first:
        return []
    result = await ctx.session.exec(  # type: ignore[call-overload]
        update(Nudge)
        # `state || ''`: checked on each row, never an index to scan (SQLite would
        # otherwise walk every planned row rather than look up these few ids).
        .where(Nudge.id.in_(list(first)), (Nudge.state + "") == PLANNED)  # type: ignore[union-attr]
        .values(state=QUEUED, queued_at=ctx.now)
        .returning(Nudge.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(row[0] for row in result.all())
    if not ids:
        return []
    rows = await ctx.session.exec(
        select(Nudge).where(Nudge.id.in_(ids)).order_by(Nudge.send_at, Nudge.id)  # type: ignore[union-attr]
        .execution_options(populate_existing=True)
    )
    return list(rows.all())
