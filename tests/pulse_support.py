"""Helpers for pulse tests: a round already opened for some people, and what they were sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.app import Pedir
from bot.messages import Action, Message
from bot.pulses.states import SCALE
from storage.models import Person, Pulse, PulseAnswer, PulseBallot, PulseParticipation, PulseRound, Team
from tests.harness.support import Delivered

RAQUEL = "raquel.dominguez"  # RRHH's lead, marked HR by these tests


async def open_round(
    app: Pedir, creator: Person, audience: list[Person], *,
    questions: list[dict] | None = None, subject: str | None = "sistemas", comment: bool = True,
    anonymous: bool = True, min_answers: int = 3, window: timedelta = timedelta(days=3),
    remind_after: timedelta | None = timedelta(days=2), number: int = 1, pulse_id: int | None = None,
) -> PulseRound:
    """A pulse with its round open now, each person planned for now (as bot.pulses.rounds leaves it)."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        team = (await session.exec(select(Team).where(Team.slug == subject))).first() if subject else None
        if pulse_id is None:
            pulse = Pulse(created_by_id=creator.id, subject_team_id=team.id if team else None,
                          questions=questions or [{"kind": SCALE, "text": "¿Cómo valoras el servicio de Sistemas?"}],
                          comment=comment, audience={"people": [p.id for p in audience]},
                          schedule={"kind": "once"}, anonymous=anonymous, min_answers=min_answers,
                          state="finished", rounds=number, created_at=now)
            session.add(pulse)
            await session.flush()
        else:
            pulse = await session.get(Pulse, pulse_id)
        rnd = PulseRound(pulse_id=pulse.id, number=number, on_date=now.date(), questions=pulse.questions,
                         comment=pulse.comment, opens_at=now, closes_at=now + window, state="open",
                         audience_size=len(audience), created_at=now)
        session.add(rnd)
        await session.flush()
        for person in audience:
            session.add(PulseParticipation(round_id=rnd.id, person_id=person.id, state="planned", send_at=now,
                                           remind_at=now + remind_after if remind_after else None))
        return rnd


async def make_hr(app: Pedir, person: Person) -> Person:
    async with app.sessions() as session, session.begin():
        row = await session.get(Person, person.id)
        row.hr = True
        session.add(row)
    person.hr = True
    return person


def questions_to(calls: list[Delivered], email: str) -> list[Message]:
    return [c.message for c in calls if c.address == f"person:{email}" and c.kind == "send"
            and any(a.id == "pulse.answer" or a.id == "pulse.write" for a in c.message.actions)]


def button(message: Message, label: str, action_id: str | None = None) -> Action:
    return next(a for a in message.actions if a.label == label and (action_id is None or a.id == action_id))


async def rows(app: Pedir, model: type) -> list:
    async with app.sessions() as session:
        return list((await session.exec(select(model))).all())


async def participation(app: Pedir, person: Person) -> PulseParticipation:
    async with app.sessions() as session:
        return (await session.exec(select(PulseParticipation).where(PulseParticipation.person_id == person.id))).one()


async def answers(app: Pedir) -> list[PulseAnswer]:
    return await rows(app, PulseAnswer)


async def ballots(app: Pedir) -> list[PulseBallot]:
    return await rows(app, PulseBallot)


def later(app: Pedir, delta: timedelta) -> datetime:
    app.clock.set(app.clock.now() + delta)
    return app.clock.now()
