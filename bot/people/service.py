"""Queries about people; sessions are passed in, never created here."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, PlatformAccount


async def get(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise LookupError(f"person {person_id} does not exist")
    return person


async def by_email(session: AsyncSession, email: str) -> Person | None:
    result = await session.exec(select(Person).where(Person.email == email.strip().lower()))
    return result.first()


async def by_account(
    session: AsyncSession, platform: str, external_id: str, workspace: str = ""
) -> Person | None:
    result = await session.exec(
        select(Person)
        .join(PlatformAccount, PlatformAccount.person_id == Person.id)
        .where(
            PlatformAccount.platform == platform,
            PlatformAccount.workspace == workspace,
            PlatformAccount.external_id == external_id,
        )
    )
    return result.first()


async def accounts(session: AsyncSession, person_id: int) -> list[PlatformAccount]:
    result = await session.exec(
        select(PlatformAccount).where(PlatformAccount.person_id == person_id).order_by(PlatformAccount.id)
    )
    return list(result.all())


async def by_handle(session: AsyncSession, handle: str) -> Person | None:
    """An email, or '@ana.garcia' meaning the local part of someone's email."""
    handle = handle.strip().lstrip("@").lower()
    if "@" in handle:
        return await by_email(session, handle)
    result = await session.exec(select(Person).where(Person.email.startswith(handle + "@")))  # type: ignore[union-attr]
    matches = list(result.all())
    return matches[0] if len(matches) == 1 else None
