"""Deciding how an outbox row is delivered: which channel, where, as what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import HOME, SEND, UPDATE, Channel, DeliveryFailed, DeliveryRetry, HomeRenderer, Unreachable
from bot.delivery.outbox import PERSON, THREAD_KEY, WATCHERS
from bot.messages import Message
from bot.people import service as people
from bot.delivery.prefetch import Prefetched
from storage.models import CardPlacement, Outbox, Person, PlatformAccount, Team

# A parent card still pending: its thread replies wait this long, then look again.
THREAD_WAIT_SECONDS = 5.0


class ParentPending(DeliveryRetry):
    """A thread reply whose parent card has not been posted yet."""


@dataclass
class Plan:
    channel: Channel | None  # None only when there is nothing to send
    address: str
    message: Message
    card_key: str | None = None
    thread_id: str | None = None
    placed_id: str | None = None  # the card's id on the platform: edit it
    home: bool = False
    outcome: str | None = None  # set when there is nothing to send: "skipped"

    @property
    def kind(self) -> str:
        """What the channel is asked to do: SEND, UPDATE (the card is placed) or HOME."""
        if self.home:
            return HOME
        return UPDATE if self.placed_id is not None else SEND


async def plan_delivery(
    session: AsyncSession, row: Outbox, channels: list[Channel], now: datetime, render_home: HomeRenderer | None = None,
    known: Prefetched | None = None,
) -> Plan | None:
    """The delivery plan, or None when a newer version of the card makes this one moot.
    `known`: what was read for the row's whole batch (bot.delivery.prefetch)."""
    known = known or Prefetched()
    if await _superseded(session, row, known):
        return None
    payload = dict(row.payload)
    thread_key = payload.pop(THREAD_KEY, None)
    payload.pop(WATCHERS, None)
    message = Message.model_validate(payload)
    if message.surface == "home":
        return await _home_plan(session, row, channels, now, render_home, known)
    channel, address, locale = await _route(session, row, channels, known)
    plan = Plan(channel=channel, address=address, message=message.model_copy(update={"locale": locale}),
                card_key=row.card_key)
    if thread_key:
        parent = await _placement(session, thread_key, channel.platform, address, known)
        if parent is None and await _parent_unreachable(session, row, thread_key):
            # Waits with its card, and goes out with it (bot.delivery.reach.requeue),
            # instead of retrying until it is given up.
            raise Unreachable("parent card unreachable")
        if parent is None:
            raise ParentPending("parent card not delivered yet", THREAD_WAIT_SECONDS)
        plan.thread_id = parent.external_id
    if row.card_key:
        placed = await _placement(session, row.card_key, channel.platform, address, known)
        plan.placed_id = placed.external_id if placed else None
    return plan


async def _superseded(session: AsyncSession, row: Outbox, known: Prefetched) -> bool:
    """A newer version of the same card for the same recipient makes this one moot."""
    if not row.card_key:
        return False
    newest = known.newest.get((row.card_key, row.recipient_kind, row.recipient_id))
    if newest is not None and newest >= row.id:
        return newest > row.id
    newer = await session.exec(
        select(Outbox.id).where(
            Outbox.card_key == row.card_key,
            Outbox.recipient_kind == row.recipient_kind,
            Outbox.recipient_id == row.recipient_id,
            Outbox.id > row.id,
        )
    )
    return newer.first() is not None


async def _parent_unreachable(session: AsyncSession, row: Outbox, thread_key: str) -> bool:
    """Whether the latest version of the card this row replies under is unreachable."""
    latest = await session.exec(
        select(Outbox.status).where(
            Outbox.card_key == thread_key,
            Outbox.recipient_kind == row.recipient_kind,
            Outbox.recipient_id == row.recipient_id,
        ).order_by(Outbox.id.desc()).limit(1)  # type: ignore[union-attr]
    )
    return latest.first() == "unreachable"


async def _home_plan(
    session: AsyncSession, row: Outbox, channels: list[Channel], now: datetime, render_home: HomeRenderer | None,
    known: Prefetched,
) -> Plan:
    """A home page is rendered at delivery time, so it is never stale."""
    skipped = Plan(channel=None, address="", message=Message(text=""), outcome="skipped")
    if render_home is None:  # nobody renders pages here (the console, most tests)
        return skipped
    person, accounts = await _person(session, row.recipient_id, known)
    for channel in channels:
        address = channel.address_person(person, accounts)
        if address and channel.home_page:
            message = await render_home(session, person, now)
            return Plan(channel=channel, address=address, message=message, card_key=row.card_key, home=True)
    # No platform with a home page reaches this person: nothing to refresh.
    return skipped


async def _person(session: AsyncSession, person_id: int, known: Prefetched) -> tuple[Person, list[PlatformAccount]]:
    if person_id in known.people:
        return known.people[person_id], known.accounts.get(person_id, [])
    person = await people.get(session, person_id)
    return person, await people.accounts(session, person.id)


async def _placement(session: AsyncSession, card_key: str, platform: str, address: str,
                     known: Prefetched) -> CardPlacement | None:
    found = known.placement(card_key, platform, address)
    return found if found is not False else await placement(session, card_key, platform, address)  # type: ignore[return-value]


async def _route(session: AsyncSession, row: Outbox, channels: list[Channel],
                 known: Prefetched) -> tuple[Channel, str, str | None]:
    """The channel, the address on it, and the reader's language."""
    if row.recipient_kind == PERSON:
        person, accounts = await _person(session, row.recipient_id, known)
        for channel in channels:
            address = channel.address_person(person, accounts)
            if address:
                return channel, address, person.locale
        raise Unreachable(f"no connected platform reaches person {person.id}")
    team = known.teams.get(row.recipient_id) or await session.get(Team, row.recipient_id)
    if team is None:
        raise DeliveryFailed(f"team {row.recipient_id} no longer exists")
    for channel in channels:
        address = channel.address_team(team)
        if address:
            return channel, address, team.locale
    raise Unreachable(f"team {team.slug} has no intake on a connected platform")


async def placement(session: AsyncSession, card_key: str, platform: str, address: str) -> CardPlacement | None:
    result = await session.exec(
        select(CardPlacement).where(
            CardPlacement.card_key == card_key,
            CardPlacement.platform == platform,
            CardPlacement.address == address,
        )
    )
    return result.first()
