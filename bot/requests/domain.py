"""Requests between teams, as Pedir's registry knows them."""

from __future__ import annotations

from bot.commands.registry import Command, Domain, MenuEntry
from bot.requests import home, scheduled
from bot.requests.commands import actions, handlers, parser
from bot.requests.nudge_text import REQUEST_NUDGES

DOMAIN = Domain(
    name="requests",
    commands=(
        Command(
            words=("pedir", "request"), slash="/pedir", parse=parser.parse, handle=handlers.handle,
            description="Pide algo a otro equipo, o mira tus pedidos y tu cola",
            usage_hint=("@equipo qué necesitas [#CLIENTE] [!urgente] [para:viernes] · mis · cola · ver PED-12 · "
                        "cancelar PED-12 · ayuda"),
            menu=(
                MenuEntry("pedir", "@equipo qué necesitas [#CLIENTE] [!urgente] [para:viernes] — pide algo a otro equipo"),
                MenuEntry("pedir mis", "Tus pedidos abiertos"),
                MenuEntry("pedir cola", "[@equipo] La cola de tu equipo, con su SLA"),
                MenuEntry("pedir ayuda", "Cómo se usa Pedir"),
            ),
            help={"es": "• /pedir ayuda — pedidos entre equipos", "en": "• /pedir help — requests between teams"},
            verbs=parser.VERBS,
        ),
    ),
    buttons=actions.BUTTONS,
    forms=actions.FORMS,
    home=home.home,
    thread_reply=handlers.thread_reply,
    nudges=scheduled.KINDS,
    catalog=REQUEST_NUDGES,
)
