"""Write an organisation file to the database: one transaction, idempotent.

The whole file is validated before the first write, and every write happens
inside one transaction, so a bad file (even a problem in its last team) leaves
the database exactly as it was. Re-importing an unchanged file changes nothing.
Customers are written last, and requests that named one ("#ACME") before Pedir
knew it are linked to it. A `competitors` list replaces the stored one; a file
without it leaves the stored one alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.customers.service import link_requests
from bot.org.spec import (CustomerSpec, OrgFileError, OrgSpec, PersonSpec, TeamSpec, load_org,
                          show, suggestion)
from bot.people.sources import org_sources
from storage import references
from storage.models import Competitor, Customer, Membership, Person, PlatformAccount, Team

PLATFORMS = ("slack", "teams")  # PersonSpec field name == PlatformAccount.platform
# Intake platforms that post only in a channel Pedir has been seen in (a saved reference).
SEEN_FIRST = ("teams",)
WORKSPACE = ""  # One workspace per platform for now; the unique key includes it.


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # Only memberships and competitors are ever removed.


@dataclass(frozen=True)
class UnseenIntake:
    """A team's intake channel on a platform that posts only where Pedir was
    seen (Teams), and Pedir never was: the team cannot receive requests yet."""

    team: str  # slug
    platform: str
    channel: str


@dataclass
class ImportSummary:
    people: Counts = field(default_factory=Counts)
    teams: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    customers: Counts = field(default_factory=Counts)
    competitors: Counts | None = None  # None: the file has no competitors list
    unseen_intakes: list[UnseenIntake] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.removed
                   for c in (self.people, self.teams, self.memberships, self.customers, self.competitors) if c)

    def __str__(self) -> str:
        def part(name: str, c: Counts) -> str:
            extra = f", {c.removed} removed" if name in ("memberships", "competitors") else ""
            return f"{name}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged{extra}"
        names = ("people", "teams", "memberships", "customers") + (("competitors",) if self.competitors else ())
        return "; ".join(part(n, getattr(self, n)) for n in names)


async def unseen_intakes(session: AsyncSession) -> list[UnseenIntake]:
    """Every team's intake channel Pedir has never been in, by team slug."""
    found: list[UnseenIntake] = []
    all_teams = (await session.exec(select(Team).order_by(Team.slug))).all()
    for platform in SEEN_FIRST:
        channels = {team.slug: team.intake[platform] for team in all_teams if (team.intake or {}).get(platform)}
        seen = await references.stored(session, platform, map(references.channel_key, channels.values()))
        found += [UnseenIntake(slug, platform, channel) for slug, channel in channels.items()
                  if references.channel_key(channel) not in seen]
    return sorted(found, key=lambda unseen: (unseen.team, unseen.platform))


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set only what differs, so an unchanged row is never marked dirty."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def import_org(
    sessions: async_sessionmaker[AsyncSession], path: Path, now: datetime
) -> ImportSummary:
    """Validate `path` fully, then upsert people, accounts, teams, memberships and customers."""
    spec = load_org(path)
    summary = ImportSummary()
    async with sessions() as session, session.begin():  # Any exception rolls back.
        await _Import(session, spec, Path(path), now, summary).run()
    return summary


