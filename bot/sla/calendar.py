"""Working calendars: a team's business hours minus its public and own holidays,
when a person may be reached, and counting in whole working days.

Public holidays come from the `holidays` package by country and region. A
team with no business hours ({}) is open around the clock and, as before,
keeps no holidays: its SLA clock is plain elapsed time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import holidays as public_holidays

from bot.sla.business_hours import ALWAYS_OPEN, BusinessHours

if TYPE_CHECKING:
    from storage.models import Person, Team

# When a person in no team may be reached.
PERSON_WEEK = {day: ["09:00", "18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
_DAY = timedelta(days=1)
Frozen = tuple[tuple[str, Any], ...]


class Holidays:
    """Public holidays of a country (and region) plus extra dates, looked up lazily.

    A `holidays.HolidayBase` fills a year on its first lookup and is falsy until
    then, so it must never be iterated or tested for truth: BusinessHours only
    asks `day in ...` and `bool(...)`, which mean what they say here.
    """

    __slots__ = ("_public", "_extra")

    def __init__(self, country: str | None, subdivision: str | None, extra: frozenset[date]) -> None:
        self._public = public_holidays.country_holidays(country, subdiv=subdivision) if country else None
        self._extra = extra

    def __contains__(self, day: object) -> bool:
        return day in self._extra or (self._public is not None and day in self._public)

    def __bool__(self) -> bool:  # Configured at all, not "has a holiday loaded yet".
        return self._public is not None or bool(self._extra)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Two-letter codes the `holidays` package knows public holidays for."""
    return frozenset(public_holidays.list_supported_countries(include_aliases=False))


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Other ways to name a country ("Spain", "ESP") -> its code, for did-you-mean hints."""
    from holidays.registry import COUNTRIES  # (class name, alpha-2, alpha-3, ...)

    names = {name: entry[1] for entry in COUNTRIES.values() for name in (entry[0], entry[2])}
    return names | {"UK": "GB"}  # The usual slip: the ISO code of the United Kingdom is GB.


def regions(country: str) -> dict[str, str]:
    """The country's region codes, and the names the package accepts for them: name -> code."""
    entity = public_holidays.country_holidays(country)
    codes = {code: code for code in entity.subdivisions}
    return codes | dict(getattr(entity, "subdivisions_aliases", {}))


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return tuple(map(_freeze, value)) if isinstance(value, list | tuple) else value


@lru_cache(maxsize=1024)  # Hot path (every SLA clock, every nudge): build once per calendar.
def _hours(tz: str, week: Frozen, country: str | None, subdivision: str | None,
           extra: tuple[str, ...]) -> BusinessHours:
    if not week:
        return ALWAYS_OPEN
    days_off = Holidays(country, subdivision, frozenset(map(date.fromisoformat, extra)))
    return BusinessHours.from_config(dict(week), tz, days_off)


def team_hours(team: Team) -> BusinessHours:
    """The team's weekly hours in its time zone, minus its public and extra holidays."""
    return _hours(team.timezone, _freeze(team.business_hours or {}), team.country,
                  team.subdivision, tuple(team.extra_holidays or ()))


@lru_cache(maxsize=256)
def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except Exception:  # noqa: BLE001  (chat profiles may send anything)
        return False


def person_hours(person: Person, teams: Sequence[Team], default_tz: str) -> BusinessHours:
    """When `person` may be reached: their first team's week and holidays, in their own zone.

    A Madrid team member living in Mexico City works the team's 09:00-18:00 in
    Mexico time. A time zone a chat profile got wrong falls back to the team's.
    """
    fallback = teams[0].timezone if teams else default_tz
    tz = person.timezone if person.timezone and _valid_zone(person.timezone) else fallback
    if not teams:
        return _hours(tz, _freeze(PERSON_WEEK), None, None, ())
    team = teams[0]
    return _hours(tz, _freeze(team.business_hours or {}), team.country, team.subdivision,
                  tuple(team.extra_holidays or ()))


def _is_open_day(hours: BusinessHours, day: date) -> bool:
    """Some open time on this local day (not a day off, not a holiday)."""
    first = hours.next_open(hours.at(day, time(0)))
    return first.astimezone(ZoneInfo(hours.tz)).date() == day


def add_business_days(hours: BusinessHours, moment: datetime, days: int) -> datetime:
    """`days` working days after `moment`: the same local time of day, on the
    `days`-th open day after the one `hours.next_open(moment)` falls on; if that
    day is closed at that time, its next open moment. In UTC."""
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    zone = ZoneInfo(hours.tz)
    start = hours.next_open(moment).astimezone(zone)
    day, left = start.date(), days
    while left:
        day += _DAY
        left -= _is_open_day(hours, day)
    # Wall-clock time, so 10:00 stays 10:00 across a DST change (in a gap: the transition).
    return hours.next_open(hours.at(day, start.time()))


def start_of_next_working_day(hours: BusinessHours, moment: datetime) -> datetime:
    """The first open moment of the first open day after `moment`'s local day. In UTC."""
    day = moment.astimezone(ZoneInfo(hours.tz)).date() + _DAY
    return hours.next_open(hours.at(day, time(0)))

