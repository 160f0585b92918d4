"""A person's own settings, as Pedir's registry knows them: for now, their language."""

from __future__ import annotations

from bot.commands.registry import Button, Domain
from bot.interaction import NOTHING
from bot.people import language
from bot.people.catalog import PEOPLE_CATALOG

DOMAIN = Domain(
    name="people",
    buttons=(Button(language.BUTTON, NOTHING, language.press),),
    home=language.home,
    catalog=PEOPLE_CATALOG,
)
