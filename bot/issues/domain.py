"""Customer issues, as Pedir's registry knows them."""

from __future__ import annotations

from bot.commands.registry import Command, Domain, MenuEntry
from bot.issues import home, scheduled
from bot.issues.commands import actions, handlers, parser
from bot.issues.nudge_text import ISSUE_NUDGES

DOMAIN = Domain(
    name="issues",
    commands=(
        Command(
            words=("incidencia", "issue", "incident"), slash="/incidencia",
            parse=parser.parse_issue, handle=handlers.handle,
            description="Incidencias de clientes: abre, sigue, cierra",
            usage_hint="nueva #ACME sev2 qué pasa · ver INC-7 · seguir INC-7 · cerrar INC-7 nota · ayuda",
            menu=(MenuEntry("incidencia", "nueva #CLIENTE sev2 qué pasa · ver|seguir|cerrar INC-7 — incidencias de clientes "
                                          "(la lista: incidencias [#CLIENTE])"),),
            help={"es": "• /incidencia ayuda — incidencias de clientes", "en": "• /incidencia help — customer issues"},
            verbs=parser.VERBS,
        ),
        Command(
            words=("incidencias", "issues", "incidents"), slash="/incidencias",
            parse=parser.parse_issues, handle=handlers.handle,
            description="Las incidencias abiertas, con su último estado", usage_hint="[#ACME]",
            # Not in Teams' menu (10 entries at most, room kept for new domains): "incidencia"'s entry names it.
            help={"es": "• /incidencias [#CLIENTE] — las incidencias abiertas",
                  "en": "• /incidencias [#CUSTOMER] — open customer issues"},
            help_from="incidencia",
        ),
        Command(
            words=("estado", "status"), slash="/estado", parse=parser.parse_status, handle=handlers.handle,
            description="Publica el estado de una incidencia a todos los que la siguen",
            usage_hint="INC-7 qué ha cambiado",
            menu=(MenuEntry("estado", "INC-7 qué ha cambiado — avisa a todos los que siguen la incidencia"),),
            help={"es": "• /estado INC-7 texto — el estado de una incidencia, para todos los que la siguen",
                  "en": "• /estado INC-7 text — an issue's status, for everyone following it"},
            claims_line=parser.is_status_post,
            help_from="incidencia",
        ),
    ),
    buttons=actions.BUTTONS,
    forms=actions.FORMS,
    home=home.home,
    nudges=scheduled.KINDS,
    catalog=ISSUE_NUDGES,
)
