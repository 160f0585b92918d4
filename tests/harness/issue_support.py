"""Helpers for the customer-issue tests: reading what an action stored and queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from storage.models import (
    Customer, Issue, IssueFollower, Outbox, Person, RiskFlag, StatusAck, StatusUpdate, Team,
)
from tests.harness.support import chat_messages

MADRID = ZoneInfo("Europe/Madrid")
# The demo people, by the local part of their email.
ANA, ELENA, JAMES = "ana.garcia", "elena.torres", "james.whitaker"
JAVIER, LUCIA, CARLOS = "javier.martin", "lucia.hernandez", "carlos.navarro"
MARTA, SARA, PABLO = "marta.lopez", "sara.ruiz", "pablo.jimenez"


def madrid(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MADRID)


async def rows(sessions, model, *where, order=None) -> list[Any]:  # noqa: ANN001
    async with sessions() as session:
        query = select(model).where(*where).order_by(order if order is not None else model.id)
        return list((await session.exec(query)).all())


async def count(sessions, model, *where) -> int:  # noqa: ANN001
    query = select(func.count()).select_from(model).where(*where)
    if model is Outbox:
        query = query.where(chat_messages())
    async with sessions() as session:
        return (await session.exec(query)).one()


async def last_outbox_id(sessions) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.max(Outbox.id)))).one() or 0


async def outbox(sessions, *, after: int = 0, key: str | None = None, prefix: str | None = None) -> list[Outbox]:  # noqa: ANN001
    """Chat messages (not home refreshes) queued after outbox id `after`, oldest first."""
    where = [Outbox.id > after, chat_messages()]
    if key is not None:
        where.append(Outbox.card_key == key)
    if prefix is not None:
        where.append(Outbox.card_key.startswith(prefix))  # type: ignore[union-attr]
    return await rows(sessions, Outbox, *where)


async def homes(sessions, *, after: int = 0) -> set[int]:  # noqa: ANN001
    """People whose home page was queued for a refresh after outbox id `after`."""
    found = await rows(sessions, Outbox, Outbox.id > after, Outbox.card_key.startswith("home:"))  # type: ignore[union-attr]
    return {row.recipient_id for row in found}


async def issue(sessions, issue_id: int = 1) -> Issue:  # noqa: ANN001
    async with sessions() as session:
        found = await session.get(Issue, issue_id)
    assert found is not None, issue_id
    return found


async def team(sessions, slug: str) -> Team:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(Team).where(Team.slug == slug))).one()


async def customer(sessions, slug: str) -> Customer:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(Customer).where(Customer.slug == slug))).one()


async def names_by_id(sessions) -> dict[tuple[str, int], str]:  # noqa: ANN001
    """("person", id) -> email local part, ("team", id) -> slug."""
    out: dict[tuple[str, int], str] = {}
    for p in await rows(sessions, Person):
        out[("person", p.id)] = p.email.split("@")[0] if p.email else p.name
    for t in await rows(sessions, Team):
        out[("team", t.id)] = t.slug
    return out


async def recipients(sessions, found: list[Outbox]) -> list[str]:  # noqa: ANN001
    """Outbox rows' recipients, readable: "ana.garcia", "team:soporte"."""
    names = await names_by_id(sessions)
    return [("team:" if r.recipient_kind == "team" else "") + names[(r.recipient_kind, r.recipient_id)]
            for r in found]


async def followers(sessions, issue_id: int = 1) -> set[str]:  # noqa: ANN001
    names = await names_by_id(sessions)
    found = await rows(sessions, IssueFollower, IssueFollower.issue_id == issue_id)
    return {("team:" if f.kind == "team" else "") + names[(f.kind, f.ref_id)] for f in found}


async def snapshot(sessions) -> dict[str, Any]:  # noqa: ANN001
    """Row counts and every issue's state: what a refused action must leave alone."""
    out: dict[str, Any] = {
        model.__name__: await count(sessions, model)
        for model in (Issue, IssueFollower, StatusUpdate, StatusAck, Outbox, RiskFlag, Customer)
    }
    out["issues"] = [i.model_dump() for i in await rows(sessions, Issue)]
    out["flags"] = [f.model_dump() for f in await rows(sessions, RiskFlag)]
    return out


def action_ids(row: Outbox) -> list[str]:
    return [a["id"] for a in row.payload.get("actions", [])]


def field(payload: dict[str, Any], label: str) -> str:
    return next(f["value"] for f in payload["fields"] if f["label"] == label)


def plain(text: str | None) -> str:
    """Babel's narrow and no-break spaces as plain ones."""
    return " ".join((text or "").replace("\xa0", " ").replace("\u202f", " ").split())
