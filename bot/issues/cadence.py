"""How often the owner team owes a status update, and when the next one is due.

Counted in the owner team's business hours, like SLA clocks: a sev3 issue
updated on Friday afternoon is due on Monday, not on Saturday.
"""

from __future__ import annotations

from datetime import datetime

from bot.org.spec import DEFAULT_CADENCE
from bot.sla.clocks import hours_of
from storage.models import Team


def minutes(team: Team, severity: str) -> int:
    """Business minutes between updates: the team's setting, else the default."""
    configured = (team.update_cadence or {}).get(severity)
    return int(configured or DEFAULT_CADENCE.get(severity, DEFAULT_CADENCE["sev3"]))


def next_due(team: Team, severity: str, since: datetime) -> datetime:
    return hours_of(team).add(since, minutes(team, severity))
