"""People's profiles: one that could not be fetched is completed later, never
kept as final; the org file's names win; a name does not flip between platforms.

End to end over real HTTP (the Slack and Teams stand-ins), with the people
caches' monotonic clock in the test's hands, then the merge itself in storage.
"""

from __future__ import annotations

import json

from dataclasses import dataclass

import aiohttp
import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.org.importer import import_org
from bot.people import merge, service as people
from bot.people.identity import Profile, link
from storage.engine import create_engine, session_factory, sync_url
from storage.migrate import upgrade
from storage.models import (ConversationReference, Customer, Draft, Issue, IssueFollower, Membership, Outbox, Person,
                            PlatformAccount, Request, StatusAck, StatusUpdate, Team)
from tests.harness import slack_wire
from tests.harness.slack_env import PROFILES, SlackEnv, slack, unique  # noqa: F401
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.teams_env import (IRENE_T, OUTSIDER_T, TeamsEnv, fake_connector_running,  # noqa: F401
                                    prepare_database, start_server, teams)
from tests.harness.teams_wire import TENANT_ID

FAILED = "Algo ha fallado"  # the start of error.internal's Spanish text
RETRY_AFTER = 30  # what the stand-in's 429 asks for, in seconds
HOUR = 3600


class Ticking:
    """The monotonic clock the people caches read, moved by the test."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def ticking(monkeypatch) -> Ticking:  # noqa: ANN001
    clock = Ticking()
    monkeypatch.setattr("adapters.people_cache.monotonic", clock)
    return clock


async def slash(env: SlackEnv, user_id: str, handle: str, text: str) -> str:
    """A /pedir from `user_id`, whose Slack handle is `handle`; its answer (the ack's body)."""
    body = slack_wire.slash_command_body(text=text, user_id=user_id, user_name=handle, trigger_id=unique("trig-"),
                                         response_url=env.fake.response_url(unique("cmd-")))
    status, answered = await env.post(body)
    assert status == 200
    return answered


def answer(env: SlackEnv, acked: str) -> str:
    """The text of a command's answer, which travels in its ack."""
    return str(json.loads(acked))


async def by_account(sessions, platform: str, external_id: str) -> Person:  # noqa: ANN001
    async with sessions() as session:
        person = await people.by_account(session, platform, external_id)
    assert person is not None
    return person


async def by_email(sessions, email: str) -> Person:  # noqa: ANN001
    async with sessions() as session:
        person = await people.by_email(session, email)
    assert person is not None
    return person


async def requests_by(sessions) -> dict[str, int]:  # noqa: ANN001
    """Each request's description -> its requester's id."""
    async with sessions() as session:
        return {r.description: r.requester_id for r in (await session.exec(select(Request))).all()}


# --------------------------------------------------- a rate-limited users.info, on Slack

# Nine newcomers, and Carlos: in the org file with Teams only, now on Slack for the first time.
NEWCOMERS = [(f"U0NEW{i:04d}", f"nuevo{i}", f"Persona Nueva {i}", f"nuevo{i}@example.com") for i in range(9)]
CARLOS = ("U0CNAVARR", "carlos", "Carlos N.", "carlos.navarro@example.com")


async def test_newcomers_met_during_a_429_are_served_then_completed_and_matched(slack, ticking):  # noqa: F811
    for user_id, handle, name, email in [*NEWCOMERS, CARLOS]:
        slack.fake.add_user(user_id, email=email, real_name=name, name=handle, tz="Europe/Madrid")
    slack.fake.fail_next("users.info", status=429, retry_after=RETRY_AFTER, times=10)
    hooks = [await slash(slack, user_id, handle, f"@sistemas el portátil de {handle} no arranca")
             for user_id, handle, _name, _email in [*NEWCOMERS, CARLOS]]
    await slack.settled()

    # Every command was handled, by a person stored as incomplete under the Slack handle.
    assert all("PED-" in answer(slack, hook) for hook in hooks)
    called = slack.fake.calls_to("users.info")
    assert 1 <= len(called) <= 10  # after the first 429, nobody asks until Retry-After
    stand_ins = {}
    for user_id, handle, _name, _email in [*NEWCOMERS, CARLOS]:
        person = await by_account(slack.sessions, "slack", user_id)
        assert (person.name, person.email, person.profile_complete) == (handle, None, False)
        stand_ins[user_id] = person
    made_by = await requests_by(slack.sessions)
    assert made_by["el portátil de carlos no arranca"] == stand_ins[CARLOS[0]].id
    carlos = await by_email(slack.sessions, CARLOS[3])
    assert carlos.id != stand_ins[CARLOS[0]].id

    # The limit lifts (the stand-in answers again), but Retry-After has not passed: nobody asks.
    slack.fake.reset()
    ticking.advance(RETRY_AFTER - 5)
    hook = await slash(slack, NEWCOMERS[0][0], NEWCOMERS[0][1], "mis")
    await slack.listeners_idle()
    assert "PED-" in answer(slack, hook)
    assert slack.fake.calls_to("users.info") == []

    # Once it has, each one's next command completes them.
    ticking.advance(6)
    hooks = {user_id: await slash(slack, user_id, handle, "mis") for user_id, handle, _n, _e in [*NEWCOMERS, CARLOS]}
    await slack.settled()
    assert len(slack.fake.calls_to("users.info")) == 10
    for user_id, _handle, name, email in NEWCOMERS:
        person = await by_account(slack.sessions, "slack", user_id)
        assert (person.id, person.name, person.email, person.profile_complete) == (
            stand_ins[user_id].id, name, email, True)
    # Carlos's Slack account is now the org's Carlos, and so is what he asked for meanwhile;
    # he keeps the org file's name and time zone, whatever Slack says.
    on_slack = await by_account(slack.sessions, "slack", CARLOS[0])
    assert on_slack.id == carlos.id
    assert (on_slack.name, on_slack.timezone) == ("Carlos Navarro Romero", "America/Mexico_City")
    assert (await requests_by(slack.sessions))["el portátil de carlos no arranca"] == carlos.id
    assert "PED-" in answer(slack, hooks[CARLOS[0]])  # his list shows it
    async with slack.sessions() as session:
        assert await session.get(Person, stand_ins[CARLOS[0]].id) is None
        accounts = {a.platform for a in await people.accounts(session, carlos.id)}
    assert accounts == {"slack", "teams"}

    # Complete now: an hour of no questions.
    slack.fake.reset()
    ticking.advance(HOUR - 60)
    await slash(slack, CARLOS[0], CARLOS[1], "mis")
    await slack.listeners_idle()
    assert slack.fake.calls_to("users.info") == []


async def test_a_failed_refresh_changes_nobody_and_the_command_goes_on(slack, ticking):  # noqa: F811
    ana_id = "U012AB3CD"
    await slash(slack, ana_id, "ana", "mis")
    await slack.listeners_idle()
    before = await by_account(slack.sessions, "slack", ana_id)
    ticking.advance(HOUR + 1)
    slack.fake.fail_next("users.info", status=429, retry_after=RETRY_AFTER)
    hook = await slash(slack, ana_id, "u", "mis")
    await slack.listeners_idle()
    assert FAILED not in answer(slack, hook)  # answered, and not with "something failed"
    after = await by_account(slack.sessions, "slack", ana_id)
    assert (after.id, after.name, after.email, after.profile_complete) == (
        before.id, "Ana García Ruiz", "ana.garcia@example.com", True)
    # Asked again after Retry-After, not after an hour.
    ticking.advance(RETRY_AFTER + 1)
    await slash(slack, ana_id, "ana", "mis")
    await slack.listeners_idle()
    assert len(slack.fake.calls_to("users.info")) == 2


# ---------------------------------------------------------------- Slack and Teams together


@dataclass
class Both:
    slack: SlackEnv
    teams: TeamsEnv

    async def say_on_teams(self, who: tuple[str, str, str, str], text: str) -> None:
        sent = len(self.teams.connector.calls_to("send"))
        status, _ = await self.teams.post(self.teams.personal(who, text))
        assert status in (200, 201)
        await self.teams.connector.wait_for_calls("send", sent + 1, timeout=10)


@pytest.fixture
async def both(fake_slack, fake_connector_running, database_url):  # noqa: ANN001, F811
    for user_id, (name, email, locale) in PROFILES.items():
        fake_slack.add_user(user_id, email=email, real_name=name, locale=locale)
    await prepare_database(database_url)
    teams_env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(),
                         database_url=database_url)
    server = await start_server(teams_env, slack_api_url=fake_slack.api_url)
    slack_env = SlackEnv(fake=fake_slack, url=str(server.make_url("/slack/events")), http=teams_env.http,
                         sessions=teams_env.sessions)
    yield Both(slack=slack_env, teams=teams_env)
    await teams_env.http.close()
    await server.close()


