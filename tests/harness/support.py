"""Test helpers: a recording delivery channel and the demo organisation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from bot.delivery.channel import DeliveryRetry
from bot.delivery.lanes import Lane
from bot.messages import Message
from bot.org.importer import import_org
from bot.people import service as people
from sqlalchemy import or_

from storage.models import Outbox, Person, PlatformAccount, Team

DEMO_ORG = Path(__file__).resolve().parents[2] / "examples" / "demo-org.toml"


@dataclass
class Delivered:
    kind: str  # send | update
    address: str
    message: Message
    thread_id: str | None
    external_id: str


@dataclass
class RecordingChannel:
    """Reaches everyone, records every call, and can fail the next N calls."""

    platform: str = "test"
    calls: list[Delivered] = field(default_factory=list)
    fail_next: list[Exception] = field(default_factory=list)
    counter: int = 0

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        return f"person:{person.email}"

    def address_team(self, team: Team) -> str | None:
        return f"team:{team.slug}"

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        self._maybe_fail()
        self.counter += 1
        external_id = f"msg-{self.counter}"
        self.calls.append(Delivered("send", address, message, thread_id, external_id))
        return external_id

    async def update(self, address: str, external_id: str, message: Message) -> str:
        self._maybe_fail()
        self.calls.append(Delivered("update", address, message, None, external_id))
        return external_id

    def lanes(self, kind: str, address: str) -> tuple[Lane, ...]:
        return (Lane(self.platform, kind, address),)

    def to(self, address: str) -> list[Delivered]:
        return [call for call in self.calls if call.address == address]

    def rate_limit_next(self, times: int, retry_after: float = 1.0) -> None:
        self.fail_next.extend(DeliveryRetry("429 rate limited", retry_after) for _ in range(times))


async def load_demo(sessions, clock) -> None:  # noqa: ANN001
    await import_org(sessions, DEMO_ORG, clock.now())


async def person(sessions, email: str) -> Person:  # noqa: ANN001
    async with sessions() as session:
        found = await people.by_email(session, email)
    assert found is not None, email
    return found


def chat_messages():  # noqa: ANN201
    """Outbox rows that are chat messages, not home-page refreshes."""
    return or_(Outbox.card_key.is_(None), ~Outbox.card_key.startswith("home:"))  # type: ignore[union-attr]


def slow_down(monkeypatch, owner, name: str, seconds: float = 0.05) -> None:  # noqa: ANN001
    """Pause inside `owner.name`, so two concurrent changes overlap every time."""
    original = getattr(owner, name)

    async def slowed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        await asyncio.sleep(seconds)
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slowed)
