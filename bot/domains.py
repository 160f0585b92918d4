"""Every domain Pedir serves: one registration line each, in the order help
texts, menus and home pages list them."""

from __future__ import annotations

from bot.commands.registry import Registry
from bot.customers.domain import DOMAIN as CUSTOMERS
from bot.dashboard.domain import DOMAIN as DASHBOARD
from bot.issues.domain import DOMAIN as ISSUES
from bot.nudges.domain import DOMAIN as NUDGES
from bot.people.domain import DOMAIN as PEOPLE
from bot.pulses.domain import DOMAIN as PULSES
from bot.requests.domain import DOMAIN as REQUESTS
from bot.teams.domain import DOMAIN as TEAMS

REGISTRY = Registry(REQUESTS, TEAMS, ISSUES, CUSTOMERS, PULSES, NUDGES, PEOPLE, DASHBOARD)
