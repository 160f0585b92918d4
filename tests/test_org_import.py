"""The organisation importer: demo file, idempotency, updates, and bad files
that must name file + key path and leave the database untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from bot.org import importer
from bot.org.importer import import_org
from bot.org.spec import DEFAULT_CADENCE, SEVERITIES, OrgFileError, load_org, parse_duration
from storage.models import Competitor, Customer, Membership, Person, PlatformAccount, Request, Team

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

# Appended to BASE: customers come after the last team's keys.
CUSTOMERS = """
[customers.acme]
name = "ACME Logística S.L."
aliases = ["acme-logistica", "acme", "acme-logistica"]
account_manager = "Sara.Ruiz@example.com"
tier = "gold"
notes = "Renueva en marzo."

[customers.globex]
name = "Globex Ibérica"
"""


def write(tmp_path: Path, text: str, name: str = "org.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def snapshot(sessions) -> dict[str, list[dict]]:  # noqa: ANN001
    async with sessions() as session:
        out = {}
        for model in (Person, PlatformAccount, Team, Membership, Customer, Request):
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
        assert (team.country, team.subdivision, team.extra_holidays) == ("ES", "MD", [])
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
    "unknown priority": (
        BASE.replace("urgent = {", "urgnt = {"),
        "teams.facturacion.sla.urgnt",
        "unknown key: use one of urgent, high, normal, low",
    ),
    "unknown cadence key": (
        BASE + 'update_cadence = { sev1 = "1h", sev5 = "2d" }\n',
        "teams.sistemas.update_cadence.sev5",
        "unknown key: use one of sev1, sev2, sev3, sev4",
    ),
    "bad cadence duration": (
        BASE + 'update_cadence = { sev1 = "1x" }\n',
        "teams.sistemas.update_cadence.sev1",
        '"1x" is not a duration (use 30m, 4h, 1h30m or 2d)',
    ),
    "unknown country": (
        BASE + 'country = "Spain"\n',
        "teams.sistemas.country",
        '"Spain" is not a country with known public holidays: use a two-letter ISO 3166 code '
        'such as "ES", "PT" or "MX" (did you mean "ES"?)',
    ),
    "unknown country code": (
        BASE + '\n[defaults]\ncountry = "XX"\n',
        "defaults.country",
        '"XX" is not a country with known public holidays',
    ),
    "unknown region": (
        BASE + 'country = "ES"\nregion = "Madird"\n',
        "teams.sistemas.region",
        '"Madird" is not a region of ES: use one of AN, AR, AS, CB, CE, CL, CM, CN, CT, EX, GA, '
        'IB, MC, MD, ML, NC, PV, RI, VC, Barcelona (did you mean "MD"?)',
    ),
    "region of another country": (
        BASE + '\n[defaults]\ncountry = "PT"\nregion = "MD"\n',
        "defaults.region",
        '"MD" is not a region of PT: use one of ',
    ),
    "region without a country": (
        BASE + 'region = "MD"\n',
        "teams.sistemas.region",
        '"MD" needs a country: set country here or in [defaults]',
    ),
    "region where the country has none": (
        BASE + 'country = "MX"\nregion = "CMX"\n',
        "teams.sistemas.region",
        '"CMX" is not a region of MX: MX has no regions with their own holidays; leave region out',
    ),
    "impossible holiday": (
        BASE + 'holidays = ["2026-12-24", "2026-02-30"]\n',
        "teams.sistemas.holidays[1]",
        '"2026-02-30" is not a date: use YYYY-MM-DD, such as 2026-12-24',
    ),
    "holiday in another format": (
        BASE + '\n[defaults]\nholidays = ["24/12/2026"]\n',
        "defaults.holidays[0]",
        '"24/12/2026" is not a date: use YYYY-MM-DD',
    ),
    "holiday with a time": (
        BASE + 'holidays = [2026-12-24T09:00:00]\n',
        "teams.sistemas.holidays[0]",
        "is not a date: use YYYY-MM-DD",
    ),
    "unknown account manager": (
        BASE + CUSTOMERS.replace("Sara.Ruiz@", "sara.ruis@"),
        "customers.acme.account_manager",
        '"sara.ruis@example.com" is not in [[people]] nor in the database '
        '(did you mean "sara.ruiz@example.com"?)',
    ),
    "customer alias taken": (
        BASE + CUSTOMERS + 'aliases = ["globex-iberica", "acme-logistica"]\n',
        "customers.globex.aliases[1]",
        '"acme-logistica" is already used by customers.acme',
    ),
    "customer alias is another customer's slug": (
        BASE + CUSTOMERS + 'aliases = ["acme"]\n',
        "customers.globex.aliases[0]",
        '"acme" is already used by customers.acme',
    ),
    "customer without a name": (
        BASE + CUSTOMERS.replace('name = "Globex Ibérica"', 'tier = "silver"'),
        "customers.globex.name",
        "is required",
    ),
    "tier too long": (
        BASE + CUSTOMERS.replace('tier = "gold"', f'tier = "{"g" * 51}"'),
        "customers.acme.tier",
        "is not a text of at most 50 characters",
    ),
    "bad customer slug": (
        BASE + CUSTOMERS.replace("[customers.acme]", '[customers."ACME"]'),
        "customers.ACME",
        '(try "acme")',
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


# -- holidays -----------------------------------------------------------------

HOLIDAY_DEFAULTS = '\n[defaults]\ncountry = "es"\nregion = "Madrid"\nholidays = [2026-12-31, "2026-12-24"]\n'


def test_team_calendar_takes_the_defaults_and_adds_holidays(tmp_path):  # noqa: ANN001
    text = BASE.replace('lead = "luis.perez@example.com"',
                        'lead = "luis.perez@example.com"\nholidays = ["2026-12-30", "2026-12-24"]')
    spec = load_org(write(tmp_path, text + HOLIDAY_DEFAULTS))
    # Case and the region's name are taken as the codes.
    assert (spec.defaults.country, spec.defaults.region) == ("ES", "MD")
    facturacion, sistemas = spec.teams["facturacion"], spec.teams["sistemas"]
    assert (facturacion.country, facturacion.region) == ("ES", "MD")
    assert facturacion.holidays == ["2026-12-24", "2026-12-31"]
    assert sistemas.holidays == ["2026-12-24", "2026-12-30", "2026-12-31"]


@pytest.mark.parametrize("team_keys, country, region", [
    ('country = "PT"', "PT", None),  # Another country: Madrid's region does not follow.
    ('country = "ES"', "ES", "MD"),  # The same country keeps the defaults' region.
    ('region = "ct"', "ES", "CT"),  # A region of the defaults' country.
    ('country = "US"\nregion = "California"', "US", "CA"),
])
def test_team_overrides_country_and_region(tmp_path, team_keys, country, region):  # noqa: ANN001
    spec = load_org(write(tmp_path, BASE + team_keys + "\n" + HOLIDAY_DEFAULTS))
    assert (spec.teams["sistemas"].country, spec.teams["sistemas"].region) == (country, region)
    assert (spec.teams["facturacion"].country, spec.teams["facturacion"].region) == ("ES", "MD")


def test_no_calendar_keys_means_no_holidays(tmp_path):  # noqa: ANN001
    team = load_org(write(tmp_path, BASE)).teams["sistemas"]
    assert (team.country, team.region, team.holidays) == (None, None, [])


async def test_import_writes_the_team_calendar(sessions, clock, tmp_path):  # noqa: ANN001
    await import_org(sessions, write(tmp_path, BASE), clock.now())
    summary = await import_org(sessions, write(tmp_path, BASE + 'country = "PT"\n' + HOLIDAY_DEFAULTS),
                               clock.now())
    assert (summary.teams.updated, summary.teams.unchanged) == (2, 0)
    async with sessions() as session:
        teams = {t.slug: t for t in (await session.exec(select(Team))).all()}
    assert (teams["facturacion"].country, teams["facturacion"].subdivision) == ("ES", "MD")
    assert teams["facturacion"].extra_holidays == ["2026-12-24", "2026-12-31"]
    assert (teams["sistemas"].country, teams["sistemas"].subdivision) == ("PT", None)
    again = await import_org(sessions, write(tmp_path, BASE + 'country = "PT"\n' + HOLIDAY_DEFAULTS),
                             clock.now())
    assert not again.changed


# -- customers and update cadence ---------------------------------------------


async def customers_by_slug(sessions) -> dict[str, Customer]:  # noqa: ANN001
    async with sessions() as session:
        return {c.slug: c for c in (await session.exec(select(Customer))).all()}


def test_customer_aliases_drop_own_slug_and_repeats(tmp_path):  # noqa: ANN001
    spec = load_org(write(tmp_path, BASE + CUSTOMERS))
    acme = spec.customers["acme"]
    assert acme.aliases == ["acme-logistica"]
    assert (acme.account_manager, acme.tier) == ("sara.ruiz@example.com", "gold")
    assert (spec.customers["globex"].tier, spec.customers["globex"].notes) == ("", "")


def test_cadence_fills_defaults(tmp_path):  # noqa: ANN001
    spec = load_org(write(tmp_path, BASE + 'update_cadence = { sev1 = "30m", sev3 = "2d" }\n'))
    assert spec.teams["sistemas"].cadence_minutes() == {
        "sev1": 30, "sev2": DEFAULT_CADENCE["sev2"], "sev3": 2 * 480, "sev4": DEFAULT_CADENCE["sev4"]}
    assert spec.teams["facturacion"].cadence_minutes() == DEFAULT_CADENCE
    assert tuple(DEFAULT_CADENCE) == SEVERITIES == ("sev1", "sev2", "sev3", "sev4")


def test_demo_file_has_customers_and_cadence():
    spec = load_org(DEMO)
    assert set(spec.customers) == {"acme", "globex", "initech"}
    emails = {p.email for p in spec.people}
    assert all(c.account_manager in emails for c in spec.customers.values())
    assert spec.teams["soporte"].cadence_minutes() == {"sev1": 60, "sev2": 120, "sev3": 480, "sev4": 1440}


async def test_import_demo_customers_and_cadence(sessions, clock):  # noqa: ANN001
    summary = await import_org(sessions, DEMO, clock.now())
    assert summary.customers.created == 3 and "customers: 3 created" in str(summary)
    async with sessions() as session:
        teams = {t.slug: t for t in (await session.exec(select(Team))).all()}
        elena = (await session.exec(select(Person).where(Person.email == "elena.torres@example.com"))).one()
    assert teams["soporte"].update_cadence == {"sev1": 60, "sev2": 120, "sev3": 480, "sev4": 1440}
    assert teams["legal"].update_cadence == DEFAULT_CADENCE
    acme = (await customers_by_slug(sessions))["acme"]
    assert (acme.name, acme.aliases, acme.tier) == ("ACME Logística S.L.", ["acme-logistica"], "gold")
    assert acme.account_manager_id == elena.id and acme.created_at == clock.now()
    summary = await import_org(sessions, DEMO, clock.now())
    assert (summary.customers.unchanged, summary.changed) == (3, False)


async def test_customers_created_updated_unchanged(sessions, clock, tmp_path):  # noqa: ANN001
    summary = await import_org(sessions, write(tmp_path, BASE + CUSTOMERS), clock.now())
    c = summary.customers
    assert (c.created, c.updated, c.unchanged) == (2, 0, 0)
    before = await customers_by_slug(sessions)
    assert (before["globex"].tier, before["globex"].notes, before["globex"].account_manager_id) == (
        "", "", None)

    clock.advance(days=1)
    again = await import_org(sessions, write(tmp_path, BASE + CUSTOMERS), clock.now())
    assert (again.customers.unchanged, again.changed) == (2, False)
    assert {k: v.model_dump() for k, v in (await customers_by_slug(sessions)).items()} == {
        k: v.model_dump() for k, v in before.items()}

    changed = (BASE + CUSTOMERS).replace('tier = "gold"', 'tier = "silver"').replace(
        'account_manager = "Sara.Ruiz@example.com"', 'account_manager = "luis.perez@example.com"')
    summary = await import_org(sessions, write(tmp_path, changed), clock.now())
    c = summary.customers
    assert (c.created, c.updated, c.unchanged) == (0, 1, 1) and summary.changed
    after = await customers_by_slug(sessions)
    async with sessions() as session:
        luis = (await session.exec(select(Person).where(Person.email == "luis.perez@example.com"))).one()
    assert (after["acme"].tier, after["acme"].account_manager_id) == ("silver", luis.id)
    assert after["acme"].created_at == before["acme"].created_at  # Not re-created.
    assert after["globex"].model_dump() == before["globex"].model_dump()


async def test_customers_missing_from_file_are_kept(sessions, clock, tmp_path):  # noqa: ANN001
    await import_org(sessions, write(tmp_path, BASE + CUSTOMERS), clock.now())
    summary = await import_org(sessions, write(tmp_path, BASE), clock.now())
    assert summary.customers == importer.Counts()
    assert set(await customers_by_slug(sessions)) == {"acme", "globex"}


async def test_account_manager_may_live_only_in_the_database(sessions, clock, tmp_path):  # noqa: ANN001
    async with sessions() as session:
        pilar = Person(email="Pilar.Soto@Example.com", name="Pilar", created_at=clock.now())
        session.add(pilar)
        await session.commit()
        await session.refresh(pilar)
    text = BASE + CUSTOMERS.replace("Sara.Ruiz@", "pilar.soto@")
    await import_org(sessions, write(tmp_path, text), clock.now())
    assert (await customers_by_slug(sessions))["acme"].account_manager_id == pilar.id


async def test_customer_alias_owned_by_a_database_customer(sessions, clock, tmp_path):  # noqa: ANN001
    async with sessions() as session:
        session.add(Customer(slug="initech", name="Initech", aliases=["acme-logistica"],
                             created_at=clock.now()))
        await session.commit()
    before = await snapshot(sessions)
    path = write(tmp_path, BASE + CUSTOMERS)
    with pytest.raises(OrgFileError) as caught:
        await import_org(sessions, path, clock.now())
    assert caught.value.key_path == "customers.acme.aliases[0]"
    assert '"acme-logistica" is already used by customer "initech" in the database' in str(caught.value)
    assert await snapshot(sessions) == before


async def test_import_links_requests_that_named_the_customer(sessions, clock, tmp_path):  # noqa: ANN001
    await import_org(sessions, write(tmp_path, BASE), clock.now())
    async with sessions() as session:
        marta = (await session.exec(select(Person).where(Person.email == "marta.lopez@example.com"))).one()
        team = (await session.exec(select(Team).where(Team.slug == "facturacion"))).one()
        other = Customer(slug="initech", name="Initech", created_at=clock.now())
        session.add(other)
        await session.flush()
        typed = {"upper": "ACME", "alias": "Acme-Logistica", "unknown": "Hooli", "none": None,
                 "linked": "acme"}
        rows = {key: Request(requester_id=marta.id, team_id=team.id, description=key,
                             customer=text, created_at=clock.now()) for key, text in typed.items()}
        rows["linked"].customer_id = other.id  # Already linked: left alone.
        session.add_all(rows.values())
        await session.commit()
        ids = {key: row.id for key, row in rows.items()}
        other_id = other.id
    await import_org(sessions, write(tmp_path, BASE + CUSTOMERS), clock.now())
    acme = (await customers_by_slug(sessions))["acme"]
    async with sessions() as session:
        linked = {r.description: r.customer_id for r in (await session.exec(select(Request))).all()}
    assert linked == {"upper": acme.id, "alias": acme.id, "unknown": None, "none": None,
                      "linked": other_id}
    assert set(ids) == set(linked)


async def competitors(sessions) -> list[str]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Competitor.name).order_by(Competitor.name))).all())


async def test_competitors_list_replaces_the_stored_one(sessions, clock, tmp_path):  # noqa: ANN001
    listed = 'competitors = ["Zendesk", "Freshdesk"]\n'
    summary = await import_org(sessions, write(tmp_path, listed + BASE), clock.now())
    assert (summary.competitors.created, summary.changed) == (2, True)
    assert "competitors: 2 created, 0 updated, 0 unchanged, 0 removed" in str(summary)
    assert await competitors(sessions) == ["Freshdesk", "Zendesk"]

    again = await import_org(sessions, write(tmp_path, listed + BASE), clock.now())
    assert (again.competitors.unchanged, again.changed) == (2, False)

    summary = await import_org(sessions, write(tmp_path, 'competitors = ["Zendesk", "HubSpot"]\n' + BASE),
                               clock.now())
    c = summary.competitors
    assert (c.created, c.unchanged, c.removed) == (1, 1, 1)
    assert await competitors(sessions) == ["HubSpot", "Zendesk"]

    # A file without the key leaves the list alone and says nothing of it; [] empties it.
    summary = await import_org(sessions, write(tmp_path, BASE), clock.now())
    assert summary.competitors is None and "competitors" not in str(summary)
    assert await competitors(sessions) == ["HubSpot", "Zendesk"]
    await import_org(sessions, write(tmp_path, "competitors = []\n" + BASE), clock.now())
    assert await competitors(sessions) == []


async def test_a_competitor_listed_twice_is_refused(sessions, clock, tmp_path):  # noqa: ANN001
    before = await snapshot(sessions)
    path = write(tmp_path, 'competitors = ["Zendesk", "ZÉNDESK"]\n' + BASE)
    with pytest.raises(OrgFileError, match=r"competitors\[1\]: \"ZÉNDESK\" is already listed as competitors\[0\]"):
        await import_org(sessions, path, clock.now())
    with pytest.raises(OrgFileError, match=r"competitors\[0\]: must be a non-empty text"):
        load_org(write(tmp_path, 'competitors = ["  "]\n' + BASE))
    assert await snapshot(sessions) == before and await competitors(sessions) == []
