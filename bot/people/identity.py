"""Turning a chat account into a Person: one person, many platforms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.people import merge, sources
from bot.people import service as people
from storage.models import Person, PlatformAccount


@dataclass(frozen=True)
class Profile:
    """What a platform tells about a user (any field may be unknown).

    `complete` is False when the platform could not be asked (rate-limited,
    down): the name is a stand-in and the email unknown, so the profile may
    start a person but never changes one.
    """

    name: str
    email: str | None = None
    locale: str | None = None
    timezone: str | None = None
    complete: bool = True


async def known(session: AsyncSession, platform: str, external_id: str, workspace: str = "") -> Person | None:
    return await people.by_account(session, platform, external_id, workspace)


async def link(
    session: AsyncSession, platform: str, external_id: str, profile: Profile, now: datetime, workspace: str = ""
) -> Person:
    """The person behind an account: by account, else by email, else a new person.

    The same email on Slack and Teams is the same Person. A user whose email is
    hidden, or whose profile could not be fetched, gets a person of their own,
    keyed by the account; once their email is known, an existing person with
    that email takes the account (and whatever the stand-in did meanwhile).
    """
    person = await people.by_account(session, platform, external_id, workspace)
    if person is not None:
        return await _learn(session, person, platform, profile) if profile.complete else person
    if profile.complete and profile.email:
        person = await people.by_email(session, profile.email)
    if person is None:
        person = _new_person(profile, platform, now)
        session.add(person)
        await session.flush()
    elif sources.take_from_platform(person, profile, platform):
        session.add(person)
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


def _new_person(profile: Profile, platform: str, now: datetime) -> Person:
    person = Person(name=profile.name, email=_email(profile), locale=profile.locale,
                    timezone=profile.timezone, created_at=now, profile_complete=profile.complete)
    if profile.complete:
        person.field_sources = {f: platform for f in sources.FIELDS if getattr(profile, f)}
    return person


async def _learn(session: AsyncSession, person: Person, platform: str, profile: Profile) -> Person:
    """A complete profile for a known account: fill in and refresh what it may.

    A person without an email whose profile now shows one that someone else
    has is that someone: typically a stand-in made while the platform was
    rate-limited, for a person known from the org file or the other platform.
    """
    email = _email(profile)
    if email and not person.email:
        owner = await people.by_email(session, email)
        if owner is not None and owner.id != person.id:
            await merge.fold(session, person, into=owner)
            person = owner
        else:
            person.email = email
    person.profile_complete = True
    sources.take_from_platform(person, profile, platform)
    session.add(person)
    return person


def _email(profile: Profile) -> str | None:
    return profile.email.strip().lower() if profile.email else None
