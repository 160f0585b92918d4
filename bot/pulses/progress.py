"""A round as it goes out: participations follow their outbox rows (sent, or
unreachable and why), and the creator watches one message updated in place."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from babel.numbers import format_decimal
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.delivery.outbox import PERSON, enqueue_latest
from bot.i18n import normalize_locale, t
from bot.messages import Message
from bot.pulses import service
from bot.pulses.states import OPEN, PLANNED, QUEUED, SENT, UNREACHABLE, display_id
from storage.models import Outbox, Person, Pulse, PulseParticipation, PulseRound

SCAN = 5000  # queued rows settled per round and tick
LISTED = 20  # unreachable people named on the message; the rest are counted
# Why the outbox could not deliver, as its last error starts (bot.delivery.routing, the channels).
_REASONS = (("no connected platform", "no_account"), ("not reachable on Teams", "teams_not_installed"),
            ("slack:", "slack_refused"))


def card_key(round_id: int) -> str:
    return f"pulse-progress:{round_id}"


async def due(session: AsyncSession, _now: datetime) -> list[int]:
    """Rounds with messages in the outbox, and open rounds whose creator has not heard yet."""
    queued = set((await session.exec(
        select(PulseParticipation.round_id).where(PulseParticipation.state == QUEUED).distinct())).all())
    for rnd in (await session.exec(select(PulseRound).where(PulseRound.state == OPEN))).all():
        if rnd.id not in queued and not await _reported(session, rnd.id):
            queued.add(rnd.id)
    return sorted(queued)


async def settle(ctx: Ctx, round_id: int) -> None:
    """Queued participations whose message the outbox has settled become sent or unreachable."""
    rows = (await ctx.session.exec(
        select(PulseParticipation.id, Outbox.status, Outbox.last_error)
        .join(Outbox, col(Outbox.id) == PulseParticipation.outbox_id)
        .where(PulseParticipation.round_id == round_id, PulseParticipation.state == QUEUED)
        .limit(SCAN)
    )).all()
    changes = []
    for participation_id, status, last_error in rows:
        if status == "sent":
            changes.append({"id": participation_id, "state": SENT})
        elif status in ("unreachable", "failed"):
            changes.append({"id": participation_id, "state": UNREACHABLE, "remind_at": None,
                            "reason": reason_of(status, last_error)})
    if changes:
        await ctx.session.exec(update(PulseParticipation), params=changes)  # type: ignore[call-overload]
    rnd = await service.require_round(ctx.session, round_id)
    if changes or not await _reported(ctx.session, round_id):
        await report(ctx, rnd, await service.require(ctx.session, rnd.pulse_id))


def reason_of(status: str, last_error: str | None) -> str:
    if status == "unreachable":
        return next((reason for prefix, reason in _REASONS if (last_error or "").startswith(prefix)), "failed")
    return "failed"


async def report(ctx: Ctx, rnd: PulseRound, pulse: Pulse) -> None:
    """The creator's progress message, replaced in place as the round goes out."""
    creator = await ctx.session.get(Person, pulse.created_by_id)
    if creator is None:
        return
    counts = Counter(dict((await ctx.session.exec(
        select(PulseParticipation.state, func.count()).where(PulseParticipation.round_id == rnd.id)
        .group_by(PulseParticipation.state))).all()))
    loc = normalize_locale(creator.locale or ctx.default_locale)
    number = lambda n: format_decimal(n, locale=loc)  # noqa: E731
    lines = [t(loc, "pulse.progress.line", sent=number(counts[SENT]), total=number(rnd.audience_size),
               unreachable=number(counts[UNREACHABLE]))]
    if waiting := counts[PLANNED] + counts[QUEUED]:
        lines.append(t(loc, "pulse.progress.waiting", count=number(waiting)))
    else:
        lines.append(t(loc, "pulse.progress.done"))
    if counts[UNREACHABLE]:
        lines += await _unreachable(ctx.session, rnd.id, loc, counts[UNREACHABLE])
    message = Message(title=t(loc, "pulse.progress.title", ref=display_id(pulse.id), number=rnd.number),
                      text="\n".join(lines))
    await enqueue_latest(ctx.session, recipient_kind=PERSON, recipient_id=creator.id, now=ctx.now,
                         card_key=card_key(rnd.id), message=message)


async def _unreachable(session: AsyncSession, round_id: int, locale: str, count: int) -> list[str]:
    """Who Pedir could not reach, grouped by why, each group with what would fix it."""
    rows = (await session.exec(
        select(PulseParticipation.reason, Person.name).join(Person, col(Person.id) == PulseParticipation.person_id)
        .where(PulseParticipation.round_id == round_id, PulseParticipation.state == UNREACHABLE)
        .order_by(PulseParticipation.reason, Person.name).limit(LISTED)
    )).all()
    by_reason: dict[str, list[str]] = {}
    for reason, name in rows:
        by_reason.setdefault(reason or "failed", []).append(name)
    lines = [""]
    for reason, names in by_reason.items():
        lines.append(t(locale, f"pulse.unreachable.{reason}", names=", ".join(names)))
    if count > len(rows):
        lines.append(t(locale, "pulse.unreachable.more", count=count - len(rows)))
    return lines


async def _reported(session: AsyncSession, round_id: int) -> bool:
    return (await session.exec(select(Outbox.id).where(Outbox.card_key == card_key(round_id)).limit(1))).first() \
        is not None
