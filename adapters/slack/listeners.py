"""Bolt listeners: Slack payloads in, calls on the domain out.

Every listener does its work, then acks: an ack means the input is stored, so
a crash or a deploy right after it loses nothing (Slack never resends a
command it got a 200 for). The domain answers in milliseconds, well inside
Slack's 3 seconds; a slash command's reply travels in the ack itself. What
only shows something (a modal, an ephemeral reply to a click, a DM) runs
after the ack, in the background, and shutdown waits for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack import failures, replies
from adapters.slack.blocks import ephemeral, form_values, home_view, modal_errors, parse_action_id
from adapters.slack.channel import PLATFORM, external_id
from adapters.slack.identity import SlackDirectory
from adapters.slack.text import plain
from adapters.web.background import Background
from bot.app import Pedir
from bot.errors import UserError
from bot.i18n import t
from bot.interaction import Subject, decode, make
from bot.messages import Action, Message, Reply

# Slash commands and buttons come from the registry (bot.domains); these are Slack's own.
# What the listeners below subscribe to; manifest.json must declare the same.
BOT_EVENTS = ("app_home_opened", "message.channels", "message.groups", "message.im", "reaction_added")
# Each scope, for the calls that need it; manifest.json asks for these and no others.
BOT_SCOPES = {
    "commands": "slash commands and the message shortcut",
    "chat:write": "cards, notices, ephemeral answers (chat.postMessage, chat.update, chat.postEphemeral)",
    "im:write": "opening a DM to look up a send cut short (conversations.open)",
    "im:history": "replies in a DM card's thread (message.im)",
    "channels:history": "replies in a team card's thread, and the text of a :ticket: message",
    "groups:history": "the same in private intake channels (G…): replies in a card's thread (message.groups)",
    "reactions:read": "the :ticket: reaction (reaction_added)",
    "users:read": "a user's name, locale and time zone (users.info)",
    "users:read.email": "a user's email, so one person is one person on Slack and Teams",
}
CONVERT_SHORTCUT = "convert_to_request"
CONVERT_ACTION = "slack.convert"
SLACK_MESSAGE = Subject("slack_message", numeric=False)  # the convert button's context: channel and ts
TICKET_REACTIONS = {"ticket", "admission_tickets"}
# Message subtypes a person writes: none, "also send to channel", a file with a caption.
PERSON_MESSAGE_SUBTYPES = {None, "thread_broadcast", "file_share"}


@dataclass
class Slack:
    """What every listener needs."""

    pedir: Pedir
    directory: SlackDirectory
    kick_delivery: Callable[[], None]
    after_ack: Background = field(default_factory=Background)

    async def who(self, user: dict[str, Any] | str, name: str = ""):  # noqa: ANN201
        user_id = user if isinstance(user, str) else user["id"]
        fallback = name or (user.get("name", "") if isinstance(user, dict) else "")
        person = await self.directory.person(user_id, fallback)
        return person, self.pedir.caller(person).locale


# Rendered buttons carry an ':index' suffix (blocks.parse_action_id).
BUTTON_INDEX = r"(:\d+)?"


def any_of(names: list[str], suffix: str = "") -> re.Pattern[str]:
    return re.compile("^(" + "|".join(map(re.escape, names)) + ")" + suffix + "$")


def register(app: AsyncApp, slack: Slack) -> None:
    registry = slack.pedir.registry
    failures.install(app, slack.pedir.settings.locale, slack.after_ack)

    @app.command(any_of(registry.slash_commands()))
    async def on_command(ack, command, respond, client) -> None:  # noqa: ANN001
        person, locale = await slack.who(command["user_id"], command.get("user_name", ""))
        reply = await slack.pedir.command(
            person, command["command"], plain(command.get("text", "")), key=f"slack:command:{command['trigger_id']}"
        )
        if reply.form is None and reply.message is not None and not reply.duplicate:
            await ack(**ephemeral(reply.message))
        else:
            await ack()
            slack.after_ack.spawn(replies.show(reply, client=client, user_id=command["user_id"], locale=locale,
                                               respond=respond, trigger_id=command.get("trigger_id")))
        slack.kick_delivery()

    @app.action(any_of(registry.button_namespaces, r"\..+"))
    async def on_button(ack, body, action, respond, client) -> None:  # noqa: ANN001
        person, locale = await slack.who(body["user"])
        reply = await slack.pedir.action(
            person, parse_action_id(action.get("action_id")), action.get("value", ""),
            key=f"slack:action:{body['user']['id']}:{action.get('action_ts', '')}",
        )
        await ack()
        in_message = body.get("response_url") is not None
        slack.after_ack.spawn(replies.show(reply, client=client, user_id=body["user"]["id"], locale=locale,
                                           respond=respond if in_message else None, trigger_id=body.get("trigger_id")))
        slack.kick_delivery()

    @app.view(replies.FORM_CALLBACK)
    async def on_form(ack, body, view, client) -> None:  # noqa: ANN001
        person, locale = await slack.who(body["user"])
        form_id, context = replies.read_metadata(view.get("private_metadata", ""))
        # Socket Mode skips the HTTP gate's shape check (gate.py): read defensively.
        values = form_values((view.get("state") or {}).get("values"))
        key = f"slack:view:{view.get('id', '')}:{view.get('hash', '')}"
        reply = await slack.pedir.submit(person, form_id, context, values, key=key)
        if reply.errors:
            await ack(**modal_errors(reply.errors))
            return
        await ack()
        slack.after_ack.spawn(replies.show(reply, client=client, user_id=body["user"]["id"], locale=locale))
        slack.kick_delivery()

    # The shortcut and the convert button store nothing: they only open a form.
    @app.shortcut(CONVERT_SHORTCUT)
    async def on_convert_shortcut(ack, shortcut, client) -> None:  # noqa: ANN001
        await ack()
        channel, message = shortcut["channel"]["id"], shortcut["message"]
        slack.after_ack.spawn(open_prefilled(client, shortcut["user"], channel, message["ts"],
                                             message.get("text", ""), shortcut["trigger_id"]))

    @app.action(any_of([CONVERT_ACTION], BUTTON_INDEX))
    async def on_convert_button(ack, body, action, client, respond) -> None:  # noqa: ANN001
        await ack()
        slack.after_ack.spawn(convert(body, action, client, respond))

    async def convert(body, action, client, respond) -> None:  # noqa: ANN001
        try:
            message = decode(action.get("value", ""), CONVERT_ACTION, SLACK_MESSAGE)
        except UserError as exc:
            _person, locale = await slack.who(body["user"])
            await respond(**ephemeral(Message(text=t(locale, exc.key, **exc.values))))
            return
        channel, ts = str(message.id), message.arg or ""
        text = await message_text(client, channel, ts)
        await open_prefilled(client, body["user"], channel, ts, text, body["trigger_id"])
        await respond(delete_original=True)

    async def open_prefilled(client, user, channel: str, ts: str, text: str, trigger_id: str) -> None:  # noqa: ANN001
        person, locale = await slack.who(user)
        link = (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink", "")
        description = f"{plain(text)}\n\n{link}".strip()
        reply = await slack.pedir.new_request_form(person, {"description": description[:3000]})
        await replies.show(reply, client=client, user_id=person_id(user), locale=locale, trigger_id=trigger_id)

    # Events are acked when their listener returns (Bolt's auto-ack): after the
    # work, so Slack retries an event whose work a crash cut short.
    @app.event("reaction_added")
    async def on_reaction(event, body, client) -> None:  # noqa: ANN001
        item = event.get("item", {})
        if event.get("reaction") not in TICKET_REACTIONS or item.get("type") != "message":
            return
        if not await slack.pedir.first_time(f"slack:event:{body.get('event_id')}"):
            return
        _person, locale = await slack.who(event["user"])
        prompt = Message(
            text=t(locale, "slack.convert.prompt"),
            actions=[Action(id=CONVERT_ACTION, label=t(locale, "slack.convert.button"),
                            value=make(CONVERT_ACTION, SLACK_MESSAGE, item["channel"], item["ts"]), style="primary")],
        )
        slack.after_ack.spawn(replies.show(Reply(message=prompt), client=client, user_id=event["user"], locale=locale,
                                           respond=_ephemeral_in(client, item["channel"], event["user"])))

    @app.event("app_home_opened")
    async def on_home(event, client) -> None:  # noqa: ANN001
        if event.get("tab", "home") != "home":
            return
        slack.after_ack.spawn(publish_home(event["user"], client))

    async def publish_home(user_id: str, client) -> None:  # noqa: ANN001
        person, _locale = await slack.who(user_id)
        await client.views_publish(user_id=user_id, view=home_view(await slack.pedir.home(person)))

    @app.event("message")
    async def on_message(event, body, client) -> None:  # noqa: ANN001
        # Edits, deletions, joins and bots (our own cards included) are not comments;
        # a reply also sent to the channel, or with a file attached, still is one.
        if event.get("subtype") not in PERSON_MESSAGE_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        key = f"slack:event:{body.get('event_id')}"
        thread_ts = event.get("thread_ts")
        person, locale = await slack.who(event["user"])
        if thread_ts and thread_ts != event.get("ts"):
            reply = await slack.pedir.thread_reply(
                person, PLATFORM, external_id(event["channel"], thread_ts), plain(event.get("text", "")), key=key
            )
        elif event.get("channel_type") == "im":
            reply = await slack.pedir.line(person, plain(event.get("text", "")), key=key)
        else:
            return
        if reply is None or reply.duplicate:
            return
        if not thread_ts:
            slack.after_ack.spawn(replies.show(reply, client=client, user_id=event["user"], locale=locale))
        elif reply.refused:
            # Only the author sees why their reply did not reach the request.
            slack.after_ack.spawn(replies.show(
                reply, client=client, user_id=event["user"], locale=locale,
                respond=_ephemeral_in(client, event["channel"], event["user"], thread_ts)))
        slack.kick_delivery()


def person_id(user: dict[str, Any] | str) -> str:
    return user if isinstance(user, str) else user["id"]


def _ephemeral_in(client, channel: str, user: str, thread_ts: str | None = None):  # noqa: ANN001, ANN202
    async def respond(**message: Any) -> None:
        message.pop("response_type", None)
        await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **message)
    return respond


async def message_text(client, channel: str, ts: str) -> str:  # noqa: ANN001
    """The text of one message, whether it is top-level or inside a thread."""
    history = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    for message in history.get("messages", []):
        if message.get("ts") == ts:
            return message.get("text", "")
    replies_ = await client.conversations_replies(channel=channel, ts=ts, limit=1)
    for message in replies_.get("messages", []):
        if message.get("ts") == ts:
            return message.get("text", "")
    return ""