async def test_a_stand_in_from_a_429_becomes_the_person_known_on_teams(both, ticking):  # noqa: ANN001
    _user_id, _aad, _name, email = OUTSIDER_T
    await both.say_on_teams(OUTSIDER_T, "pedir mis")
    on_teams = await by_account(both.slack.sessions, "teams", OUTSIDER_T[0])
    assert (on_teams.email, on_teams.name) == (email, "Nadie")

    both.slack.fake.add_user("U0NADIE", email=email, real_name="Nadie Nadez", name="nadie.n")
    both.slack.fake.fail_next("users.info", status=429, retry_after=RETRY_AFTER)
    await slash(both.slack, "U0NADIE", "nadie.n", "@sistemas la pantalla parpadea")
    await both.slack.settled()
    stand_in = await by_account(both.slack.sessions, "slack", "U0NADIE")
    assert stand_in.id != on_teams.id and not stand_in.profile_complete
    assert (await requests_by(both.slack.sessions))["la pantalla parpadea"] == stand_in.id

    ticking.advance(RETRY_AFTER + 1)
    await slash(both.slack, "U0NADIE", "nadie.n", "mis")
    await both.slack.settled()
    on_slack = await by_account(both.slack.sessions, "slack", "U0NADIE")
    assert on_slack.id == on_teams.id
    assert on_slack.name == "Nadie"  # the name came from Teams: Slack's does not replace it
    assert (await requests_by(both.slack.sessions))["la pantalla parpadea"] == on_teams.id
    async with both.slack.sessions() as session:
        assert await session.get(Person, stand_in.id) is None


