"""External customers and their churn risk, as Pedir's registry knows them."""

from __future__ import annotations

from bot.commands.registry import Command, Domain, MenuEntry
from bot.customers import commands, scheduled

DOMAIN = Domain(
    name="customers",
    commands=(
        Command(
            words=("cliente", "customer", "clientes", "customers"), slash="/cliente",
            parse=commands.parse, handle=commands.handle,
            description="Todo sobre un cliente: incidencias, pedidos, riesgo", usage_hint="ACME · nuevo #ACME Nombre",
            menu=(MenuEntry("cliente", "ACME — todo sobre un cliente: incidencias, pedidos y riesgo"),),
            help={"es": "• /cliente ACME — todo sobre un cliente", "en": "• /cliente ACME — everything about a customer"},
            claims_line=commands.names_a_customer,
            help_from="incidencia",  # its help covers customers too
        ),
    ),
    buttons=commands.BUTTONS,
    nudges=scheduled.KINDS,
    catalog=scheduled.RISK_NUDGES,
)
