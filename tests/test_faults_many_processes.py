"""Two `pedir worker` processes and three web processes (`pedir serve
--workers 3`, gunicorn) against one PostgreSQL database, while a crowd sends
slash commands: every nudge and every pulse question reaches Slack exactly
once, and so does every other message (each post carries its outbox tag).

The scenario: the demo organisation with every team always open (so nudges
do not wait for working hours, whatever the time of the run), 30 requests
made two days ago (a FixedClock), a third of them claimed, so their nudges
are due now; and a pulse to a crowd of 1,000 people, opened now. Five
processes then deliver side by side (the web processes deliver too, as they
do by default), the workers run the scheduled jobs, and the web processes
take new requests. The figures are printed (pytest -s shows them)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from bot.app import Pedir
from bot.clock import FixedClock, SystemClock
from bot.config import Settings
from bot.nudges.ledger import CANCELLED, PLANNED, QUEUED, SENT
from storage.engine import create_engine, session_factory
from storage.models import Nudge, Outbox, Person, Team
from tests.harness import databases
from tests.harness.crowd import add_people, add_pulse, add_team, slack_user
from tests.harness.serving import Crowd, serve, settings_env, worker
from tests.harness.slack_env import PROFILES
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.waiting import eventually

pytestmark = pytest.mark.faults

PEOPLE = 1000
REQUESTS = 30
TEAMS = ("facturacion", "sistemas", "soporte", "legal", "ventas")
QUESTION = "Cómo valoras el servicio de Sistemas"
LOAD_SECONDS = 20.0
CLIENTS = 4


def tags(fake: FakeSlackAPI) -> Counter:
    """Outbox tag -> how many messages on Slack carry it."""
    found: Counter = Counter()
    for channel in fake.channels():
        for message in fake.messages_in(channel):
            tag = ((message.get("metadata") or {}).get("event_payload") or {}).get("tag")
            if tag:
                found[tag] += 1
    return found


async def nudges_due_two_days_ago(sessions) -> None:  # noqa: ANN001
    """Every team always open; requests made two days ago, a third claimed: their nudges are due now."""
    async with sessions() as session, session.begin():
        await session.exec(update(Team).values(business_hours={}))  # type: ignore[call-overload]
    then = FixedClock(SystemClock().now() - timedelta(days=2))
    app = Pedir(sessions, Settings(), then)
    async with sessions() as session:
        folk = list((await session.exec(
            select(Person).where(col(Person.email).endswith("@example.com")).order_by(Person.id))).all())
    for n in range(REQUESTS):
        reply = await app.command(folk[n % len(folk)], "/pedir", f"@{TEAMS[n % len(TEAMS)]} revisar el expediente {n} !alta")
        assert reply.message is not None and "PED-" in reply.message.text, reply
        if n % 3 == 0:
            number = reply.message.text.split("PED-", 1)[1].split()[0]
            lead = folk[(n + 1) % len(folk)]
            await app.action(lead, "request.claim", number)  # refused for a non-member: fine, some are members


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_workers_and_three_web_processes_deliver_each_nudge_and_pulse_question_exactly_once(
        backend, database_url, fake_slack, tmp_path):  # noqa: ANN001, F811
    assert databases.content(database_url)[0] == databases.E2E
    for user_id, (name, email, locale) in PROFILES.items():
        fake_slack.add_user(user_id, email=email, real_name=name, locale=locale)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await nudges_due_two_days_ago(sessions)
    clock = SystemClock()
    crowd = await add_people(sessions, PEOPLE, clock.now())
    await add_pulse(sessions, crowd[0], clock.now(), await add_team(sessions, crowd, slug="multitud"))
    app = Pedir(sessions, Settings(), clock)
    opening = next(job for job in app.registry.jobs if job.name == "pulses.open")
    assert (await app.run_job(opening)).done == 1
    async with sessions() as session:
        due_nudges = (await session.exec(select(func.count()).select_from(Nudge).where(
            Nudge.state == PLANNED, Nudge.send_at <= clock.now()))).one()
    assert due_nudges > 0

    # Slack takes a fiftieth of a second a post: five processes have sends in flight at once.
    fake_slack.stall_next("chat.postMessage", 0.02, times=10**6)
    env = settings_env(database_url, fake_slack, PEDIR_DELIVERY_LEASE_SECONDS="10")
    started = time.monotonic()
    workers = [worker(env, tmp_path / f"worker{n}.log") for n in (1, 2)]
    server = None
    try:
        server = await serve(env, tmp_path / "serve.log", workers=3)
        commands = Crowd([server.url])
        users = list(PROFILES)
        end = time.monotonic() + LOAD_SECONDS
        await commands.run(CLIENTS, lambda: time.monotonic() >= end,
                           lambda n: (users[n % len(users)], f"@{TEAMS[n % len(TEAMS)]} pedido bajo carga {n}"))

        async def settled() -> bool:
            if not all(QUESTION in str(fake_slack.messages_in(FakeSlackAPI.dm_channel(slack_user(n))))
                       for n in range(PEOPLE)):
                return False
            now = SystemClock().now()
            async with sessions() as session:
                nudges_left = (await session.exec(select(func.count()).select_from(Nudge).where(
                    (Nudge.state == QUEUED) | ((Nudge.state == PLANNED) & (Nudge.send_at <= now))))).one()
                outbox_left = (await session.exec(select(func.count()).select_from(Outbox).where(
                    (Outbox.status == "sending") | ((Outbox.status == "pending") & (Outbox.next_attempt_at <= now))))).one()
            return nudges_left == 0 and outbox_left == 0
        await eventually(settled, "every due nudge, question and message delivered", timeout=240, interval=1)
        took = time.monotonic() - started
    finally:
        logs = [process.stop() for process in workers]
        if server is not None:
            logs.append(server.process.stop())
    async with sessions() as session:
        nudges = list((await session.exec(select(Nudge))).all())
        outbox = {row.id: row for row in (await session.exec(select(Outbox))).all()}
    await engine.dispose()

    posted = tags(fake_slack)
    questions = Counter({n: sum(QUESTION in str(m) for m in fake_slack.messages_in(FakeSlackAPI.dm_channel(slack_user(n))))
                         for n in range(PEOPLE)})
    sent_nudges = [n for n in nudges if n.state == SENT]
    nudge_posts = Counter(posted.get(f"outbox:{n.outbox_id}", 0) for n in sent_nudges)
    ledger = Counter((n.subject_kind, n.subject_id, n.kind, n.window_key, n.recipient_kind, n.recipient_id)
                     for n in nudges)
    answers = Counter(a.status for a in commands.answers)
    duplicated_posts = {tag: count for tag, count in posted.items() if count > 1}
    print(f"\n[faults] 2 workers + 3 web processes on PostgreSQL: {len(commands.answers)} commands answered "
          f"{dict(answers)}; {PEOPLE} pulse questions: lost {sum(1 for c in questions.values() if c == 0)}, "
          f"duplicated {sum(c - 1 for c in questions.values() if c > 1)}; nudges: {len(sent_nudges)} sent "
          f"({sum(1 for n in nudges if n.state == CANCELLED)} cancelled), posts per sent nudge {dict(nudge_posts)}; "
          f"{len(posted)} tagged posts, {len(duplicated_posts)} duplicated; "
          f"outbox {dict(Counter(row.status for row in outbox.values()))}; settled in {took:.1f} s")
    assert set(answers) == {200}
    assert set(questions.values()) == {1}
    assert len(sent_nudges) >= REQUESTS // 3 and set(nudge_posts) == {1}
    assert max(ledger.values()) == 1
    assert duplicated_posts == {}
    for log in logs:
        assert "Traceback" not in log, log[-3000:]