async def test_the_org_files_name_survives_slack_and_teams_profiles(both, ticking):  # noqa: ANN001
    # James: in the org file with his name and locale; his time zone is left to the [defaults].
    slack_id, teams_id, email = "U04JWHITAK", "29:1jWhitaker-demo", "james.whitaker@example.com"
    james_t = (teams_id, "aad-james", "James W. (Teams)", email)
    both.slack.fake.add_user(slack_id, email=email, real_name="User 0001", locale="es-ES", tz="Europe/London")
    both.teams.connector.add_member("aad-james", teams_id, "James W. (Teams)", email, email, TENANT_ID)
    await slash(both.slack, slack_id, "james", "mis")
    await both.slack.listeners_idle()
    await both.say_on_teams(james_t, "pedir mis")

    ticking.advance(HOUR + 1)  # both caches expire: each platform is asked for the profile
    await slash(both.slack, slack_id, "james", "mis")
    await both.slack.listeners_idle()
    await both.say_on_teams(james_t, "pedir mis")
    assert len(both.slack.fake.calls_to("users.info")) == 1
    assert both.teams.connector.calls_to("get_member")

    james = await by_email(both.slack.sessions, email)
    assert (james.name, james.locale) == ("James Whitaker", "en")
    # What the org file left empty, Slack filled; Teams (Europe/Madrid) does not take it back.
    assert james.timezone == "Europe/London"
    assert (await by_account(both.slack.sessions, "teams", teams_id)).id == james.id


async def test_a_name_not_in_the_org_file_stays_with_the_platform_it_came_from(both, ticking):  # noqa: ANN001
    email = "zoe.ortiz@example.com"
    zoe_t = ("29:1zoe", "aad-zoe", "Zoe (Teams)", email)
    both.slack.fake.add_user("U0ZOE", email=email, real_name="Zoe Ortiz")
    both.teams.connector.add_member("aad-zoe", "29:1zoe", "Zoe (Teams)", email, email, TENANT_ID)

    await slash(both.slack, "U0ZOE", "zoe", "mis")
    await both.slack.listeners_idle()
    await both.say_on_teams(zoe_t, "pedir mis")
    zoe = await by_email(both.slack.sessions, email)
    assert zoe.name == "Zoe Ortiz"
    assert (await by_account(both.slack.sessions, "teams", "29:1zoe")).id == zoe.id

    # She renames herself on Slack: Slack's refresh carries it, Teams' does not undo it.
    both.slack.fake.add_user("U0ZOE", email=email, real_name="Zoe Ortiz Vega")
    ticking.advance(HOUR + 1)
    await slash(both.slack, "U0ZOE", "zoe", "mis")
    await both.slack.listeners_idle()
    assert (await by_email(both.slack.sessions, email)).name == "Zoe Ortiz Vega"
    await both.say_on_teams(zoe_t, "pedir mis")
    ticking.advance(HOUR + 1)
    await both.say_on_teams(zoe_t, "pedir mis")
    assert len(both.teams.connector.calls_to("get_member")) >= 2
    assert (await by_email(both.slack.sessions, email)).name == "Zoe Ortiz Vega"


