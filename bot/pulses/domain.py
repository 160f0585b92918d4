"""Pulse surveys, as Pedir's registry knows them."""

from __future__ import annotations

from bot.commands.registry import Command, Domain, MenuEntry
from bot.pulses import scheduled
from bot.pulses.catalog import PULSE_CATALOG
from bot.pulses.catalog_results import RESULTS_CATALOG
from bot.pulses.catalog_setup import SETUP_CATALOG
from bot.pulses.commands import buttons, handlers, parser, respond, setup_form

DOMAIN = Domain(
    name="pulses",
    commands=(
        Command(
            words=("pulso", "pulse", "pulsos", "pulses"), slash="/pulso",
            parse=parser.parse, handle=handlers.handle,
            description="Encuestas de pulso sobre cómo nos servimos entre equipos",
            usage_hint="nuevo · lista · ver P-3 · resultados P-3 · responder P-3 · ayuda",
            menu=(MenuEntry("pulso", "nuevo · lista · resultados P-3 — encuestas de pulso anónimas"),),
            help={"es": "• /pulso ayuda — encuestas de pulso anónimas", "en": "• /pulso help — anonymous pulse surveys"},
            verbs=parser.VERBS,
        ),
    ),
    buttons=buttons.BUTTONS + respond.BUTTONS,
    forms=buttons.FORMS + respond.FORMS + setup_form.FORMS,
    jobs=scheduled.JOBS,
    catalog={**PULSE_CATALOG, **SETUP_CATALOG, **RESULTS_CATALOG},
)
