"""The nudge machinery as Pedir's registry knows it: its ticks and its snooze button."""

from __future__ import annotations

from bot.commands.registry import Button, Domain, Job
from bot.nudges import confirm, sender, snooze
from bot.nudges.catalog import NUDGE_CATALOG

TICK_SECONDS = 30

DOMAIN = Domain(
    name="nudges",
    buttons=(Button("nudge.snooze", sender.NUDGE, snooze.press),),
    jobs=(
        Job("nudges.send", due=sender.due, run=sender.send, every_seconds=TICK_SECONDS, next_at=sender.next_at),
        Job("nudges.confirm", due=confirm.due, run=confirm.confirm, every_seconds=TICK_SECONDS),
    ),
    catalog=NUDGE_CATALOG,
)
