"""Pedir's hello when it is installed: once per installation, in the installer's language.

Teams announces one installation twice, as an installationUpdate and as a
conversationUpdate with the bot among membersAdded, in either order, and
only the first of them may carry a locale; the Bot Framework Emulator sends
only the second. Whichever arrives first claims the conversation's welcome
key (a processed-delivery row, unique, so two servers cannot both say
hello); removing the app clears it, so installing it again says hello again.
"""

from __future__ import annotations

from sqlmodel import delete

from bot.i18n import normalize_locale
from storage.models import Person, ProcessedDelivery


def welcome_key(conversation: str) -> str:
    return f"teams:welcome:{conversation}"


def installer_locale(person: Person | None, activity_locale: str | None, default: str) -> str:
    """The language Pedir already knows for the installer, else their Teams client's, else the default."""
    return normalize_locale((person.locale if person else None) or activity_locale, default)


async def forget(sessions, conversation: str) -> None:  # noqa: ANN001
    """The app left this conversation: its next installation is welcomed again."""
    async with sessions() as session, session.begin():
        await session.exec(delete(ProcessedDelivery).where(ProcessedDelivery.key == welcome_key(conversation)))
