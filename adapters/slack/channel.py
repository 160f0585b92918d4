"""Slack as a delivery channel: the outbox's messages through the Web API.

Errors are sorted for the dispatcher: rate limits, 5xx and timeouts are
retried (honouring Retry-After), a user the bot cannot reach is recorded as
unreachable, anything else is a failure that retrying would not fix.

Slack limits each Web API method on its own, and chat.postMessage also per
channel and across the workspace: a rate limit names that lane (and the
method's, which a refused channel that took nothing lately tells apart), so
only it waits out the Retry-After.

A person's DM is posted to their user id: Slack puts it in the app's DM with
them and names that channel (D…) in its answer, which is kept. Opening the
conversation first (conversations.open, Tier 3: some 50 a minute) would hold
a survey to thousands of people for hours; it is only asked for where a
channel id is really needed and not known yet, to look up an interrupted send.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import home_view, message_blocks
from bot.delivery.channel import HOME, MAYBE_SENT, UPDATE, DeliveryFailed, DeliveryRetry, Unreachable
from bot.delivery.lanes import Lane
from bot.messages import Message
from storage.models import Person, PlatformAccount, Team

log = logging.getLogger(__name__)
PLATFORM = "slack"
UNREACHABLE = {"user_not_found", "cannot_dm_bot", "user_disabled", "account_inactive", "users_not_found"}
PASSING = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
DEFAULT_RETRY_AFTER = 1.0
# Every message Pedir posts carries its outbox tag in Slack message metadata,
# so a send cut short can be looked up instead of posted twice.
METADATA_EVENT = "pedir_outbox"
# How far back an interrupted send is looked for: the channel's newest messages.
LOOKUP_MESSAGES = 200
# Methods Slack limits per channel as well as per workspace.
PER_CHANNEL = frozenset({"chat.postMessage"})


def external_id(channel: str, ts: str) -> str:
    """A Slack message is known by its channel and ts; Pedir stores both as one id."""
    return f"{channel}|{ts}"


def split_external_id(value: str) -> tuple[str, str]:
    channel, _, ts = value.partition("|")
    return channel, ts


def lane(method: str, channel: str | None = None) -> Lane:
    """The rate-limit lane of one Web API method (and channel, where Slack counts per channel)."""
    return Lane(PLATFORM, method, (channel or "") if method in PER_CHANNEL else "")


def is_user(address: str) -> bool:
    """A person's address is their user id (U…, or W… on Enterprise Grid)."""
    return address.startswith(("U", "W"))


def api_method(method: Callable[..., Any]) -> str:
    """slack_sdk names each method after the API's: chat_postMessage is chat.postMessage."""
    return method.__name__.replace("_", ".")


async def call(method: Callable[..., Awaitable[Any]], *, on: Lane | None = None, **kwargs: Any) -> Any:
    """Calls a Web API method, its failures sorted for the dispatcher. A refusal
    names the lane `on` (by default the method's, and its channel's where Slack
    counts per channel) and, for a per-channel lane, the method's across channels."""
    try:
        return await method(**kwargs)
    except SlackApiError as exc:
        response = exc.response
        error = str(response.get("error", "")) if response is not None else ""
        status = response.status_code if response is not None else 0
        if status == 429 or error == "ratelimited":
            retry_after = _retry_after(response.headers if response is not None else {})
            refused = on or lane(api_method(method), kwargs.get("channel"))
            wider = lane(refused.method) if refused.scope else None
            raise DeliveryRetry(f"slack rate limited ({error or status})", retry_after, refused, wider) from None
        if status >= 500 or error in PASSING:
            raise DeliveryRetry(f"slack {status} {error}") from None
        if error in UNREACHABLE:
            raise Unreachable(f"slack: {error}") from None
        raise DeliveryFailed(f"slack: {error or status}") from None
    except asyncio.TimeoutError:
        # The request may have reached Slack before the answer was lost.
        raise DeliveryRetry(f"{MAYBE_SENT}slack timed out") from None
    except aiohttp.ClientError as exc:
        raise DeliveryRetry(f"slack unreachable: {exc.__class__.__name__}") from None


def _retry_after(headers: Any) -> float:
    for key in ("Retry-After", "retry-after"):
        value = headers.get(key) if headers else None
        if value:
            if isinstance(value, list):
                value = value[0]
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER


class SlackChannel:
    platform = PLATFORM
    home_page = True

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        # User id -> DM channel id, as Slack answered a post (or conversations.open).
        self._dm_channels: dict[str, str] = {}

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        return next((a.external_id for a in accounts if a.platform == PLATFORM), None)

    def address_team(self, team: Team) -> str | None:
        return (team.intake or {}).get(PLATFORM) or None

    def lanes(self, kind: str, address: str) -> tuple[Lane, ...]:
        if kind == HOME:
            return (lane("views.publish"),)
        if kind == UPDATE:
            return (lane("chat.update"),)
        # The destination (a DM known by its user id, posted to that way) and the workspace.
        return (lane("chat.postMessage", address), lane("chat.postMessage"))

    async def _conversation(self, address: str) -> str:
        """The channel id behind an address: a person's DM is opened if not known yet."""
        if not is_user(address):
            return address
        if address not in self._dm_channels:
            opened = await call(self.client.conversations_open, users=address)
            self._dm_channels[address] = opened["channel"]["id"]
        return self._dm_channels[address]

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        return await self._post(address, message, thread_id, metadata=None)

    async def send_tagged(self, address: str, message: Message, thread_id: str | None, tag: str) -> str:
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"tag": tag}}
        return await self._post(address, message, thread_id, metadata=metadata)

    async def _post(self, address: str, message: Message, thread_id: str | None, metadata: dict | None) -> str:
        # A reply goes where its parent is (the D… of a DM); anything else to the
        # address itself, a user id included. Either way the lane is the address's.
        channel = split_external_id(thread_id)[0] if thread_id else address
        text, blocks = message_blocks(message)
        thread_ts = split_external_id(thread_id)[1] if thread_id else None
        posted = await call(
            self.client.chat_postMessage, on=lane("chat.postMessage", address), channel=channel, text=text,
            blocks=blocks, thread_ts=thread_ts, metadata=metadata,
        )
        if is_user(address):
            self._dm_channels[address] = posted["channel"]
        return external_id(posted["channel"], posted["ts"])

    async def find_tagged(self, address: str, thread_id: str | None, tag: str) -> str | None:
        channel = split_external_id(thread_id)[0] if thread_id else await self._conversation(address)
        try:
            if thread_id:
                found = await call(self.client.conversations_replies, channel=channel,
                                   ts=split_external_id(thread_id)[1], include_all_metadata=True,
                                   limit=LOOKUP_MESSAGES)
            else:
                found = await call(self.client.conversations_history, channel=channel,
                                   include_all_metadata=True, limit=LOOKUP_MESSAGES)
        except (DeliveryFailed, Unreachable) as exc:
            # Cannot look (e.g. a private channel without groups:history): post again,
            # a possible duplicate rather than a lost message.
            log.warning("slack: cannot look for an interrupted send: %s", exc)
            return None
        for posted in found.get("messages", []):
            metadata = posted.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("tag") == tag:
                return external_id(channel, posted["ts"])
        return None

    async def update(self, address: str, external_id_: str, message: Message) -> str:
        channel, ts = split_external_id(external_id_)
        text, blocks = message_blocks(message)
        await call(self.client.chat_update, channel=channel, ts=ts, text=text, blocks=blocks)
        return external_id_

    async def publish_home(self, address: str, message: Message) -> None:
        await call(self.client.views_publish, user_id=address, view=home_view(message))
