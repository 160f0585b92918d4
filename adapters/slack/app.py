"""Building the Bolt app and its Web API client from settings."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.authorization import Authorization
from adapters.slack.identity import SlackDirectory
from adapters.slack.listeners import Slack, register
from adapters.web.background import Background
from bot import tracing
from bot.app import Pedir
from bot.config import Settings

WEB_API_TIMEOUT_SECONDS = 10
# slack_sdk and Bolt log whole request and payload bodies at DEBUG: message
# text, and a pulse respondent's receipt. Never below INFO, whatever the root level.
for _name in ("slack_sdk", "slack_bolt"):
    logging.getLogger(_name).setLevel(max(logging.INFO, logging.getLogger(_name).getEffectiveLevel()))


def web_client(settings: Settings) -> AsyncWebClient:
    assert settings.slack_bot_token is not None
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=base_url, timeout=WEB_API_TIMEOUT_SECONDS
    )


class _Unless(logging.Filter):
    """Drops one known message from a library's logger."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message


# Bolt reads SLACK_BOT_TOKEN from the environment even when it is given a
# client, then warns at every start that the token goes unused: it is ours,
# used by the client and `authorize` below, so the warning is only noise.
logging.getLogger("slack_bolt.AsyncApp").addFilter(_Unless(warning_client_prioritized_and_token_skipped()))


def bolt_app(settings: Settings, pedir: Pedir, client: AsyncWebClient, kick_delivery: Callable[[], None],
             after_ack: Background, authorization: Authorization | None = None) -> AsyncApp:
    assert settings.slack_signing_secret is not None
    app = AsyncApp(
        # Token-less: Bolt gives each request a client with the token `authorize`
        # returns; the same base URL, timeout and (once set) HTTP session as ours.
        client=AsyncWebClient(token=None, base_url=client.base_url, timeout=client.timeout),
        authorize=(authorization or Authorization(client)).for_bolt(),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        # Over HTTP the gate (gate.py) checks every signature before Bolt sees the
        # request; Socket Mode needs none. A second HMAC per request would be waste.
        request_verification_enabled=False,
        # Work, then ack: the ack tells Slack the input is stored (listeners.py).
        process_before_response=True,
    )
    app.middleware(traced)
    register(app, Slack(pedir=pedir, directory=SlackDirectory(client, pedir), kick_delivery=kick_delivery,
                        after_ack=after_ack))
    return app


async def traced(next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:  # noqa: A002  (Bolt's name)
    """A request id for what arrives over Socket Mode, as the HTTP middleware
    gives one to what arrives on /slack/events (adapters/web/observability.py).

    Not ended here: Bolt runs its global middleware one after another and the
    listeners after them all, so the trace must outlive this call. It lives in
    the task slack_sdk starts for each Socket Mode message, and ends with it."""
    if tracing.current() is None:
        tracing.begin()
    return await next()