# ------------------------------------------------------------------------- Teams alone


async def test_a_failed_get_member_still_answers_and_a_later_turn_completes(teams, ticking):  # noqa: F811
    # Irene is in the org file with Slack only; her first Teams turn cannot read her profile.
    teams.connector.fail_next("get_member", status=403, retry_after=None)
    sent = len(teams.connector.calls_to("send"))
    status, _ = await teams.post(teams.personal(IRENE_T, "pedir mis"))
    assert status in (200, 201)
    await teams.connector.wait_for_calls("send", sent + 1, timeout=10)
    stand_in = await by_account(teams.sessions, "teams", IRENE_T[0])
    assert (stand_in.name, stand_in.email, stand_in.profile_complete) == ("Irene Vázquez", None, False)

    ticking.advance(61)
    status, _ = await teams.post(teams.personal(IRENE_T, "pedir mis"))
    assert status in (200, 201)
    irene = await by_account(teams.sessions, "teams", IRENE_T[0])
    assert (irene.email, irene.name) == ("irene.vazquez@example.com", "Irene Vázquez Molina")
    assert irene.id != stand_in.id
    async with teams.sessions() as session:
        assert await session.get(Person, stand_in.id) is None


# --------------------------------------------------------------------- the merge itself


async def test_folding_moves_every_reference_and_drops_repeats(app, folk, sessions):  # noqa: ANN001
    ana = folk["ana.garcia"]
    now = app.clock.now()
    async with sessions() as session, session.begin():
        stand_in = await link(session, "slack", "U0STANDIN", Profile(name="u", complete=False), now)
        teams_ = (await session.exec(select(Team).order_by(Team.id))).all()
        customer = (await session.exec(select(Customer))).first()
        assert customer is not None
        ana_roles = {m.team_id: m.role for m in (await session.exec(
            select(Membership).where(Membership.person_id == ana.id))).all()}
        shared = next(t for t in teams_ if t.id in ana_roles)
        own = next(t for t in teams_ if t.id not in ana_roles)
        assert ana_roles[shared.id] == "member"  # the stand-in's "lead" must not win
        session.add_all([Membership(person_id=stand_in.id, team_id=shared.id, role="lead"),
                         Membership(person_id=stand_in.id, team_id=own.id)])
        request = Request(requester_id=stand_in.id, team_id=own.id, description="x", created_at=now)
        issue = Issue(customer_id=customer.id, title="t", owner_team_id=own.id, created_by_id=stand_in.id,
                      owner_id=stand_in.id, created_at=now)
        session.add_all([request, issue])
        await session.flush()
        update = StatusUpdate(issue_id=issue.id, author_id=stand_in.id, text="s", created_at=now)
        session.add(update)
        await session.flush()
        session.add_all([
            IssueFollower(issue_id=issue.id, kind="person", ref_id=ana.id),
            IssueFollower(issue_id=issue.id, kind="person", ref_id=stand_in.id, added_by_id=stand_in.id),
            StatusAck(status_update_id=update.id, person_id=ana.id, created_at=now),
            StatusAck(status_update_id=update.id, person_id=stand_in.id, created_at=now),
            Draft(id="d1", person_id=stand_in.id, payload={}, created_at=now),
            Outbox(recipient_kind="person", recipient_id=stand_in.id, payload={}, created_at=now),
            Outbox(recipient_kind="team", recipient_id=stand_in.id, payload={}, created_at=now),
            ConversationReference(platform="teams", key=f"person:{stand_in.id}", reference={}, updated_at=now),
        ])
        await session.flush()
        stand_in_id = stand_in.id
        assert await merge.fold(session, stand_in, into=ana)

    async with sessions() as session:
        assert await session.get(Person, stand_in_id) is None
        [account] = (await session.exec(select(PlatformAccount).where(
            PlatformAccount.external_id == "U0STANDIN"))).all()
        assert account.person_id == ana.id
        roles = {m.team_id: m.role for m in (await session.exec(
            select(Membership).where(Membership.person_id == ana.id))).all()}
        # Ana's own membership wins over the stand-in's; the one she lacked is hers now.
        assert roles == {**ana_roles, own.id: "member"}
        assert (await session.get(Request, request.id)).requester_id == ana.id
        moved = await session.get(Issue, issue.id)
        assert (moved.created_by_id, moved.owner_id) == (ana.id, ana.id)
        followers = (await session.exec(select(IssueFollower).where(IssueFollower.issue_id == issue.id))).all()
        assert [(f.kind, f.ref_id) for f in followers] == [("person", ana.id)]
        acks = (await session.exec(select(StatusAck).where(StatusAck.status_update_id == update.id))).all()
        assert [a.person_id for a in acks] == [ana.id]
        assert (await session.get(Draft, "d1")).person_id == ana.id
        rows = (await session.exec(select(Outbox.recipient_kind, Outbox.recipient_id))).all()
        assert ("person", ana.id) in rows and ("team", stand_in_id) in rows  # a team's id is not a person's
        keys = (await session.exec(select(ConversationReference.key))).all()
        assert f"person:{ana.id}" in keys and f"person:{stand_in_id}" not in keys


