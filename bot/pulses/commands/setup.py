"""/pulso nuevo, lista, ver, pausar, reanudar, cancelar: answered in the caller's language."""

from __future__ import annotations

from sqlmodel import col, select

from bot.commands.replies import listing
from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.i18n import format_day, t
from bot.messages import Reply
from bot.pulses import access, reading, service, setup
from bot.pulses.commands import setup_form
from bot.pulses.states import display_id
from bot.teams import service as teams
from storage.models import Membership, Pulse

LISTED = 50  # the newest; older pulses are a /pulso ver away


async def new_form(ctx: Ctx, caller: Caller) -> Reply:
    return await setup_form.open_form(ctx, caller)


async def list_pulses(ctx: Ctx, caller: Caller) -> Reply:
    """HR sees every pulse; a team's lead, the pulses about their team."""
    loc, me = caller.locale, caller.person
    stmt = select(Pulse).order_by(col(Pulse.id).desc()).limit(LISTED)
    if not me.hr:
        led = select(Membership.team_id).where(Membership.person_id == me.id, Membership.role == teams.LEAD)
        stmt = stmt.where(col(Pulse.subject_team_id).in_(led))
    found = list((await ctx.session.exec(stmt)).all())
    if not found:
        return Reply.text(t(loc, "pulse.setup.list_empty" if me.hr else "pulse.setup.list_none_yours"))
    lines = [await reading.list_line(ctx, pulse, loc) for pulse in found]
    return listing(t(loc, "pulse.setup.list_title", count=len(found)), lines)


async def show(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    """HR, or the lead of the team it asks about: the others' view of it is the question itself."""
    pulse = await service.require(ctx.session, pulse_id)
    if not await access.may_read_results(ctx.session, caller.person, pulse):
        raise UserError("pulse.setup.not_yours", ref=display_id(pulse.id))
    return Reply(message=await reading.card(ctx, caller, pulse))


async def pause(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    pulse = await setup.pause(ctx, caller.person, pulse_id)
    return Reply.text(t(caller.locale, "pulse.setup.paused", ref=display_id(pulse.id)))


async def resume(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    pulse = await setup.resume(ctx, caller.person, pulse_id)
    return Reply.text(t(caller.locale, "pulse.setup.resumed", ref=display_id(pulse.id),
                        day=format_day(pulse.next_round_on, caller.locale)))


async def cancel(ctx: Ctx, caller: Caller, pulse_id: int) -> Reply:
    dropped = await setup.cancel(ctx, caller.person, pulse_id)
    key = "pulse.setup.cancelled_dropped" if dropped else "pulse.setup.cancelled"
    return Reply.text(t(caller.locale, key, ref=display_id(pulse_id), count=dropped))
