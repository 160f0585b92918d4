from sqlmodel import select

from storage.models import Person


async def test_person_roundtrip(sessions, clock):
    async with sessions() as session:
        session.add(Person(email="ana@example.com", name="Ana", created_at=clock.now()))
        await session.commit()
    async with sessions() as session:
        person = (await session.exec(select(Person))).one()
        assert person.email == "ana@example.com"
        assert person.created_at == clock.now()