async def test_a_degraded_profile_never_changes_a_known_person(app, folk, sessions):  # noqa: ANN001
    ana = folk["ana.garcia"]
    async with sessions() as session, session.begin():
        person = await link(session, "slack", "U012AB3CD", Profile(name="u", complete=False), app.clock.now())
    assert person.id == ana.id
    async with sessions() as session:
        again = await session.get(Person, ana.id)
    assert (again.name, again.email, again.profile_complete) == (ana.name, ana.email, True)


# ----------------------------------------------------------- the org file and profiles

ORG = """\
[[people]]
email = "marta.lopez@example.com"
name = "Marta López"
timezone = "Atlantic/Canary"
slack = "U0MARTA1"
"""


async def test_what_the_org_file_sets_it_owns_and_what_it_drops_goes_back_to_profiles(
    sessions, clock, tmp_path,  # noqa: ANN001
):
    path = tmp_path / "org.toml"
    path.write_text(ORG, encoding="utf-8")
    await import_org(sessions, path, clock.now())
    slack_profile = Profile(name="User 0001", email="marta.lopez@example.com", locale="en-GB",
                            timezone="Europe/London")
    async with sessions() as session, session.begin():
        marta = await link(session, "slack", "U0MARTA1", slack_profile, clock.now())
    # The entry's name and time zone stay; the locale it leaves to [defaults] (none here) Slack fills.
    assert (marta.name, marta.timezone, marta.locale) == ("Marta López", "Atlantic/Canary", "en-GB")
    assert (await import_org(sessions, path, clock.now())).people.unchanged == 1

    path.write_text(ORG.replace('timezone = "Atlantic/Canary"\n', ""), encoding="utf-8")
    await import_org(sessions, path, clock.now())
    async with sessions() as session, session.begin():
        marta = await link(session, "slack", "U0MARTA1", slack_profile, clock.now())
    assert (marta.name, marta.timezone) == ("Marta López", "Europe/London")


async def test_people_stored_before_the_upgrade_are_complete_with_no_sources(tmp_path):  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO person (email, name) VALUES ('ana@example.com', 'Ana')"))
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            [ana] = (await session.exec(select(Person))).all()
    finally:
        await engine.dispose()
    assert (ana.name, ana.profile_complete, ana.field_sources) == ("Ana", True, {})


# Two transactions at once need two connections: SQLite's pool here holds one.
@pytest.mark.parametrize("backend", ["postgresql"])
async def test_one_email_met_on_both_platforms_at_once_is_one_person(app, sessions, monkeypatch):  # noqa: ANN001
    real_by_email = people.by_email
    looks = 0

    async def teams_commits_her_meanwhile(session, email):  # noqa: ANN001, ANN202
        nonlocal looks
        looks += 1
        if looks == 1:  # Slack looked and found nobody; Teams creates her before Slack inserts
            async with sessions() as other, other.begin():
                await link(other, "teams", "29:1lea", Profile(name="Lea Soto", email=email), app.clock.now())
            return None
        return await real_by_email(session, email)

    monkeypatch.setattr(people, "by_email", teams_commits_her_meanwhile)
    person = await app.person("slack", "U0LEA", Profile(name="Lea", email="lea.soto@example.com"))
    async with sessions() as session:
        on_teams = await people.by_account(session, "teams", "29:1lea")
        everyone = (await session.exec(select(Person).where(Person.email == "lea.soto@example.com"))).all()
    assert on_teams is not None and person.id == on_teams.id and len(everyone) == 1
