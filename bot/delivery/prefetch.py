"""What planning a batch of outbox rows reads, read for the whole batch at once.

Routing a row reads its person and their accounts, whether a newer version of
its card is queued, and where its card (or its thread's parent card) was
posted, or its team: a few queries per row, which for a survey's thousands
of rows cost more than the sends. Here they are five queries per batch;
routing falls back to its own queries for anything not read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.outbox import PERSON, TEAM, THREAD_KEY
from storage.models import CardPlacement, Outbox, Person, PlatformAccount, Team


@dataclass
class Prefetched:
    people: dict[int, Person] = field(default_factory=dict)
    accounts: dict[int, list[PlatformAccount]] = field(default_factory=dict)  # by person id, in id order
    teams: dict[int, Team] = field(default_factory=dict)
    # (card key, recipient kind, recipient id) -> the newest row's id
    newest: dict[tuple[str, str, int], int] = field(default_factory=dict)
    cards: set[str] = field(default_factory=set)  # card keys whose placements were read
    placements: dict[tuple[str, str, str], CardPlacement] = field(default_factory=dict)  # (card, platform, address)

    def placement(self, card_key: str, platform: str, address: str) -> CardPlacement | None | bool:
        """The placement, None if the card was not placed there, or False if not read here."""
        if card_key not in self.cards:
            return False
        return self.placements.get((card_key, platform, address))


async def prefetch(session: AsyncSession, rows: Sequence[Outbox]) -> Prefetched:
    known = Prefetched()
    person_ids = sorted({row.recipient_id for row in rows if row.recipient_kind == PERSON})
    if person_ids:
        found = await session.exec(select(Person).where(Person.id.in_(person_ids)))  # type: ignore[union-attr]
        known.people = {person.id: person for person in found.all()}
        accounts = defaultdict(list)
        for account in (await session.exec(
            select(PlatformAccount).where(PlatformAccount.person_id.in_(person_ids))  # type: ignore[attr-defined]
            .order_by(PlatformAccount.id)
        )).all():
            accounts[account.person_id].append(account)
        known.accounts = {person_id: accounts.get(person_id, []) for person_id in known.people}
    team_ids = sorted({row.recipient_id for row in rows if row.recipient_kind == TEAM})
    if team_ids:
        known.teams = {team.id: team for team in (await session.exec(
            select(Team).where(Team.id.in_(team_ids)))).all()}  # type: ignore[union-attr]
    card_keys = sorted({row.card_key for row in rows if row.card_key})
    if card_keys:
        newest = await session.exec(
            select(Outbox.card_key, Outbox.recipient_kind, Outbox.recipient_id, func.max(Outbox.id))
            .where(Outbox.card_key.in_(card_keys))  # type: ignore[union-attr]
            .group_by(Outbox.card_key, Outbox.recipient_kind, Outbox.recipient_id)
        )
        known.newest = {(key, kind, rid): top for key, kind, rid, top in newest.all()}
    known.cards = set(card_keys) | {row.payload[THREAD_KEY] for row in rows if row.payload.get(THREAD_KEY)}
    if known.cards:
        placed = await session.exec(
            select(CardPlacement).where(CardPlacement.card_key.in_(sorted(known.cards)))  # type: ignore[attr-defined]
        )
        known.placements = {(p.card_key, p.platform, p.address): p for p in placed.all()}
    return known
