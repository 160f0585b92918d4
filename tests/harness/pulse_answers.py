"""Pulses, rounds and mixed answers written straight to the tables, for results tests.

Answers are written as the mixer leaves them: one row per respondent and
question, a random id, a receipt hash per respondent, the respondent's team.
A closed round's answers are then tallied, as closing a round does
(bot.pulses.closing); `tallied=False` leaves it as a round closed before
tallies were kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.pulses import tally
from bot.pulses.states import CLOSED, ENPS, SCALE
from storage.models import Person, Pulse, PulseAnswer, PulseParticipation, PulseRound, Team

QUESTIONS = [
    {"kind": SCALE, "text": "¿Cómo valoras el servicio de Sistemas este mes?"},
    {"kind": ENPS, "text": "¿Recomendarías Sistemas a un compañero?"},
]
# One respondent: their team's slug (None: no team) and what they said per
# question index (COMMENT for the free comment): a score, or a text.
Respondent = tuple[str | None, dict[int, Any]]


async def team_id(sessions, slug: str | None) -> int | None:  # noqa: ANN001
    if slug is None:
        return None
    async with sessions() as session:
        return (await session.exec(select(Team.id).where(Team.slug == slug))).one()


async def make_hr(sessions, person: Person) -> None:  # noqa: ANN001
    async with sessions() as session, session.begin():
        stored = await session.get(Person, person.id)
        stored.hr = True
    person.hr = True


async def make_pulse(sessions, creator: Person, subject: str | None = "sistemas", *,  # noqa: ANN001
                     questions: Sequence[dict] = QUESTIONS, min_answers: int = 5, comment: bool = True) -> Pulse:
    async with sessions() as session, session.begin():
        pulse = Pulse(created_by_id=creator.id, subject_team_id=await team_id(sessions, subject),
                      questions=list(questions), comment=comment, min_answers=min_answers,
                      audience={"everyone": True}, schedule={"kind": "monthly"})
        session.add(pulse)
    return pulse


async def make_round(sessions, pulse: Pulse, number: int, closes_at: datetime, *,  # noqa: ANN001
                     state: str = CLOSED, audience: int = 20, team_answer: str | None = None) -> PulseRound:
    async with sessions() as session, session.begin():
        round_ = PulseRound(pulse_id=pulse.id, number=number, on_date=(closes_at - timedelta(days=3)).date(),
                            questions=list(pulse.questions), comment=pulse.comment,
                            opens_at=closes_at - timedelta(days=3), closes_at=closes_at, state=state,
                            audience_size=audience, team_answer=team_answer,
                            closed_at=closes_at if state == CLOSED else None)
        session.add(round_)
    return round_


async def answer(sessions, round_: PulseRound, respondents: Sequence[Respondent], *,  # noqa: ANN001
                 tallied: bool = True) -> None:
    teams = {slug: await team_id(sessions, slug) for slug, _ in respondents}
    async with sessions() as session, session.begin():
        for slug, said in respondents:
            receipt = secrets.token_hex(16)
            for question, value in said.items():
                text = value if isinstance(value, str) else None
                score = None if text is not None else value
                session.add(PulseAnswer(id=secrets.token_hex(12), round_id=round_.id, question=question,
                                        score=score, text=text, team_id=teams[slug], receipt_hash=receipt))
        if tallied and round_.state == CLOSED:
            await session.flush()
            await tally.record(session, round_.id)


def scale(*scores: int, team: str | None = "ventas") -> list[Respondent]:
    """Respondents who answered only the first (scale) question."""
    return [(team, {0: s}) for s in scores]


async def participate(sessions, round_: PulseRound, people: Sequence[Person], answered: int) -> None:  # noqa: ANN001
    async with sessions() as session, session.begin():
        for i, person in enumerate(people):
            session.add(PulseParticipation(round_id=round_.id, person_id=person.id, state="sent",
                                           answered=i < answered))

