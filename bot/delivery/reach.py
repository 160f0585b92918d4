"""Whether a team can receive its cards yet, and what happens while it cannot.

A team is reached through the first connected platform that names an intake
for it, the order bot.delivery.routing follows. A platform that writes only
where the bot was seen (Teams) cannot post in a channel Pedir has never been
in. Nothing is dropped and nobody is left guessing: the team's messages wait
as `unreachable`; its leads are told when the first one stops (once until the
team is reachable again); a card's watchers (its requester) are told once per
card. When Pedir is first seen in the channel, `requeue` puts everything back
in line, where only each card's latest version goes out, and tells them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import Channel, needs_reference
from bot.delivery.outbox import PERSON, TEAM, WATCHERS, enqueue
from bot.i18n import CATALOG, t
from bot.messages import Message
from bot.people import service as people
from bot.teams import service as teams
from storage import references
from storage.models import Outbox, Person, Team

UNREACHABLE = "unreachable"
TITLES_SHOWN = 5


@dataclass(frozen=True)
class TeamReach:
    """Where a team's cards go (None: no intake on a connected platform), and
    whether Pedir was ever seen there."""

    platform: str | None
    seen: bool = True

    @property
    def reachable(self) -> bool:
        return self.platform is not None and self.seen

    @property
    def reason(self) -> str:
        """Why it cannot be reached; "refused" when it should be but the platform said no."""
        if self.platform is None:
            return "no_intake"
        return "refused" if self.seen else "unseen"

    def why(self, locale: str | None) -> str:
        return t(locale, f"reach.why.{self.reason}", platform=platform_name(locale, self.platform))

    def fix(self, locale: str | None) -> str:
        return t(locale, f"reach.fix.{self.reason}", platform=platform_name(locale, self.platform))


@dataclass(frozen=True)
class Held:
    """A new team card kept back because the team cannot receive it yet."""

    team: Team
    reach: TeamReach
    leads: list[Person]

    def warning(self, locale: str | None) -> str:
        """What the requester reads under "Created PED-1"."""
        return t(locale, "reach.created_warning", team=self.team.name, why=self.reach.why(locale),
                 who=who_knows(locale, self.leads))


def platform_name(locale: str | None, platform: str | None) -> str:
    key = f"platform.{platform}"
    return t(locale, key) if key in CATALOG else (platform or "").capitalize()


def who_knows(locale: str | None, leads: list[Person]) -> str:
    if not leads:
        return t(locale, "reach.no_leads")
    return t(locale, "reach.told_leads", leads=", ".join(lead.name for lead in leads))


async def team_reach(session: AsyncSession, team: Team, channels: Sequence[Channel]) -> TeamReach:
    """As bot.delivery.routing routes a team's card: the first channel with an intake for it."""
    for channel in channels:
        address = channel.address_team(team)
        if not address:
            continue
        if needs_reference(channel):
            seen = await references.load(session, channel.platform, address) is not None
            return TeamReach(channel.platform, seen)
        return TeamReach(channel.platform)
    return TeamReach(None, seen=False)


async def hold(
    session: AsyncSession, team: Team, card_key: str, channels: Sequence[Channel], now: datetime,
) -> Held | None:
    """Known at once: a team that cannot receive its new card gets it marked
    unreachable before any attempt, and its leads are told. None when it can,
    or when nothing is known of the platforms (no channels given)."""
    if not channels:
        return None
    reach = await team_reach(session, team, channels)
    if reach.reachable:
        return None
    row = (await session.exec(
        select(Outbox).where(
            Outbox.card_key == card_key, Outbox.recipient_kind == TEAM, Outbox.recipient_id == team.id,
            Outbox.status == "pending",
        ).order_by(Outbox.id.desc()).limit(1)  # type: ignore[union-attr]
    )).first()
    if row is None:
        return None
    row.status, row.last_error = UNREACHABLE, _held_because(team, reach)
    session.add(row)
    await _tell_leads(session, row, team, reach, now)
    return Held(team=team, reach=reach, leads=await teams.leads(session, team.id))


def _held_because(team: Team, reach: TeamReach) -> str:
    """The row's last_error, worded as the dispatcher's would be (no message text)."""
    if reach.platform is None:
        return f"team {team.slug} has no intake on a connected platform (held when created)"
    platform = platform_name(None, reach.platform)
    return f"not reachable on {platform} yet: team {team.slug}'s channel never saw the bot (held when created)"


