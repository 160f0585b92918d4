"""TEMPORARY shim: replaced by the calendar branch (holidays, person hours)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from bot.sla.business_hours import BusinessHours
from storage.models import Person, Team

_WEEK = {d: [(time(9), time(18))] for d in range(5)}


def team_hours(team: Team) -> BusinessHours:
    from bot.sla.clocks import hours_of
    return hours_of(team)


def person_hours(person: Person, teams: Sequence[Team], default_tz: str) -> BusinessHours:
    if teams and teams[0].business_hours:
        return BusinessHours.from_config(teams[0].business_hours, person.timezone or teams[0].timezone)
    return BusinessHours(person.timezone or default_tz, _WEEK)


def add_business_days(hours: BusinessHours, moment: datetime, days: int) -> datetime:
    start = hours.next_open(moment)
    return hours.next_open(start + timedelta(days=days))


def start_of_next_working_day(hours: BusinessHours, moment: datetime) -> datetime:
    return hours.next_open(moment + timedelta(hours=12))
