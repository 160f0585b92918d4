"""The organisation importer: demo file, idempotency, updates, and bad files
that must name file + key path and leave the database untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from bot.org import importer
from bot.org.importer import import_org
from bot.org.spec import OrgFileError, load_org, parse_duration
from storage.models import Membership, Person, PlatformAccount, Team

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-org.toml"

BASE = """\
[[people]]
email = "marta.lopez@example.com"
name = "Marta López"
slack = "U0MARTA1"

[[people]]
email = "luis.perez@example.com"
name = "Luis Pérez"

[[people]]
email = "sara.ruiz@example.com"
name = "Sara Ruiz"

[teams.facturacion]
name = "Facturación"
aliases = ["billing"]
lead = "marta.lopez@example.com"
members = ["luis.perez@example.com", "sara.ruiz@example.com"]

[teams.facturacion.sla]
urgent = { first_response = "1h", resolution = "4h" }

[teams.sistemas]
name = "Sistemas"
lead = "luis.perez@example.com"
"""


def write(tmp_path: Path, text: str, name: str = "org.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def snapshot(sessions) -> dict[str, list[dict]]:  # noqa: ANN001
    async with sessions() as session:
        out = {}
        for model in (Person, PlatformAccount, Team, Membership):
            rows = (await session.exec(select(model).order_by(model.id))).all()
            out[model.__name__] = [row.model_dump() for row in rows]
        return out


async def roles(sessions, slug: str) -> dict[str, str]:  # noqa: ANN001
    async with sessions() as session:
        rows = await session.exec(
            select(Person.email, Membership.role)
            .join(Membership, Membership.person_id == Person.id)
            .join(Team, Team.id == Membership.team_id)
            .where(Team.slug == slug)
        )
        return dict(rows.all())


# -- durations (no database) --------------------------------------------------


@pytest.mark.parametrize(
    "text, minutes", [("30m", 30), ("4h", 240), ("1h30m", 90), ("2d", 960), ("1d4h", 720)]
)
def test_durations(text, minutes):  # noqa: ANN001
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["4x", "", "h", "0m", "4H", "1.5h", 30])
def test_bad_durations(text):  # noqa: ANN001
    with pytest.raises(ValueError):
        parse_duration(text)


def test_demo_file_validates():
    spec = load_org(DEMO)
    assert set(spec.teams) >= {"soporte", "facturacion", "ventas", "rrhh", "sistemas", "legal"}
    assert spec.teams["rrhh"].aliases == ["hr", "recursos-humanos", "personas"]
    assert any(p.locale == "en" for p in spec.people)
    assert any(p.timezone == "America/Mexico_City" for p in spec.people)


# -- imports ------------------------------------------------------------------


async def test_import_demo(sessions, clock):  # noqa: ANN001
    summary = await import_org(sessions, DEMO, clock.now())
    assert (summary.people.created, summary.teams.created, summary.memberships.created) == (12, 6, 13)
    assert summary.memberships.removed == 0 and summary.changed
    async with sessions() as session:
        team = (await session.exec(select(Team).where(Team.slug == "facturacion"))).one()
        assert team.name == "Facturación" and team.aliases == ["billing", "finanzas"]
        assert team.sla["urgent"] == {"first_response": 60, "resolution": 240}
        assert team.sla["normal"] == {"first_response": 240, "resolution": 3 * 480}
        assert team.sla["low"] == {"first_response": 960, "resolution": 2400}  # default
        assert team.business_hours["fri"] == ["08:00", "15:00"]  # from [defaults]
        james = (await session.exec(select(Person).where(Person.name == "James Whitaker"))).one()
        assert james.locale == "en" and james.created_at == clock.now()
        carlos = (await session.exec(select(Person).where(Person.name.startswith("Carlos")))).one()
        assert (carlos.locale, carlos.timezone) == ("es", "America/Mexico_City")
        accounts = (await session.exec(select(PlatformAccount))).all()
        assert {a.platform for a in accounts} == {"slack", "teams"} and len(accounts) == 13
    assert await roles(sessions, "legal") == {
        "alvaro.ramos@example.com": "lead", "sara.ruiz@example.com": "member"}


async def test_import_twice_changes_nothing(sessions, clock):  # noqa: ANN001
    await import_org(sessions, DEMO, clock.now())
    before = await snapshot(sessions)
    clock.advance(days=1)
    summary = await import_org(sessions, DEMO, clock.now())
    assert not summary.changed
    assert (summary.people.unchanged, summary.teams.unchanged, summary.memberships.unchanged) == (
        12, 6, 13)
    assert await snapshot(sessions) == before


async def test_reimport_updates_and_removes(sessions, clock, tmp_path):  # noqa: ANN001
    await import_org(sessions, write(tmp_path, BASE), clock.now())
    changed = (
        BASE.replace('name = "Facturación"', 'name = "Facturación y Cobros"')
        .replace('members = ["luis.perez@example.com", "sara.ruiz@example.com"]',
                 'members = ["luis.perez@example.com"]')
        .replace('lead = "luis.perez@example.com"',
                 'lead = "sara.ruiz@example.com"\nmembers = ["LUIS.Perez@example.com"]')
        .replace('"U0MARTA1"', '"U0MARTA2"')
    )
    summary = await import_org(sessions, write(tmp_path, changed), clock.now())
    assert (summary.people.updated, summary.people.unchanged) == (1, 2)  # Marta's Slack id
    assert (summary.teams.updated, summary.teams.unchanged) == (1, 1)
    m = summary.memberships
    assert (m.created, m.updated, m.unchanged, m.removed) == (1, 1, 2, 1)
    assert await roles(sessions, "facturacion") == {
        "marta.lopez@example.com": "lead", "luis.perez@example.com": "member"}
    assert await roles(sessions, "sistemas") == {
        "sara.ruiz@example.com": "lead", "luis.perez@example.com": "member"}
    async with sessions() as session:
        accounts = (await session.exec(select(PlatformAccount))).all()
        assert [a.external_id for a in accounts] == ["U0MARTA2"]


async def test_lead_may_live_only_in_the_database(sessions, clock, tmp_path):  # noqa: ANN001
    async with sessions() as session:
        session.add(Person(email="Pilar.Soto@Example.com", name="Pilar", created_at=clock.now()))
        await session.commit()
    text = BASE.replace('lead = "luis.perez@example.com"', 'lead = "pilar.soto@example.com"')
    summary = await import_org(sessions, write(tmp_path, text), clock.now())
    assert summary.people.created == 3
    assert (await roles(sessions, "sistemas")) == {"Pilar.Soto@Example.com": "lead"}


async def test_defaults_fill_new_people_but_keep_existing_choices(sessions, clock, tmp_path):  # noqa: ANN001
    async with sessions() as session:
        session.add(Person(email="luis.perez@example.com", name="Luis", locale="en",
                           timezone="Europe/London", created_at=clock.now()))
        await session.commit()
    text = BASE + '\n[defaults]\nlocale = "es"\ntimezone = "Atlantic/Canary"\n'
    for _ in range(2):  # The second import must not reset anything either.
        await import_org(sessions, write(tmp_path, text), clock.now())
    async with sessions() as session:
        people = {p.email: p for p in (await session.exec(select(Person))).all()}
        team = (await session.exec(select(Team).where(Team.slug == "sistemas"))).one()
    assert (people["luis.perez@example.com"].locale, people["luis.perez@example.com"].timezone) == (
        "en", "Europe/London")
    assert (people["marta.lopez@example.com"].locale, people["marta.lopez@example.com"].timezone) == (
        "es", "Atlantic/Canary")
    assert (team.locale, team.timezone, team.business_hours["fri"]) == (
        "es", "Atlantic/Canary", ["09:00", "18:00"])


async def test_chat_user_without_email_is_adopted(sessions, clock, tmp_path):  # noqa: ANN001
    async with sessions() as session:
        person = Person(name="marta", created_at=clock.now())
        session.add(person)
        await session.flush()
        session.add(PlatformAccount(platform="slack", external_id="U0MARTA1", person_id=person.id))
        await session.commit()
    summary = await import_org(sessions, write(tmp_path, BASE), clock.now())
    assert (summary.people.created, summary.people.updated) == (2, 1)
    async with sessions() as session:
        marta = (await session.exec(select(Person).where(Person.id == person.id))).one()
        assert (marta.email, marta.name) == ("marta.lopez@example.com", "Marta López")


# -- bad files ----------------------------------------------------------------

BAD_FILES = {
    "unknown lead": (
        BASE.replace('lead = "luis.perez@example.com"', 'lead = "luis.peres@example.com"'),
        "teams.sistemas.lead",
        '"luis.peres@example.com" is not in [[people]] nor in the database '
        '(did you mean "luis.perez@example.com"?)',
    ),
    "bad duration": (
        BASE.replace('resolution = "4h"', 'resolution = "4x"'),
        "teams.facturacion.sla.urgent.resolution",
        '"4x" is not a duration (use 30m, 4h, 1h30m or 2d)',
    ),
    "bad business hours": (
        BASE + 'business_hours = { mon = ["18:00", "09:00"] }\n',
        "teams.sistemas.business_hours",
        "does not end after it starts",
    ),
    "bad slug": (
        BASE.replace("[teams.facturacion]", '[teams."Facturación"]').replace(
            "[teams.facturacion.sla]", '[teams."Facturación".sla]'),
        'teams."Facturación"',
        '(try "facturacion")',
    ),
    "unknown key": (
        BASE.replace("members =", "membres ="),
        "teams.facturacion.membres",
        'unknown key (did you mean "members"?)',
    ),
    "toml syntax": (BASE + '\n[teams.legal\nname = "Legal"\n', "", "invalid TOML: "),
    "duplicate email": (
        BASE + '\n[[people]]\nemail = "Sara.Ruiz@Example.com"\nname = "Sara R."\n',
        "people[3].email",
        '"sara.ruiz@example.com" is already used by people[2]',
    ),
    "bad time zone": (
        BASE + 'timezone = "Europe/Madird"\n',
        "teams.sistemas.timezone",
        '(did you mean "Europe/Madrid"?)',
    ),
    "alias taken": (
        BASE + 'aliases = ["billing"]\n',
        "teams.sistemas.aliases[0]",
        '"billing" is already used by teams.facturacion',
    ),
    "first response after resolution": (
        BASE.replace('first_response = "1h"', 'first_response = "5h"'),
        "teams.facturacion.sla.urgent",
        "first_response must not be longer than resolution",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_bad_file_names_key_path_and_writes_nothing(sessions, clock, tmp_path, case):  # noqa: ANN001
    await import_org(sessions, write(tmp_path, BASE, "good.toml"), clock.now())
    before = await snapshot(sessions)
    text, key, message = BAD_FILES[case]
    path = write(tmp_path, text, "bad.toml")
    with pytest.raises(OrgFileError) as caught:
        await import_org(sessions, path, clock.now())
    error = caught.value
    assert (error.path, error.key_path) == (path, key)
    assert message in str(error) and str(error).startswith(f"{path}: ")
    if key:
        assert f"{path}: {key}: " in str(error)
    else:  # Syntax errors point at the line instead.
        assert re.search(r"line \d+, column \d+", str(error))
    assert await snapshot(sessions) == before


async def test_error_in_last_team_leaves_database_as_it_was(sessions, clock, tmp_path):  # noqa: ANN001
    await import_org(sessions, DEMO, clock.now())
    before = await snapshot(sessions)
    text = DEMO.read_text(encoding="utf-8").replace("Marta López Fernández", "Marta L.")
    text = text.replace('name = "Soporte"', 'name = "Atención al cliente"')
    bad = text.replace('members = ["sara.ruiz@example.com"]   #',
                       'members = ["nadie@example.com"]   #')
    assert bad != text and list(load_org(write(tmp_path, bad)).teams)[-1] == "legal"
    with pytest.raises(OrgFileError, match=r"teams\.legal\.members\[0\]"):
        await import_org(sessions, write(tmp_path, bad), clock.now())
    assert await snapshot(sessions) == before


async def test_failure_while_writing_rolls_everything_back(sessions, clock, tmp_path, monkeypatch):  # noqa: ANN001
    """One transaction: even a failure after earlier rows were written undoes them."""
    await import_org(sessions, write(tmp_path, BASE), clock.now())
    before = await snapshot(sessions)
    upsert = importer._Import._upsert_team

    async def failing(self, slug, spec, team):  # noqa: ANN001
        if slug == "sistemas":
            raise RuntimeError("database went away")
        return await upsert(self, slug, spec, team)

    monkeypatch.setattr(importer._Import, "_upsert_team", failing)
    text = BASE.replace("Marta López", "Marta L.").replace('"Facturación"', '"Cobros"')
    with pytest.raises(RuntimeError):
        await import_org(sessions, write(tmp_path, text + '\n[[people]]\nemail = "nuevo@example.com"\n'
                                         'name = "Nuevo"\n'), clock.now())
    assert await snapshot(sessions) == before