async def undelivered(session: AsyncSession, row: Outbox, channels: Sequence[Channel], now: datetime) -> None:
    """The dispatcher just recorded `row` unreachable: the team's leads and the
    card's watchers hear it, each once (see the module's docstring)."""
    if row.recipient_kind != TEAM:
        return  # a person no platform reaches cannot be told anything either
    team = await session.get(Team, row.recipient_id)
    if team is None:
        return
    reach = await team_reach(session, team, channels)
    await _tell_leads(session, row, team, reach, now)
    await _tell_watchers(session, row, team, reach, now)


async def _tell_leads(session: AsyncSession, row: Outbox, team: Team, reach: TeamReach, now: datetime) -> None:
    if await _others_waiting(session, row, same_card=False):
        return  # the leads heard it when the first message stopped
    for lead in await teams.leads(session, team.id):
        _tell(session, lead, now, "reach.lead.down", what=_what(lead.locale, row), team=team.name,
              why=reach.why(lead.locale), fix=reach.fix(lead.locale))


async def _tell_watchers(session: AsyncSession, row: Outbox, team: Team, reach: TeamReach, now: datetime) -> None:
    watchers = row.payload.get(WATCHERS) or []
    if not watchers or await _others_waiting(session, row, same_card=True):
        return  # nobody to tell, or told when an earlier version of the card stopped
    leads = await teams.leads(session, team.id)
    for person_id in watchers:
        person = await people.get(session, person_id)
        _tell(session, person, now, "reach.watcher.down", what=_what(person.locale, row), team=team.name,
              why=reach.why(person.locale), who=who_knows(person.locale, leads))


def _tell(session: AsyncSession, person: Person, now: datetime, key: str, **values: str) -> None:
    """A notice in the person's own chat, on whichever platform reaches them."""
    enqueue(session, recipient_kind=PERSON, recipient_id=person.id, now=now,
            message=Message(text=t(person.locale, key, **values)))


async def _others_waiting(session: AsyncSession, row: Outbox, *, same_card: bool) -> bool:
    """Whether other messages to this recipient (of this card) already wait as unreachable."""
    query = select(Outbox.id).where(
        Outbox.recipient_kind == row.recipient_kind, Outbox.recipient_id == row.recipient_id,
        Outbox.status == UNREACHABLE, Outbox.id != row.id,
    )
    if same_card:
        query = query.where(Outbox.card_key == row.card_key)
    return (await session.exec(query.limit(1))).first() is not None


def _what(locale: str | None, row: Outbox) -> str:
    title = row.payload.get("title")
    return t(locale, "reach.titled", title=title) if title else t(locale, "reach.a_message")


async def requeue(session: AsyncSession, platform: str, intake_id: str, now: datetime) -> int:
    """Pedir was just seen in this intake channel: what waited for it goes back
    in line, and the leads and watchers hear so. Returns how many messages."""
    intake = Team.intake[platform].as_string()  # type: ignore[index]
    total = 0
    for team in (await session.exec(select(Team).where(intake == intake_id))).all():
        total += await _requeue_team(session, team, platform, now)
    return total


async def _requeue_team(session: AsyncSession, team: Team, platform: str, now: datetime) -> int:
    # Conditional: of two turns racing in the channel, only one puts each row back.
    # created_at restarts too: the dispatcher gives up counting from it.
    back = await session.exec(  # type: ignore[call-overload]
        update(Outbox)
        .where(Outbox.recipient_kind == TEAM, Outbox.recipient_id == team.id, Outbox.status == UNREACHABLE)
        .values(status="pending", next_attempt_at=now, lease_until=None, last_error=None, created_at=now)
        .returning(Outbox.id)
    )
    ids = sorted(back.scalars().all())
    if not ids:
        return 0
    rows = (await session.exec(
        select(Outbox).where(Outbox.id.in_(ids)).order_by(Outbox.id)  # type: ignore[union-attr]
    )).all()
    # Older versions of a card are superseded at delivery: each card is named once, as its latest.
    cards = list({row.card_key: row for row in rows if row.card_key}.values())
    for lead in await teams.leads(session, team.id):
        shown = [_what(lead.locale, row) for row in cards[:TITLES_SHOWN]] or [t(lead.locale, "reach.a_message")]
        more = " …" if len(cards) > TITLES_SHOWN else ""
        _tell(session, lead, now, "reach.lead.up", platform=platform_name(lead.locale, platform), team=team.name,
              what=", ".join(shown) + more)
    for row in cards:
        for person_id in row.payload.get(WATCHERS) or []:
            person = await people.get(session, person_id)
            _tell(session, person, now, "reach.watcher.up", team=team.name, what=_what(person.locale, row))
    return len(ids)
