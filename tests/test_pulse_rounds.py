"""Opening pulse rounds: the `pulses.open` job.

Demo organisation: Soporte is Javier (lead), Lucía and Carlos (Mexico City,
on Teams only); Soporte works Monday to Saturday. Ventas is Elena (lead) and
James, Monday to Friday. Raquel (RRHH's lead) is HR. The pulses here ask
Soporte and Ventas, five people.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

from sqlalchemy import delete, func, insert
from sqlmodel import select

from bot.app import Pedir
from bot.config import Settings
from bot.interaction import NOTHING, make
from bot.pulses import rounds
from storage.engine import create_engine, session_factory
from storage.models import (Membership, Outbox, Person, PlatformAccount, Pulse, PulseParticipation, PulseRound,
                            Team)
from tests.harness.support import chat_messages, slow_down

UTC = timezone.utc
NEW = make("pulse.new", NOTHING)
FORM = {"q1_text": "¿Cómo valoras el servicio de Sistemas?", "subject": "sistemas", "audience": "@soporte @ventas",
        "schedule": "once", "start": "2026-11-26", "time": "10:00"}
OPENS = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # Thursday 26 at 10:00 somewhere, first (UTC+14)


def job(app: Pedir):  # noqa: ANN201
    return next(j for j in app.registry.jobs if j.name == "pulses.open")


async def new_pulse(app: Pedir, folk, **changes: str) -> None:  # noqa: ANN001
    reply = await app.submit(folk["raquel.dominguez"], "pulse.new", NEW, {**FORM, **changes})
    assert not reply.errors and not reply.refused, reply


async def open_at(app: Pedir, clock, moment: datetime) -> None:  # noqa: ANN001
    clock.set(moment)
    report = await app.run_job(job(app))
    assert report.failed == 0


async def state(sessions) -> tuple[Pulse, list[PulseRound], dict[str, PulseParticipation]]:  # noqa: ANN001
    async with sessions() as session:
        pulse = (await session.exec(select(Pulse))).one()
        found = list((await session.exec(select(PulseRound).order_by(PulseRound.number))).all())
        rows = (await session.exec(select(Person.email, PulseParticipation)
                                   .join(Person, Person.id == PulseParticipation.person_id))).all()
    return pulse, found, {email.split("@")[0]: row for email, row in rows}


async def test_a_round_opens_with_each_recipient_planned_at_their_own_ten_oclock(app, folk, sessions, clock):
    await new_pulse(app, folk)
    await open_at(app, clock, datetime(2026, 11, 25, 19, 59, tzinfo=UTC))
    assert (await state(sessions))[1] == []  # not yet: nowhere is it the 26th at 10:00
    await open_at(app, clock, OPENS)
    pulse, [found], people = await state(sessions)
    assert (found.number, found.on_date, found.state, found.audience_size) == (1, date(2026, 11, 26), "open", 5)
    assert found.questions == [{"kind": "scale", "text": FORM["q1_text"]}] and found.comment is True
    assert set(people) == {"javier.martin", "lucia.hernandez", "carlos.navarro", "elena.torres", "james.whitaker"}
    assert {p.state for p in people.values()} == {"planned"}
    madrid = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert people["elena.torres"].send_at == madrid and people["lucia.hernandez"].send_at == madrid
    assert people["carlos.navarro"].send_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
    # Two business days later: Elena's are Fri 27, Mon 30; Carlos's (Soporte opens Saturdays) Fri 27, Sat 28.
    assert people["elena.torres"].remind_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert people["carlos.navarro"].remind_at == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    # The window closes three business days after the last recipient's moment, in their calendar:
    # Carlos's ends Monday 30 at 10:00 Mexico time, Elena's Tuesday 1 December at 10:00 Madrid time.
    assert found.opens_at == madrid and found.closes_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert (pulse.state, pulse.rounds, pulse.next_open_at) == ("finished", 1, None)
    await open_at(app, clock, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert len((await state(sessions))[1]) == 1


async def test_a_weekly_pulse_moves_on_to_its_next_date(app, folk, sessions, clock):
    await new_pulse(app, folk, schedule="weekly")
    await open_at(app, clock, OPENS)
    pulse, [found], _ = await state(sessions)
    assert (pulse.state, pulse.rounds, pulse.next_round_on) == ("active", 1, date(2026, 12, 3))
    assert pulse.next_open_at == datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    # A worker down for two weeks opens the round that was due once, then looks ahead.
    await open_at(app, clock, datetime(2026, 12, 17, 12, 0, tzinfo=UTC))
    pulse, found, people = await state(sessions)
    assert [r.on_date for r in found] == [date(2026, 11, 26), date(2026, 12, 3)]
    assert pulse.next_round_on == date(2026, 12, 24)
    # Its people were due long ago: each gets it at their next working moment from now, not at night.
    late = [p for p in people.values() if p.round_id == found[1].id]
    assert min(p.send_at for p in late) >= datetime(2026, 12, 17, 12, 0, tzinfo=UTC)


async def test_the_audience_is_who_is_in_its_teams_on_the_day(app, folk, sessions, clock):
    await new_pulse(app, folk)
    async with sessions() as session, session.begin():
        ventas = (await session.exec(select(Team).where(Team.slug == "ventas"))).one()
        session.add(Membership(person_id=folk["ana.garcia"].id, team_id=ventas.id))
        await session.exec(delete(Membership).where(Membership.person_id == folk["james.whitaker"].id))
    await open_at(app, clock, OPENS)
    _, [found], people = await state(sessions)
    assert "ana.garcia" in people and "james.whitaker" not in people and found.audience_size == 5


class SlackOnly:
    """A platform that reaches only people with a Slack account."""

    platform = "slack"

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        return next((a.external_id for a in accounts if a.platform == "slack"), None)


async def test_people_no_platform_reaches_are_recorded_as_unreachable(app, folk, sessions, clock):
    await new_pulse(app, folk)
    slack_only = Pedir(sessions, Settings(), clock, channels=[SlackOnly()])
    await open_at(slack_only, clock, OPENS)
    _, [found], people = await state(sessions)
    carlos = people["carlos.navarro"]  # on Teams only
    assert (carlos.state, carlos.reason, carlos.send_at, carlos.remind_at) == ("unreachable", "no_account", None, None)
    assert {p.state for name, p in people.items() if name != "carlos.navarro"} == {"planned"}
    assert found.audience_size == 5


async def test_without_known_platforms_any_chat_account_counts(app, folk, sessions, clock):
    await new_pulse(app, folk)
    async with sessions() as session, session.begin():
        await session.exec(delete(PlatformAccount).where(PlatformAccount.person_id == folk["james.whitaker"].id))
    await open_at(app, clock, OPENS)
    _, _, people = await state(sessions)
    assert people["james.whitaker"].state == "unreachable" and people["carlos.navarro"].state == "planned"


async def test_an_audience_empty_on_the_day_opens_no_round_and_tells_the_creator_once(app, folk, sessions, clock):
    await new_pulse(app, folk, audience="@legal", schedule="weekly")
    async with sessions() as session, session.begin():
        legal = (await session.exec(select(Team).where(Team.slug == "legal"))).one()
        await session.exec(delete(Membership).where(Membership.team_id == legal.id))
    await open_at(app, clock, OPENS)
    await open_at(app, clock, datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    pulse, found, _ = await state(sessions)
    assert found == [] and pulse.rounds == 0 and pulse.next_round_on == date(2026, 12, 3)
    async with sessions() as session:
        told = (await session.exec(select(Outbox).where(Outbox.recipient_id == folk["raquel.dominguez"].id,
                                                         chat_messages()))).all()
    assert [row.payload["text"] for row in told] == [
        "El pulso P-1 no ha salido el 26 nov 2026: no hay nadie en su público. Revisa a quién pregunta con /pulso ver P-1."]


async def test_a_paused_pulse_opens_nothing_and_cancelling_drops_what_was_not_sent(app, folk, sessions, clock):
    raquel = folk["raquel.dominguez"]
    await new_pulse(app, folk, schedule="weekly")
    await app.command(raquel, "/pulso", "pausar P-1")
    await open_at(app, clock, OPENS)
    assert (await state(sessions))[1] == []
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    await app.command(raquel, "/pulso", "reanudar P-1")
    await open_at(app, clock, OPENS)
    _, [found], people = await state(sessions)
    async with sessions() as session, session.begin():  # one went out already (the fan-out's part)
        row = await session.get(PulseParticipation, people["elena.torres"].id)
        row.state = "sent"
        session.add(row)
    cancelled = await app.command(raquel, "/pulso", "cancelar P-1")
    assert "4 invitaciones de la ronda abierta ya no se enviarán" in cancelled.message.text
    pulse, _, people = await state(sessions)
    assert pulse.state == "cancelled"
    assert sorted(p.state for p in people.values()) == ["dropped"] * 4 + ["sent"]
    assert all(p.remind_at is None for p in people.values() if p.state == "dropped")


async def test_a_round_for_everyone_is_opened_in_bulk(app, folk, sessions, clock):
    async with sessions() as session, session.begin():
        await (await session.connection()).execute(insert(Person), [
            dict(email=f"p{n}@example.com", name=f"Persona {n}", timezone=("Asia/Tokyo", "Europe/Madrid")[n % 2],
                 profile_complete=True, field_sources={}, hr=False) for n in range(600)])
        ids = (await session.exec(select(Person.id).where(Person.email.startswith("p")))).all()
        await (await session.connection()).execute(insert(PlatformAccount), [
            dict(platform="slack", workspace="", external_id=f"U{n}", person_id=n) for n in ids])
    await new_pulse(app, folk, audience="todos")
    await open_at(app, clock, OPENS)
    async with sessions() as session:
        counts = dict((await session.exec(select(PulseParticipation.state, func.count())
                                          .group_by(PulseParticipation.state))).all())
        tokyo = (await session.exec(select(PulseParticipation.send_at).join(Person).where(
            Person.email == "p0@example.com"))).one()
    assert counts == {"planned": 612}
    assert tokyo == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


async def test_two_workers_open_one_round(app, folk, sessions, clock, database_url, backend, monkeypatch):  # noqa: ANN001
    await new_pulse(app, folk, schedule="weekly")
    clock.set(OPENS)
    # A second worker: its own engine on PostgreSQL (row locks); on SQLite the first one's,
    # whose transactions queue (see test_nudges_concurrency for why).
    engine = create_engine(database_url) if backend == "postgresql" else None
    try:
        other = Pedir(session_factory(engine) if engine else sessions, Settings(), clock)
        slow_down(monkeypatch, rounds, "_audience", 0.02)  # both read the pulse before either claims it
        reports = await asyncio.gather(app.run_job(job(app)), other.run_job(job(other)))
    finally:
        if engine is not None:
            await engine.dispose()
    assert [r.failed for r in reports] == [0, 0]
    pulse, found, people = await state(sessions)
    assert [r.number for r in found] == [1] and pulse.rounds == 1 and len(people) == 5
    assert pulse.next_round_on == date(2026, 12, 3)
