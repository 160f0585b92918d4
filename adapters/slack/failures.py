"""What Slack hears when a listener fails before the domain could answer:
the database is down (a person's first lookup needs it), a bug.

The domain already answers its own failures ("nothing was saved, try again",
bot.app); this covers what fails around it. A slash command still gets its
ack within Slack's 3 s, with that same sentence in the workspace's default
language (the person could not be looked up); a click or a form gets an
empty ack, and the sentence ephemerally or in a DM after it. Nothing was
stored, and the person is told so: the 200 still says nothing false.

Events are not acknowledged (503): Slack delivers them again later, which is
how an event that arrived during an outage is still heard once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from adapters.slack.blocks import ephemeral, message_blocks
from adapters.web.background import Background
from bot.i18n import t
from bot.messages import Message

log = logging.getLogger(__name__)
FAILED = "error.internal"  # "Algo ha fallado por nuestra parte y no se ha guardado nada. Inténtalo de nuevo…"
JSON_HEADERS = {"content-type": "application/json;charset=utf-8"}


def install(app: AsyncApp, locale: str, after_ack: Background) -> None:
    """Registers the answer for failed listeners on `app`; `locale` is the default language."""

    @app.error
    async def on_failure(error: Exception, body: dict[str, Any], respond, client) -> BoltResponse:  # noqa: ANN001
        # The class only: the exception's text may quote what the user wrote, or a connection string.
        log.error("Slack listener failed (%s): answered with %s", error.__class__.__name__, FAILED)
        return answer(body, locale, respond, client, after_ack)


def answer(body: dict[str, Any], locale: str, respond: Callable[..., Awaitable[Any]] | None, client: Any,
           after_ack: Background) -> BoltResponse:
    """The response for a failed listener of `body`'s kind (see the module's docstring)."""
    sorry = Message(text=t(locale, FAILED))
    if "command" in body:
        return BoltResponse(status=200, body=json.dumps(ephemeral(sorry)), headers=JSON_HEADERS)
    if body.get("type") in ("block_actions", "view_submission", "shortcut", "message_action"):
        user = (body.get("user") or {}).get("id")
        if respond is not None and body.get("response_url"):
            after_ack.spawn(respond(**ephemeral(sorry)), name="after-ack")
        elif user:
            text, blocks = message_blocks(sorry)
            after_ack.spawn(client.chat_postMessage(channel=user, text=text, blocks=blocks), name="after-ack")
        return BoltResponse(status=200, body="")
    return BoltResponse(status=503, body="", headers={"Retry-After": "5"})