class _Import:
    def __init__(self, session: AsyncSession, spec: OrgSpec, path: Path, now: datetime,
                 summary: ImportSummary) -> None:
        self.session, self.spec, self.path, self.now, self.summary = session, spec, path, now, summary
        self.by_email: dict[str, Person] = {}
        self.accounts: dict[tuple[str, str], PlatformAccount] = {}
        self.status: dict[str, str] = {}  # email -> created | updated | unchanged

    async def run(self) -> None:
        # Reads and checks first: nothing is written until the file is known good.
        await self._load()
        teams = {t.slug: t for t in (await self.session.exec(select(Team))).all()}
        customers = {c.slug: c for c in (await self.session.exec(select(Customer))).all()}
        self._check_references()
        self._check_aliases("teams", "team", teams)
        self._check_aliases("customers", "customer", customers)
        people = [await self._upsert_person(p) for p in self.spec.people]
        await self.session.flush()  # New people get their ids.
        await self._sync_accounts(people)
        for slug, team_spec in self.spec.teams.items():
            team = await self._upsert_team(slug, team_spec, teams.get(slug))
            await self._sync_memberships(team, team_spec)
        for slug, customer_spec in self.spec.customers.items():
            customer = await self._upsert_customer(slug, customer_spec, customers.get(slug))
            await link_requests(self.session, customer)
        if self.spec.competitors is not None:
            await self._sync_competitors(self.spec.competitors)
        self.summary.unseen_intakes = await unseen_intakes(self.session)

    async def _load(self) -> None:
        emails = {p.email for p in self.spec.people}
        for team in self.spec.teams.values():
            emails.update([team.lead, *team.members])
        emails.update(c.account_manager for c in self.spec.customers.values() if c.account_manager)
        # Case-insensitive: a row written elsewhere as "Ana@..." is the same person.
        rows = await self.session.exec(select(Person).where(func.lower(Person.email).in_(emails)))
        for person in rows.all():  # An exact lowercase match wins over "Ana@...".
            if person.email == person.email.lower() or person.email.lower() not in self.by_email:
                self.by_email[person.email.lower()] = person
        keys = [(pl, getattr(p, pl)) for p in self.spec.people for pl in PLATFORMS if getattr(p, pl)]
        if keys:
            rows = await self.session.exec(select(PlatformAccount).where(
                PlatformAccount.workspace == WORKSPACE,
                or_(*((PlatformAccount.platform == pl) & (PlatformAccount.external_id == ext)
                      for pl, ext in keys))))
            self.accounts = {(a.platform, a.external_id): a for a in rows.all()}

    def _check_references(self) -> None:
        known = {p.email for p in self.spec.people} | set(self.by_email)
        refs: list[tuple[str, str]] = []
        for slug, team in self.spec.teams.items():
            refs += [(f"teams.{slug}.lead", team.lead)]
            refs += [(f"teams.{slug}.members[{i}]", e) for i, e in enumerate(team.members)]
        refs += [(f"customers.{slug}.account_manager", c.account_manager)
                 for slug, c in self.spec.customers.items() if c.account_manager]
        for where, email in refs:
            if email not in known:
                raise OrgFileError(self.path, where, f"{show(email)} is not in [[people]] "
                                   f"nor in the database{suggestion(email, known)}")

    def _check_aliases(self, table: str, kind: str, rows: dict[str, Team | Customer]) -> None:
        # Teams or customers kept only in the database still own their slug and aliases.
        specs: dict[str, TeamSpec | CustomerSpec] = getattr(self.spec, table)
        taken = {name: slug for slug, row in rows.items() if slug not in specs
                 for name in (slug, *row.aliases)}
        for slug, spec in specs.items():
            for where, name in [("", slug)] + [(f".aliases[{i}]", a) for i, a in enumerate(spec.aliases)]:
                if name in taken:
                    raise OrgFileError(self.path, f"{table}.{slug}{where}", f"{show(name)} is already "
                                       f"used by {kind} {show(taken[name])} in the database")

    async def _upsert_person(self, spec: PersonSpec) -> Person:
        values: dict[str, Any] = {"email": spec.email, "name": spec.name}
        # Left out of the entry: a new person takes [defaults]; an existing one keeps
        # what they chose (e.g. in chat), so re-imports never undo a user's choice.
        values.update({k: getattr(spec, k) for k in ("locale", "timezone") if getattr(spec, k)})
        person = self.by_email.get(spec.email) or await self._adoptable(spec)
        # What the entry sets is the org's: platform profiles never overwrite it.
        values["field_sources"] = org_sources(person, values)
        values["hr"] = spec.hr
        if person is None:
            defaults = {"locale": self.spec.defaults.locale, "timezone": self.spec.defaults.timezone}
            person = Person(**{**defaults, **values}, created_at=self.now)
            self.session.add(person)
            self.status[spec.email] = "created"
        else:
            self.status[spec.email] = "updated" if _assign(person, values) else "unchanged"
        self.by_email[spec.email] = person
        return person

    async def _adoptable(self, spec: PersonSpec) -> Person | None:
        """A chat user met before their email was known: give them the email."""
        for platform in PLATFORMS:
            account = self.accounts.get((platform, getattr(spec, platform)))
            if account is not None:
                person = await self.session.get(Person, account.person_id)
                if person is not None and person.email is None:
                    return person
        return None

    async def _sync_accounts(self, people: list[Person]) -> None:
        """Each platform id in the file belongs to its person; their older ids go."""
        given = [(s, p, pl, getattr(s, pl)) for s, p in zip(self.spec.people, people)
                 for pl in PLATFORMS if getattr(s, pl)]
        wanted = {(pl, ext) for _, _, pl, ext in given}
        for spec, person, platform, ext in given:
            account = self.accounts.get((platform, ext))
            if account is None:
                self.session.add(PlatformAccount(platform=platform, workspace=WORKSPACE,
                                                 external_id=ext, person_id=person.id))
            elif account.person_id == person.id:
                continue
            else:
                account.person_id = person.id
            self._touch(spec.email)
        owners = {(p.id, pl): s.email for s, p, pl, _ in given}
        rows = await self.session.exec(select(PlatformAccount).where(
            PlatformAccount.workspace == WORKSPACE,
            PlatformAccount.person_id.in_([p.id for p in people])))
        for account in rows.all():
            owner = owners.get((account.person_id, account.platform))
            if owner and (account.platform, account.external_id) not in wanted:
                await self.session.delete(account)
                self._touch(owner)
        for state in self.status.values():
            setattr(self.summary.people, state, getattr(self.summary.people, state) + 1)

    def _touch(self, email: str) -> None:
        # A person whose only change is an account still counts as updated.
        if self.status[email] == "unchanged":
            self.status[email] = "updated"

    async def _upsert_team(self, slug: str, spec: TeamSpec, team: Team | None) -> Team:
        values: dict[str, Any] = {
            "name": spec.name, "aliases": spec.aliases, "what_we_do": spec.what_we_do,
            "our_customers": spec.our_customers, "ask_us_for": spec.ask_us_for,
            "we_need_from_you": spec.we_need_from_you, "keywords": spec.keywords,
            "sla": spec.sla_minutes(), "business_hours": spec.business_hours,
            "timezone": spec.timezone, "update_cadence": spec.cadence_minutes(),
            "country": spec.country, "subdivision": spec.region, "extra_holidays": spec.holidays,
        }
        # Left out of the file: keep what was configured another way (e.g. in chat).
        if spec.locale is not None:
            values["locale"] = spec.locale
        if spec.intake is not None:
            values["intake"] = spec.intake.model_dump(exclude_none=True)
        if team is None:
            team = Team(slug=slug, **values)
            self.session.add(team)
            await self.session.flush()  # Memberships need the id.
            self.summary.teams.created += 1
        elif _assign(team, values):
            self.summary.teams.updated += 1
        else:
            self.summary.teams.unchanged += 1
        return team

    async def _sync_memberships(self, team: Team, spec: TeamSpec) -> None:
        """The team's memberships become exactly the file's lead and members."""
        wanted = {self.by_email[e].id: "member" for e in spec.member_emails()}
        wanted[self.by_email[spec.lead].id] = "lead"
        rows = await self.session.exec(select(Membership).where(Membership.team_id == team.id))
        counts = self.summary.memberships
        for row in rows.all():
            role = wanted.pop(row.person_id, None)
            if role is None:
                await self.session.delete(row)
                counts.removed += 1
            elif _assign(row, {"role": role}):
                counts.updated += 1
            else:
                counts.unchanged += 1
        for person_id, role in wanted.items():
            self.session.add(Membership(person_id=person_id, team_id=team.id, role=role))
            counts.created += 1

    async def _upsert_customer(self, slug: str, spec: CustomerSpec, customer: Customer | None) -> Customer:
        # Every value comes from the file: an account manager left out is cleared.
        manager = self.by_email[spec.account_manager].id if spec.account_manager else None
        values: dict[str, Any] = {"name": spec.name, "aliases": spec.aliases, "tier": spec.tier,
                                  "notes": spec.notes, "account_manager_id": manager}
        counts = self.summary.customers
        if customer is None:
            customer = Customer(slug=slug, **values, created_at=self.now)
            self.session.add(customer)
            await self.session.flush()  # Requests are linked by id.
            counts.created += 1
        elif _assign(customer, values):
            counts.updated += 1
        else:
            counts.unchanged += 1
        return customer

    async def _sync_competitors(self, names: list[str]) -> None:
        """The file's list replaces the stored one; a name spelt anew is removed and created."""
        counts = self.summary.competitors = Counts()
        stored = {row.name: row for row in (await self.session.exec(select(Competitor))).all()}
        for name, row in stored.items():
            if name in names:
                counts.unchanged += 1
            else:
                await self.session.delete(row)
                counts.removed += 1
        for name in names:
            if name not in stored:
                self.session.add(Competitor(name=name))
                counts.created += 1
