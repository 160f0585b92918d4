"""The Teams bot: activities in, calls on the domain out, cards back."""

from __future__ import annotations

import logging

from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, InvokeResponse

from adapters.teams import welcome
from adapters.teams.cards import card_attachment, form_card, message_card, submitted
from adapters.teams.identity import PLATFORM, TeamsDirectory
from bot.app import Pedir
from bot.delivery import reach
from bot.i18n import t
from bot.messages import Message, Reply
from storage import references
from storage.models import Person

log = logging.getLogger(__name__)
THREAD_MARK = ";messageid="


def conversation_base(conversation_id: str) -> str:
    """A channel thread's conversation id is '<channel>;messageid=<root>'."""
    return conversation_id.split(THREAD_MARK, 1)[0]


def thread_root(conversation_id: str) -> str | None:
    return conversation_id.split(THREAD_MARK, 1)[1] if THREAD_MARK in conversation_id else None


def is_personal(activity: Activity) -> bool:
    return (activity.conversation.conversation_type or "personal") == "personal"


def channel_id(activity: Activity) -> str:
    data = activity.channel_data or {}
    channel = (data.get("channel") or {}) if isinstance(data, dict) else {}
    return channel.get("id") or conversation_base(activity.conversation.id)


def bot_leaving(activity: Activity) -> bool:
    """The bot removed from a team or uninstalled: nothing should be sent there."""
    bot_id = activity.recipient.id if activity.recipient else None
    removed = any(member.id == bot_id for member in activity.members_removed or [])
    return removed or (activity.type == "installationUpdate" and activity.action == "remove")


class PedirTeamsBot(ActivityHandler):
    def __init__(self, pedir: Pedir, kick_delivery=lambda: None) -> None:  # noqa: ANN001
        self.pedir = pedir
        self.directory = TeamsDirectory(pedir)
        self.kick_delivery = kick_delivery

    async def on_turn(self, turn_context: TurnContext) -> None:
        person = await self.directory.person(turn_context) if turn_context.activity.from_property else None
        await self._remember(turn_context, person)
        await super().on_turn(turn_context)
        self.kick_delivery()

    async def _remember(self, turn_context: TurnContext, person: Person | None) -> None:
        """Every turn refreshes how to reach this chat or channel later; in a
        channel, whatever waited for Pedir to be there goes out now."""
        activity = turn_context.activity
        reference = TurnContext.get_conversation_reference(activity)
        channel = None
        if is_personal(activity):
            if person is None:
                return
            key = references.person_key(person.id)
        else:
            channel = channel_id(activity)
            key = references.channel_key(channel)
            reference.conversation.id = conversation_base(reference.conversation.id)
        now = self.pedir.clock.now()
        async with self.pedir.sessions() as session, session.begin():
            await references.save(session, PLATFORM, key, reference.serialize(), now)
            if channel is not None and not bot_leaving(activity):
                await reach.requeue(session, PLATFORM, channel, now)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        person = await self.directory.person(turn_context)
        key = f"teams:activity:{activity.id}"
        if activity.value:
            reply = await self._submitted(person, activity.value, key)
        else:
            reply = await self._text(person, activity, key)
        if reply is not None:
            await self.show(turn_context, reply, self.pedir.caller(person).locale)

    async def _submitted(self, person: Person, value: dict, key: str) -> Reply | None:
        parsed = submitted(value)
        if parsed is None:
            return None
        kind, name, data, values = parsed
        if kind == "action":
            return await self.pedir.action(person, name, data, key=key)
        reply = await self.pedir.submit(person, name, data, values, key=key)
        if reply.errors:
            # A card cannot keep itself open the way a Slack modal does: the
            # form again, as filled in, with each error under its field.
            again = await self.pedir.form_again(person, name, data, values)
            if again.form is not None:
                return again.model_copy(update={"errors": reply.errors})
        return reply

    async def _text(self, person: Person, activity: Activity, key: str) -> Reply | None:
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        root = thread_root(activity.conversation.id)
        # A new channel post is its own thread root; a reply points at another.
        if root and root != activity.id and not is_personal(activity):
            external = f"{conversation_base(activity.conversation.id)}|{root}"
            comment = await self.pedir.thread_reply(person, PLATFORM, external, text, key=key)
            if comment is not None:
                return comment if comment.refused else None
        if not text:
            return None
        # Teams has no slash commands: "pedir mis" works, and so does a bare
        # "@facturacion corregir …", read as a new request.
        if not self.pedir.registry.names_a_command(text):
            return await self.pedir.command(person, "/pedir", text, key=key)
        return await self.pedir.line(person, text, key=key)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        person = await self.directory.person(turn_context)
        reply = await self._submitted(person, activity.value or {}, f"teams:activity:{activity.id}")
        answer = reply.message if reply is not None and reply.message is not None else Message(text="✓")
        locale = self.pedir.caller(person).locale
        if reply is not None and (reply.form is not None or reply.errors):
            await self.show(turn_context, reply.model_copy(update={"message": None}), locale)
        # Typed, with a card as its value: 4.17.1 answers 500 for a plain dict
        # body, and for a text value (the model types `value` as an object).
        card = message_card(answer.model_copy(update={"locale": locale}))
        return InvokeResponse(status=200, body=AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=card))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def on_members_added_activity(self, members_added, turn_context: TurnContext) -> None:  # noqa: ANN001
        bot_id = turn_context.activity.recipient.id
        if any(member.id == bot_id for member in members_added):
            await self._welcome(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await welcome.forget(self.pedir.sessions, conversation_base(turn_context.activity.conversation.id))

    async def on_members_removed_activity(self, members_removed, turn_context: TurnContext) -> None:  # noqa: ANN001
        if bot_leaving(turn_context.activity):
            await welcome.forget(self.pedir.sessions, conversation_base(turn_context.activity.conversation.id))

    async def _welcome(self, turn_context: TurnContext) -> None:
        """Once per installation (adapters/teams/welcome.py), in the installer's language."""
        activity = turn_context.activity
        if not await self.pedir.first_time(welcome.welcome_key(conversation_base(activity.conversation.id))):
            return
        person = await self.directory.person(turn_context) if activity.from_property else None
        locale = welcome.installer_locale(person, activity.locale, self.pedir.settings.locale)
        await turn_context.send_activity(MessageFactory.text(t(locale, "teams.welcome")))

    async def show(self, turn_context: TurnContext, reply: Reply, locale: str) -> None:
        if reply.duplicate:
            return
        if reply.form is not None:
            card = form_card(reply.form, reply.errors)
            await turn_context.send_activity(MessageFactory.attachment(card_attachment(card)))
        elif reply.errors:
            lines = [f"✗ {field}: {error}" for field, error in reply.errors.items()]
            await turn_context.send_activity(MessageFactory.text("\n\n".join(lines)))
        if reply.message is None:
            return
        card = message_card(reply.message.model_copy(update={"locale": locale}))  # "Más…" in their language
        activity = MessageFactory.attachment(card_attachment(card))
        if reply.replace and turn_context.activity.reply_to_id and await self._replaced(turn_context, activity):
            return
        await turn_context.send_activity(activity)

    async def _replaced(self, turn_context: TurnContext, activity: Activity) -> bool:
        """Puts the card in place of the one whose button was pressed; False if Teams refused."""
        activity.id = turn_context.activity.reply_to_id
        try:
            await turn_context.update_activity(activity)
        except Exception as exc:  # noqa: BLE001  (a new message instead: the answer still reaches them)
            log.warning("teams: could not replace the card (%s); sending it as a new one", exc.__class__.__name__)
            activity.id = None
            return False
        return True
