"""/pulso resultados P-3 [ronda 2]: a round's results, as bot.pulses.results lets them show.

Who may read is checked here (HR, or the lead of the team the pulse asks
about); what shows does not depend on who reads: the threshold holds for HR too.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.i18n import t
from bot.messages import Message, Reply
from bot.pulses import access, figures, results, results_text, service
from bot.pulses.states import display_id
from storage.models import Pulse, PulseRound, Team


async def show_results(ctx: Ctx, caller: Caller, pulse_id: int, round_number: int | None) -> Reply:
    session = ctx.session
    pulse = await service.require(session, pulse_id)
    await access.require_results_reader(session, caller.person, pulse)
    round_ = await _round(session, pulse, round_number)
    if round_ is None:
        return Reply.text(t(caller.locale, "pulse.results.no_rounds", pulse=display_id(pulse_id)))
    return Reply(message=await results_message(session, pulse, round_, caller.locale, ctx.now, tz=caller.timezone))


async def results_message(session: AsyncSession, pulse: Pulse, round_: PulseRound, locale: str, now: datetime,
                          *, tz: str | None = None) -> Message:
    """The results of a round as one person reads them (the closing job sends this too).

    `now` is the moment of reading: the message is built from what is stored
    then; `tz` the reader's time zone (default: the pulse's).
    """
    found = await results.round_results(session, pulse, round_)
    subject: Team | None = None
    team_figures = None
    if found.shown and pulse.subject_team_id is not None:
        subject = await session.get(Team, pulse.subject_team_id)
        team_figures = await figures.team_figures(session, pulse.subject_team_id, round_)
    return results_text.render(found, locale, tz or pulse.timezone,
                               subject_name=subject.name if subject else None, figures=team_figures)


async def _round(session: AsyncSession, pulse: Pulse, number: int | None) -> PulseRound | None:
    """The round asked for; by default the latest closed one, or the open one (its count) if none closed yet."""
    if number is None:
        return await results.latest_closed(session, pulse.id) or await results.latest(session, pulse.id)  # type: ignore[arg-type]
    found = await service.round_number(session, pulse.id, number)  # type: ignore[arg-type]
    if found is None:
        last = await results.latest(session, pulse.id)  # type: ignore[arg-type]
        if last is None:
            raise UserError("pulse.results.no_rounds", pulse=display_id(pulse.id))  # type: ignore[arg-type]
        raise UserError("pulse.results.no_round", pulse=display_id(pulse.id), number=number, last=last.number)  # type: ignore[arg-type]
    return found
