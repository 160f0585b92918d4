"""The language Pedir writes to a person in, as they chose it in chat:
`/pedir idioma en`, or the button on their home page.

The choice is marked as the person's own (Person.field_sources), so no Slack
or Teams profile overwrites it; an organisation file entry that gives a
`locale` still does, as the file always wins.
"""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.delivery.outbox import refresh_homes
from bot.errors import UserError
from bot.i18n import SUPPORTED, normalize_locale, t
from bot.interaction import INVALID, NOTHING, Interaction, make
from bot.messages import Action, Message, Reply
from bot.people import service as people

BUTTON = "person.language"
CHOSEN_IN_CHAT = "chat"  # the source of a locale the person chose


def switch_button(locale: str | None) -> Action:
    """The button to the other language, labelled in that language."""
    other = "en" if normalize_locale(locale) == "es" else "es"
    return Action(id=BUTTON, label=t(other, "action.language"), value=make(BUTTON, NOTHING, arg=other))


async def choose(ctx: Ctx, caller: Caller, code: str | None) -> Reply:
    """Stores `code` as the person's language; None: says which one is in use."""
    if code is None:
        language = t(caller.locale, f"language.{caller.locale}")
        return Reply(message=Message(text=t(caller.locale, "reply.language_current", language=language),
                                     actions=[switch_button(caller.locale)]))
    person = await people.get(ctx.session, caller.person.id)
    unchanged = normalize_locale(person.locale, ctx.default_locale) == code
    # Marked as chosen even when unchanged: a platform profile in the other language must not flip it.
    person.locale = code
    person.field_sources = {**person.field_sources, "locale": CHOSEN_IN_CHAT}  # a new dict: JSON columns see reassignment only
    ctx.session.add(person)
    refresh_homes(ctx.session, {person.id}, ctx.now)  # the home page speaks it too
    return Reply.text(t(code, "reply.language_same" if unchanged else "reply.language_set"))


async def press(ctx: Ctx, caller: Caller, interaction: Interaction) -> Reply:
    if interaction.arg not in SUPPORTED:
        raise UserError(INVALID)
    return await choose(ctx, caller, interaction.arg)


async def home(_ctx: Ctx, caller: Caller) -> tuple[list[str], list[Action]]:
    """A person's home page ends with the button to the other language."""
    return [], [switch_button(caller.locale)]
