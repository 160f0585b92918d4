"""The lists behind the pulses page's numbers: a pulse's rounds (each with its
participation and figures), and one round's answers (per question, how many
gave each score, or the texts; the comments; the teams' figures).

Everything comes from bot.pulses.results, as on the pulses page: nothing of a
round shows while it is open or under its threshold, a question under the
threshold shows only its count, a hidden group only its name. Who answered is
never listed: participation is kept apart from the answers so that nobody can
join one to the other, and a list of respondents next to their answers would.
Who may read a pulse is bot.pulses.access's rule (HR, the subject team's lead).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.pulses import access, results
from bot.pulses.results import QuestionResult, RoundResults
from bot.pulses.scores import NUMERIC
from storage.models import Person, Pulse, PulseRound, Team

ROUNDS = 100  # a page of rounds: over eight years of monthly ones


@dataclass(frozen=True)
class RoundRow:
    results: RoundResults
    figures: list[QuestionResult | None]  # one per column; None: the round did not ask it


@dataclass(frozen=True)
class PulseRounds:
    pulse: Pulse
    subject: Team | None
    columns: list[tuple[int, str]]  # the pulse's numeric questions: (index, text)
    rounds: list[RoundRow]  # newest first


async def readable_pulse(session: AsyncSession, person: Person, pulse_id: int) -> Pulse | None:
    pulse = await session.get(Pulse, pulse_id)
    if pulse is None or not await access.may_read_results(session, person, pulse):
        return None
    return pulse


async def pulse_rounds(session: AsyncSession, person: Person, pulse_id: int) -> PulseRounds | None:
    pulse = await readable_pulse(session, person, pulse_id)
    if pulse is None:
        return None
    found = (await session.exec(select(PulseRound).where(PulseRound.pulse_id == pulse.id)
                                .order_by(col(PulseRound.number).desc()).limit(ROUNDS))).all()
    subject = await session.get(Team, pulse.subject_team_id) if pulse.subject_team_id else None
    columns = [(i, q.get("text", "")) for i, q in enumerate(pulse.questions) if q.get("kind") in NUMERIC]
    rows = []
    for round_ in found:
        shown = await results.round_results(session, pulse, round_, trend_rounds=1)
        asked = {q.index: q for q in shown.questions}
        kinds = {i: pulse.questions[i].get("kind") for i, _text in columns}
        rows.append(RoundRow(shown, [asked[i] if i in asked and asked[i].kind == kinds[i] else None
                                     for i, _text in columns]))
    return PulseRounds(pulse, subject, columns, rows)


async def round_answers(session: AsyncSession, person: Person, pulse_id: int, number: int) -> RoundResults | None:
    """One round under the rules (None: no such round, or not the reader's to read)."""
    pulse = await readable_pulse(session, person, pulse_id)
    if pulse is None:
        return None
    round_ = (await session.exec(select(PulseRound).where(PulseRound.pulse_id == pulse.id,
                                                          PulseRound.number == number))).first()
    return None if round_ is None else await results.round_results(session, pulse, round_, trend_rounds=1)
