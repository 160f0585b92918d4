"""`pedir worker` killed with SIGKILL in the middle of a pulse's fan-out to
2,000 people, then started again: every question is delivered, none is lost,
and any duplicate is one of the messages that were in flight at the kill.
Driven from outside, as an operator would see it: a real worker process, the
Slack Web API stand-in on loopback, and a count of what reached each person.
The figures are printed (pytest -s shows them)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import Pedir
from bot.clock import SystemClock
from bot.config import Settings
from storage.engine import create_engine, session_factory
from storage.models import Outbox, PulseParticipation
from tests.harness.cli import PEDIR, ROOT, cli_env
from tests.harness.crowd import add_people, add_pulse, add_team, slack_user
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.waiting import eventually

pytestmark = pytest.mark.faults

PEOPLE = 2000
QUESTION = "Cómo valoras el servicio de Sistemas"
LEASE_SECONDS = 6  # a dead worker's sends are taken up again this soon


def questions_to_each(fake: FakeSlackAPI) -> Counter:
    """How many questions each person of the crowd received: person index -> count."""
    return Counter({n: sum(QUESTION in str(message) for message in fake.messages_in(FakeSlackAPI.dm_channel(slack_user(n))))
                    for n in range(PEOPLE)})


def worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([*PEDIR, "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


async def test_a_worker_killed_mid_fan_out_loses_no_question_and_repeats_none_but_those_in_flight(
        database_url, fake_slack):  # noqa: ANN001, F811
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    clock = SystemClock()
    people = await add_people(sessions, PEOPLE, clock.now())
    await add_pulse(sessions, people[0], clock.now(), await add_team(sessions, people, slug="multitud"))
    app = Pedir(sessions, Settings(), clock)
    opening = next(job for job in app.registry.jobs if job.name == "pulses.open")
    assert (await app.run_job(opening)).done == 1  # the round opens: 2,000 participations, due now

    # Slack takes a tenth of a second a post: sends are in flight whenever the kill comes.
    fake_slack.stall_next("chat.postMessage", 0.1, times=10**6)
    env = cli_env(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-faults", SLACK_SIGNING_SECRET="faults-secret",
                  SLACK_API_URL=fake_slack.api_url, PEDIR_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS))
    first = worker(env)
    try:
        await eventually(lambda: sum(questions_to_each(fake_slack).values()) >= PEOPLE // 4,
                         "a quarter of the questions to go out", timeout=90, interval=0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = sum(questions_to_each(fake_slack).values())
    async with sessions() as session:
        in_flight = (await session.exec(select(func.count()).select_from(Outbox).where(
            Outbox.status == "sending"))).one()
    assert 0 < at_kill < PEOPLE, "the kill came in the middle of the fan-out"

    started = time.monotonic()
    second = worker(env)
    try:
        await eventually(lambda: all(questions_to_each(fake_slack).values()), "every question delivered",
                         timeout=120, interval=0.2)
        recovered = time.monotonic() - started

        async def all_recorded_sent() -> bool:
            async with sessions() as session:
                states = dict((await session.exec(select(PulseParticipation.state, func.count())
                                                  .group_by(PulseParticipation.state))).all())
            return states == {"sent": PEOPLE}
        # The participations follow (pulses.progress settles them every 15 s).
        await eventually(all_recorded_sent, "every participation recorded as sent", timeout=60, interval=0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            _, errors = second.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()
            errors = ""
    await engine.dispose()

    received = questions_to_each(fake_slack)
    lost = sum(1 for count in received.values() if count == 0)
    duplicated = sum(count - 1 for count in received.values() if count > 1)
    print(f"\n[faults] pulse fan-out, {engine.dialect.name}: {PEOPLE} people; SIGKILL after {at_kill} questions "
          f"with {in_flight} rows in flight; restarted worker delivered the rest in {recovered:.1f} s; "
          f"lost {lost}, duplicated {duplicated}")
    assert lost == 0
    assert duplicated <= in_flight
    assert "Traceback" not in (errors or ""), errors
