"""Showing a domain Reply on Slack: an ephemeral message, a modal, or a DM."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import METADATA_MAX, ephemeral, message_blocks, modal_view
from bot.i18n import t
from bot.messages import Action, Form, Message, Reply

FORM_CALLBACK = "pedir_form"
Respond = Callable[..., Awaitable[Any]]


def form_metadata(form: Form) -> str:
    return json.dumps({"form": form.id, "context": form.context}, separators=(",", ":"))


def read_metadata(raw: object) -> tuple[str, str]:
    """(form id, context); ("", "") for metadata that is not ours, which the domain refuses."""
    if not isinstance(raw, str) or len(raw) > METADATA_MAX:
        return "", ""
    try:
        data = json.loads(raw or "{}")
    except (ValueError, RecursionError):  # RecursionError: brackets nested past the interpreter's limit
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    form, context = data.get("form", ""), data.get("context", "")
    if not (isinstance(form, str) and isinstance(context, str)):
        return "", ""
    return form, context


async def show(
    reply: Reply, *, client: AsyncWebClient, user_id: str, locale: str,
    respond: Respond | None = None, trigger_id: str | None = None,
) -> None:
    """Forms open as modals; messages go back ephemerally, or to the DM when
    there is nowhere ephemeral to answer (App Home, a submitted modal)."""
    if reply.duplicate:
        return
    if reply.form is not None and trigger_id:
        view = modal_view(reply.form, private_metadata=form_metadata(reply.form),
                          callback_id=FORM_CALLBACK, close_label=t(locale, "action.cancel"))
        await client.views_open(trigger_id=trigger_id, view=view)
    elif reply.form is not None and reply.form.id == "request.new":
        # A DM line carries no trigger_id, and a modal needs one: a click does.
        reply = Reply(message=Message(text=t(locale, "reply.open_form"), actions=[
            Action(id="request.open_form", label=reply.form.title, style="primary")]))
    if reply.message is None:
        return
    if respond is not None and reply.replace:
        text, blocks = message_blocks(reply.message)
        await respond(replace_original=True, text=text, blocks=blocks)
        return
    if respond is not None:
        await respond(**ephemeral(reply.message))
        return
    text, blocks = message_blocks(reply.message)
    await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
