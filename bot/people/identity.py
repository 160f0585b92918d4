"""Turning a chat account into a Person: one person, many platforms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.people import service as people
from storage.models import Person, PlatformAccount


@dataclass(frozen=True)
class Profile:
    """What a platform tells about a user (any field may be unknown)."""

    name: str
    email: str | None = None
    locale: str | None = None
    timezone: str | None = None


def _refresh(person: Person, profile: Profile) -> bool:
    changed = False
    for attr in ("name", "locale", "timezone"):
        value = getattr(profile, attr)
        if value and getattr(person, attr) != value:
            setattr(person, attr, value)
            changed = True
    if profile.email and not person.email:
        person.email = profile.email.lower()
        changed = True
    return changed


async def known(session: AsyncSession, platform: str, external_id: str, workspace: str = "") -> Person | None:
    return await people.by_account(session, platform, external_id, workspace)


async def link(
    session: AsyncSession, platform: str, external_id: str, profile: Profile, now: datetime, workspace: str = ""
) -> Person:
    """The person behind an account: by account, else by email, else a new person.

    The same email on Slack and Teams is the same Person. A user whose email is
    hidden gets a person of their own, keyed by the account.
    """
    person = await people.by_account(session, platform, external_id, workspace)
    if person is None and profile.email:
        person = await people.by_email(session, profile.email)
    if person is None:
        person = Person(name=profile.name, email=(profile.email or "").lower() or None,
                        locale=profile.locale, timezone=profile.timezone, created_at=now)
        session.add(person)
        await session.flush()
    elif _refresh(person, profile):
        session.add(person)
    if await people.by_account(session, platform, external_id, workspace) is None:
        try:
            async with session.begin_nested():
                session.add(PlatformAccount(platform=platform, workspace=workspace,
                                            external_id=external_id, person_id=person.id))
        except IntegrityError:
            # Another request linked the same account a moment ago: use theirs.
            again = await people.by_account(session, platform, external_id, workspace)
            if again is not None:
                return again
    return person
