"""What a platform adapter implements so the dispatcher can deliver through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.lanes import Lane
from bot.messages import Message
from storage.models import Person, PlatformAccount, Team

# Renders a person's home page in an open session, at delivery time (bot.app
# gives one to the dispatcher: delivery knows no pages).
HomeRenderer = Callable[[AsyncSession, Person, datetime], Awaitable[Message]]

# What a delivery asks of a channel: post a message, edit one, replace a home page.
SEND, UPDATE, HOME = "send", "update", "home"


# Starts a DeliveryRetry's reason when the send may have gone out all the same
# (a timeout after the request left): the dispatcher looks before posting again.
MAYBE_SENT = "maybe sent: "


class DeliveryRetry(Exception):
    """A passing failure (rate limit, 5xx, timeout): try again later.

    A rate limit names its `lane`: with a retry_after, the dispatcher sends
    nothing else down that lane until then. `wider` is the lane of the whole
    method, when the platform caps it across destinations as well as per
    destination: the refusal may be that cap's (bot.delivery.lanes).
    """

    def __init__(
        self, reason: str, retry_after: float | None = None, lane: Lane | None = None, wider: Lane | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.lane = lane
        self.wider = wider


class DeliveryFailed(Exception):
    """A failure that retrying will not fix (channel archived, bad payload)."""


class Unreachable(Exception):
    """The recipient cannot be reached on this platform yet (e.g. never installed)."""


class Channel(Protocol):
    platform: str
    home_page: bool  # whether the platform shows each person a page of their own (Slack's App Home)
    # Optional (read by `needs_reference`): true where the platform writes only
    # to a chat or channel it holds a saved conversation reference for (Teams),
    # keyed by the delivery address in storage.references.

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        """Where this person is reached on this platform, or None if not here."""

    def address_team(self, team: Team) -> str | None:
        """The team's intake destination on this platform, or None."""

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        """Posts the message (as a reply under thread_id when given); returns its id."""

    async def update(self, address: str, external_id: str, message: Message) -> str:
        """Edits a message already posted; returns its (possibly new) id."""

    async def publish_home(self, address: str, message: Message) -> None:
        """Replaces the person's home page; called only when `home_page` is true."""

    def lanes(self, kind: str, address: str) -> tuple[Lane, ...]:
        """The rate-limit lanes a delivery would use (kind: send, update or home),
        the same ones its DeliveryRetry names when the platform refuses it."""


def needs_reference(channel: Channel) -> bool:
    """Whether the channel can post only where the bot was seen (a saved reference)."""
    return bool(getattr(channel, "needs_reference", False))


@runtime_checkable
class Traceable(Protocol):
    """A channel that can tag what it posts and find it again by that tag.

    A send cut short (the process killed mid-call, a timeout) may or may not
    have been posted; the dispatcher asks before posting again, so a restart
    does not leave two copies of a card, one of them orphaned. Optional:
    without it an interrupted send is repeated.
    """

    async def send_tagged(self, address: str, message: Message, thread_id: str | None, tag: str) -> str:
        """`send`, with `tag` attached to the posted message where the platform keeps it."""

    async def find_tagged(self, address: str, thread_id: str | None, tag: str) -> str | None:
        """The id of a recent message posted with `tag`, or None."""
