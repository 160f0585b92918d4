"""Teams as a delivery channel: proactive messages through saved references.

A person or channel the bot has never seen (no saved reference) is
'unreachable on Teams', recorded on the message, never silently dropped.
Bot Connector throttling (429, 412, 502, 504) is retried, honouring
Retry-After; sends to one conversation are spaced to Teams' 7 per second.
Teams limits a bot per conversation (its "per bot per thread" limit counts
sends and edits together): a 429 pauses that conversation's lane only.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import ConversationReference

from adapters.teams.cards import card_attachment, message_card
from bot.delivery.channel import DeliveryFailed, DeliveryRetry, Unreachable
from bot.delivery.lanes import Lane
from bot.messages import Message
from storage import references
from storage.models import Person, PlatformAccount, Team

PLATFORM = "teams"
PASSING_STATUSES = {412, 429, 500, 502, 503, 504}
MESSAGES_PER_SECOND = 7
THREAD_MARK = ";messageid="
RATE_LIMITED = 429


def conversation_lane(address: str) -> Lane:
    """One lane per conversation: an address is one chat or channel, whatever the operation."""
    return Lane(PLATFORM, "conversation", address)


def status_and_retry_after(exc: Exception) -> tuple[int | None, float | None]:
    """botframework-connector raises msrest errors carrying the HTTP response."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return status, float(retry_after) if retry_after is not None else None
    except ValueError:
        return status, None


class TeamsChannel:
    platform = PLATFORM
    home_page = False  # a bot has no per-person page on Teams
    needs_reference = True  # proactive messages go only where the bot was seen

    def __init__(self, adapter: Any, sessions: Any, app_id: str | None, *,
                 sleep: Any = asyncio.sleep, monotonic: Any = time.monotonic) -> None:
        self.adapter = adapter
        self.sessions = sessions
        self.app_id = app_id or ""
        self._sleep, self._monotonic = sleep, monotonic
        self._last_send: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        return references.person_key(person.id) if any(a.platform == PLATFORM for a in accounts) else None

    def address_team(self, team: Team) -> str | None:
        channel = (team.intake or {}).get(PLATFORM)
        return references.channel_key(channel) if channel else None

    async def _reference(self, address: str) -> ConversationReference:
        async with self.sessions() as session:
            saved = await references.load(session, PLATFORM, address)
        if saved is None:
            raise Unreachable(f"not reachable on Teams yet ({address.split(':')[0]}): the bot was never installed there")
        return ConversationReference().deserialize(saved)

    async def _pace(self, conversation: str) -> None:
        """Teams allows about 7 messages a second per conversation: space them."""
        lock = self._locks.setdefault(conversation, asyncio.Lock())
        async with lock:
            wait = self._last_send.get(conversation, float("-inf")) + 1 / MESSAGES_PER_SECOND - self._monotonic()
            if wait > 0:
                await self._sleep(wait)
            self._last_send[conversation] = self._monotonic()

    def lanes(self, kind: str, address: str) -> tuple[Lane, ...]:
        return (conversation_lane(address),)

    async def _continue(self, reference: ConversationReference, activity: Any, update: bool, lane: Lane) -> str:
        await self._pace(reference.conversation.id.split(THREAD_MARK, 1)[0])
        sent: dict[str, str] = {}

        async def logic(turn_context: TurnContext) -> None:
            if update:
                await turn_context.update_activity(activity)
                sent["id"] = activity.id
            else:
                response = await turn_context.send_activity(activity)
                sent["id"] = getattr(response, "id", None) or ""

        try:
            await self.adapter.continue_conversation(reference, logic, self.app_id)
        except (Unreachable, DeliveryFailed, DeliveryRetry):
            raise
        except Exception as exc:  # noqa: BLE001  (sorted by status below)
            status, retry_after = status_and_retry_after(exc)
            if status in PASSING_STATUSES or status is None:
                refused = lane if status == RATE_LIMITED else None
                raise DeliveryRetry(f"teams {status or exc.__class__.__name__}", retry_after, refused) from None
            if status in (403, 404):
                raise Unreachable(f"teams {status}: the bot cannot write there") from None
            raise DeliveryFailed(f"teams {status}") from None
        return sent["id"]

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        reference = await self._reference(address)
        base = reference.conversation.id.split(THREAD_MARK, 1)[0]
        if thread_id and address.startswith("channel:"):
            # Into the card's thread; a personal chat has no threads.
            reference.conversation.id = f"{base}{THREAD_MARK}{thread_id.split('|', 1)[1]}"
        activity = MessageFactory.attachment(card_attachment(message_card(message)))
        activity_id = await self._continue(reference, activity, update=False, lane=conversation_lane(address))
        return f"{base}|{activity_id}"

    async def update(self, address: str, external_id: str, message: Message) -> str:
        reference = await self._reference(address)
        activity = MessageFactory.attachment(card_attachment(message_card(message)))
        activity.id = external_id.split("|", 1)[1]
        await self._continue(reference, activity, update=True, lane=conversation_lane(address))
        return external_id

    async def publish_home(self, address: str, message: Message) -> None:
        raise DeliveryFailed("Teams has no home page")
