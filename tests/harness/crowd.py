"""A crowd written straight to the database, for benchmarks and fault tests:
many people with a Slack account each, a team around the clock that holds
them all, and a pulse to everyone due now, as `/pulso nuevo` would leave it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import col, select

from bot.pulses.states import SCALE
from storage.models import Membership, Person, PlatformAccount, Pulse, Team

INSERT_ROWS = 2_000  # rows inserted per statement
DOMAIN = "@crowd.example"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def slack_user(n: int) -> str:
    return f"U{n:08d}"


async def add_people(sessions, count: int, now: datetime) -> list[int]:  # noqa: ANN001
    """`count` people, the n-th with the Slack account slack_user(n); their ids, in that order."""
    async with sessions() as session:
        connection = await session.connection()
        for start in range(0, count, INSERT_ROWS):
            await connection.execute(insert(Person), [
                dict(email=f"persona{n:08d}{DOMAIN}", name=f"Persona {n}", locale="es", timezone="Europe/Madrid",
                     created_at=now, profile_complete=True, field_sources={})
                for n in range(start, min(start + INSERT_ROWS, count))
            ])
        people = list((await session.exec(
            select(Person.id).where(col(Person.email).endswith(DOMAIN)).order_by(Person.email))).all())
        for start in range(0, count, INSERT_ROWS):
            await connection.execute(insert(PlatformAccount), [
                dict(platform="slack", workspace="", external_id=slack_user(n), person_id=people[n])
                for n in range(start, min(start + INSERT_ROWS, count))
            ])
        await session.commit()
    return people


async def add_team(sessions, people: list[int], slug: str = "todos") -> int:  # noqa: ANN001
    """Everyone in one team that works around the clock (a run may come at any
    hour, and nobody is asked outside their working hours); its id."""
    async with sessions() as session, session.begin():
        team = Team(slug=slug, name=slug.capitalize(), timezone="Europe/Madrid",
                    business_hours={day: ["00:00", "23:59"] for day in DAYS})
        session.add(team)
        await session.flush()
        connection = await session.connection()
        for start in range(0, len(people), INSERT_ROWS):
            await connection.execute(insert(Membership), [
                dict(person_id=person_id, team_id=team.id, role="member") for person_id in people[start:start + INSERT_ROWS]])
        assert team.id is not None
        return team.id


async def add_pulse(sessions, creator_id: int, now: datetime, audience_team: int | None = None) -> int:  # noqa: ANN001
    """A one-question pulse due now, to everyone or to one team's members; its id."""
    async with sessions() as session, session.begin():
        await session.exec(update(Person).where(col(Person.id) == creator_id).values(hr=True))  # type: ignore[call-overload]
        local = now.astimezone(ZoneInfo("Europe/Madrid"))
        audience = {"everyone": audience_team is None, "teams": [audience_team] if audience_team is not None else [], "people": []}
        pulse = Pulse(created_by_id=creator_id, questions=[{"kind": SCALE, "text": "¿Cómo valoras el servicio de Sistemas?"}],
                      audience=audience,
                      schedule={"kind": "once", "start": local.date().isoformat(), "time": local.strftime("%H:%M")},
                      next_round_on=local.date(), next_open_at=now, created_at=now, remind_after_days=None)
        session.add(pulse)
        await session.flush()
        assert pulse.id is not None
        return pulse.id
