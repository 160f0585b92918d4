"""The team directory, as Pedir's registry knows it."""

from __future__ import annotations

from bot.commands.registry import Command, Domain, Form, Job, MenuEntry
from bot.teams import card, commands, scheduled
from bot.teams.digest import DIGEST_CATALOG

DOMAIN = Domain(
    name="teams",
    commands=(
        Command(
            words=("equipos", "teams"), slash="/equipos", parse=commands.parse_teams, handle=commands.handle,
            description="El directorio de equipos y qué se les puede pedir",
            menu=(MenuEntry("equipos", "El directorio de equipos y qué se les puede pedir"),),
            help={"es": "• /equipos — el directorio de equipos", "en": "• /equipos — the team directory"},
            help_from="pedir",
        ),
        Command(
            words=("equipo", "team"), slash="/equipo", parse=commands.parse_team, handle=commands.handle,
            description="La ficha de un equipo: qué hace, su compromiso y cómo lo cumple", usage_hint="@facturacion",
            help={"es": "• /equipo @x — su ficha y su compromiso · /equipo editar — la ficha de cliente de tu equipo",
                  "en": "• /equipo @x — a team's card and its promise · /equipo editar — your team's customer card"},
            help_from="pedir",
        ),
    ),
    forms=(Form(card.FORM_ID, card.TEAM, card.submit_form),),
    jobs=(Job("teams.digest", due=scheduled.due, run=scheduled.run, every_seconds=60),),
    catalog=DIGEST_CATALOG,
)
