"""Answering a round: one click per answer, a receipt to change it, and
participation recorded apart from what was said (bot.pulses.ballots)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Ctx
from bot.errors import UserError
from bot.interaction import INVALID, Interaction
from bot.pulses import ballots, service
from bot.pulses.messaging import Asked
from bot.pulses.states import COMMENT, OPEN, SCORES, TEXT
from bot.teams import service as teams
from storage.models import Person, Pulse, PulseParticipation, PulseRound


@dataclass(frozen=True)
class Click:
    """What a pulse button carries: the question, the answer, the receipt if one was minted."""

    question: int
    score: int | None
    receipt: str | None


def read_click(i: Interaction) -> Click:
    """ "0:4:<receipt>", "1::<receipt>", "0:4:"; anything else was not made by Pedir."""
    parts = (i.arg or "").split(":")
    if len(parts) != 3 or not parts[0].isdecimal() or (parts[1] and not parts[1].isdecimal()):
        raise UserError(INVALID)
    return Click(int(parts[0]), int(parts[1]) if parts[1] else None, parts[2] or None)


async def asked(session: AsyncSession, rnd: PulseRound) -> Asked:
    """The round with what its messages show: the pulse, the team, the team's last answer."""
    pulse = await service.require(session, rnd.pulse_id)
    subject = (await teams.get(session, pulse.subject_team_id)).name if pulse.subject_team_id else None
    previous = await service.round_number(session, pulse.id, rnd.number - 1) if rnd.number > 1 else None
    return Asked(pulse, rnd, subject, previous.team_answer if previous else None)


def is_open(rnd: PulseRound, ctx: Ctx) -> bool:
    return rnd.state == OPEN and rnd.closes_at is not None and ctx.now < rnd.closes_at


def check_answer(rnd: PulseRound, click: Click, text: str | None = None) -> None:
    """The question exists and the answer fits it: a scale's 1–5, an eNPS' 0–10, words for text."""
    if click.question == COMMENT:
        if not rnd.comment or text is None:
            raise UserError(INVALID)
        return
    if click.question >= len(rnd.questions):
        raise UserError(INVALID)
    kind = rnd.questions[click.question]["kind"]
    if kind == TEXT:
        if text is None:
            raise UserError(INVALID)
    elif click.score is None or click.score not in SCORES[kind]:
        raise UserError(INVALID)


async def record(ctx: Ctx, person: Person, rnd: PulseRound, pulse: Pulse, click: Click, value: int | str) -> str:
    """Stages the answer in the ballot box; the receipt that holds it (minted on a first answer)."""
    participation = (await ctx.session.exec(select(PulseParticipation).where(
        PulseParticipation.round_id == rnd.id, PulseParticipation.person_id == person.id))).first()
    if participation is None:
        raise UserError("pulse.not_asked")
    receipt = click.receipt
    if receipt is None:
        receipt = await _first_answer(ctx.session, participation, pulse)
    elif not participation.answered:
        raise UserError(INVALID)  # a receipt Pedir never gave this person
    person_teams = await teams.teams_of(ctx.session, person.id)
    team_id = person_teams[0].id if person_teams else None
    await ballots.cast(ctx.session, rnd.id, receipt, {str(click.question): value}, team_id)
    return receipt


async def _first_answer(session: AsyncSession, participation: PulseParticipation, pulse: Pulse) -> str:
    """Marks the person as having answered, once: of two clicks at the same time, one mints a receipt."""
    receipt = ballots.new_receipt()
    values: dict[str, object] = {"answered": True, "remind_at": None}
    if not pulse.anonymous:  # the creator said answers carry names, and the recipient was told
        values["receipt_hash"] = ballots.receipt_hash(receipt)
    result = await session.exec(update(PulseParticipation).where(  # type: ignore[call-overload]
        PulseParticipation.id == participation.id, PulseParticipation.answered.is_(False),  # type: ignore[attr-defined]
    ).values(**values))
    if result.rowcount != 1:
        raise UserError("pulse.already_answered")
    return receipt
