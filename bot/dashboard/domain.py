"""The dashboard, as Pedir's registry knows it: its sweep of expired sign-in
links and idle sessions. (Its chat word is /pedir panel, a requests command;
its pages are adapters.web.dashboard's.)"""

from __future__ import annotations

from bot.commands.registry import Domain, Job
from bot.dashboard import sweep

DOMAIN = Domain(
    name="dashboard",
    jobs=(Job("dashboard.sweep", due=sweep.due, run=sweep.run, every_seconds=sweep.EVERY_SECONDS),),
)
