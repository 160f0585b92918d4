"""PostgreSQL stopped and started again while `pedir serve` answers a crowd's
slash commands: during the outage each command still gets its ack in well
under Slack's 3 s, with the localized "nothing was saved, try again"; no 5xx;
once the database is back the server recovers by itself, within seconds;
every request it answered as created exists and its card reaches the team.

The database is a private server (tests/harness/private_postgres.py): the
shared one holds every other test's databases. The figures are printed
(pytest -s shows them)."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from sqlmodel import select

from storage.engine import create_engine, session_factory
from storage.models import Request
from tests.conftest import in_ci
from tests.harness import databases
from tests.harness.private_postgres import NoPostgresBinaries, private_postgres
from tests.harness.serving import Crowd, serve, settings_env
from tests.harness.slack_env import FACTURACION, PROFILES, SISTEMAS
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401  (pytest fixture)
from tests.harness.waiting import eventually

pytestmark = pytest.mark.faults

CLIENTS = 6
PAUSE_SECONDS = 0.05  # between one client's commands: load, without a backlog of cards that takes minutes to post
NEWCOMERS = 300  # people Slack knows and Pedir has not met: their first command must write them down
BEFORE_SECONDS, OUTAGE_SECONDS, AFTER_SECONDS = 4.0, 6.0, 10.0
SLACK_PATIENCE_SECONDS = 3.0
RECOVERY_BOUND_SECONDS = 10.0
CREATED = re.compile(r"\b(?:Creado|Created) (PED-(\d+))")
TRY_AGAIN = ("Inténtalo de nuevo", "try again")
TEAMS = ("facturacion", "sistemas")  # each with a Slack intake channel, so the cards spread over two


def newcomer(n: int) -> str:
    return f"W{n:08d}"


@pytest.fixture
def private_server():  # noqa: ANN201
    try:
        with private_postgres() as server:
            yield server
    except NoPostgresBinaries as exc:
        if in_ci():
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.mark.timeout(420)
async def test_postgresql_restarted_under_load_answers_try_again_then_recovers_and_loses_nothing(
        private_server, fake_slack, tmp_path):  # noqa: ANN001, F811
    url = private_server.url
    await databases.create_tables(url)
    await databases.fill(url, databases.E2E)  # stamped at the head, with the demo organisation
    for user_id, (name, email, locale) in PROFILES.items():
        fake_slack.add_user(user_id, email=email, real_name=name, locale=locale)
    for n in range(NEWCOMERS):
        fake_slack.add_user(newcomer(n), email=f"recien{n}@example.com", real_name=f"Recién {n}", locale="es-ES")

    server = await serve(settings_env(url, fake_slack), tmp_path / "serve.log")
    crowd = Crowd([server.url])
    known = list(PROFILES)
    fresh = iter(range(NEWCOMERS))

    def next_command(n: int) -> tuple[str, str]:
        # Every third command from someone new (the directory must write them down), the rest from the regulars.
        user = newcomer(next(fresh, 0)) if n % 3 == 0 else known[n % len(known)]
        return user, f"@{TEAMS[n % 2]} revisar el pedido de prueba {n}"

    started = time.monotonic()
    # The server is down from the moment pg_ctl stop returns until pg_ctl start is called;
    # it is back for sure once pg_ctl start returns (it waits until connections are accepted).
    down_from = down_until = start_at = 0.0

    async def outage() -> None:
        nonlocal down_from, down_until, start_at
        await asyncio.sleep(BEFORE_SECONDS)
        await asyncio.to_thread(private_server.stop)
        down_from = time.monotonic()
        await asyncio.sleep(OUTAGE_SECONDS)
        down_until = time.monotonic()
        await asyncio.to_thread(private_server.start)
        start_at = time.monotonic()

    end = started + BEFORE_SECONDS + OUTAGE_SECONDS + AFTER_SECONDS + 2.0
    try:
        await asyncio.gather(outage(), crowd.run(CLIENTS, lambda: time.monotonic() >= end, next_command,
                                                 pause=PAUSE_SECONDS))
        engine = create_engine(url)
        sessions = session_factory(engine)
        created = {int(m.group(2)): a for a in crowd.answers if (m := CREATED.search(a.said))}

        async def every_card_delivered() -> bool:
            cards = " ".join(str(message) for channel in (FACTURACION, SISTEMAS)
                             for message in fake_slack.messages_in(channel))
            return all(f"PED-{n}" in cards for n in created)
        load_ended = time.monotonic()
        await eventually(every_card_delivered, "every created request's card in its team's channel", timeout=180,
                         interval=0.5)
        async with sessions() as session:
            stored = set((await session.exec(select(Request.id))).all())
        await engine.dispose()
        delivered_in = time.monotonic() - load_ended
    finally:
        alive = server.process.popen.poll() is None
        errors = server.process.stop()

    answers = crowd.answers
    during = [a for a in answers if down_from <= a.sent_at and a.sent_at + a.seconds <= down_until]
    after = [a for a in answers if a.sent_at >= start_at]
    first_success = min((a.sent_at + a.seconds for a in after if CREATED.search(a.said)), default=None)
    recovered = None if first_success is None else first_success - start_at
    later_failures = [a for a in after if first_success is not None and a.sent_at > first_success
                      and not CREATED.search(a.said)]
    server_errors = [a for a in answers if a.status >= 500 or a.status == 0]
    slowest = max(a.seconds for a in answers)
    told_try_again = [a for a in answers if any(words in a.said for words in TRY_AGAIN)]
    print(f"\n[faults] PostgreSQL restart under load: {len(answers)} commands from {CLIENTS} clients; "
          f"{len(created)} created, {len(told_try_again)} told to try again ({len(during)} during the "
          f"{OUTAGE_SECONDS:.0f} s outage); 5xx or no answer: {len(server_errors)}; slowest ack {slowest:.2f} s; "
          f"first creation {recovered if recovered is None else round(recovered, 2)} s after the database was back; "
          f"failures after that: {len(later_failures)}; created but missing: {len(set(created) - stored)}; "
          f"every card delivered {delivered_in:.1f} s after the load ended")

    assert server_errors == [], [(a.status, a.said[:200]) for a in server_errors[:5]]
    assert slowest < SLACK_PATIENCE_SECONDS
    assert all(a.status == 200 for a in answers)
    # Every answer is either a creation or the localized "try again": nothing in between.
    assert all(CREATED.search(a.said) or any(w in a.said for w in TRY_AGAIN) for a in answers)
    assert during and all(any(w in a.said for w in TRY_AGAIN) for a in during)
    assert recovered is not None and recovered < RECOVERY_BOUND_SECONDS
    assert later_failures == []
    assert set(created) <= stored  # nothing acknowledged as saved is lost
    assert alive, errors[-3000:]  # the server rode the outage out: nothing restarted it
