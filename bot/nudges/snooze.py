"""Snoozing: "not now" moves a nudge (and the others in its message) to a new
window, 1 h, 4 h or the next working morning later, in working hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.context import Caller, Ctx
from bot.delivery.outbox import PERSON
from bot.errors import UserError
from bot.i18n import format_when, t
from bot.interaction import Interaction
from bot.messages import Reply
from bot.nudges import ledger, timing
from bot.nudges.ledger import Target
from bot.sla.calendar import start_of_next_working_day
from bot.teams import service as teams
from storage.models import Nudge

SPANS = {"1h": timedelta(hours=1), "4h": timedelta(hours=4)}


async def press(ctx: Ctx, caller: Caller, interaction: Interaction) -> Reply:
    first = await ctx.session.get(Nudge, interaction.id)
    if first is None or first.outbox_id is None or interaction.arg not in (*SPANS, "tomorrow"):
        raise UserError("interaction.invalid")
    if not await _may_snooze(ctx, caller, first):
        raise UserError("nudge.not_yours")
    hours = await timing.hours_of(ctx, first.recipient_kind, first.recipient_id)
    until = (ctx.now + SPANS[interaction.arg] if interaction.arg in SPANS
             else start_of_next_working_day(hours, ctx.now))
    # The nudges of one message were queued together: a seek on (recipient, queued_at).
    same_message = await ctx.session.exec(select(Nudge).where(
        Nudge.recipient_kind == first.recipient_kind, Nudge.recipient_id == first.recipient_id,
        Nudge.queued_at == first.queued_at, Nudge.outbox_id == first.outbox_id))
    for nudge in same_message.all():
        if not nudge.data.get("once"):
            await _again(ctx, nudge, until)
    when = format_when(hours.next_open(until), caller.locale, caller.timezone)
    return Reply.text(t(caller.locale, "nudge.snoozed", when=when))


async def _again(ctx: Ctx, nudge: Nudge, until: datetime) -> None:
    """The same nudge in a new window, which carries its count so snoozing it again
    opens the next one; a second press of the same button plans nothing more."""
    snoozes = nudge.snoozes + 1
    await ledger.plan(
        ctx, subject_kind=nudge.subject_kind, subject_id=nudge.subject_id, kind=nudge.kind,
        window=f"{nudge.window_key.split('~')[0]}~{snoozes}", targets=[Target(nudge.recipient_kind, nudge.recipient_id)],
        at=until, data={**nudge.data, "snoozed_from": nudge.id}, snoozes=snoozes,
    )


async def _may_snooze(ctx: Ctx, caller: Caller, nudge: Nudge) -> bool:
    if nudge.recipient_kind == PERSON:
        return nudge.recipient_id == caller.person.id
    return await teams.is_member(ctx.session, caller.person.id, nudge.recipient_id)
