"""When a round reaches each person: the round's date at the chosen local time,
in the recipient's own time zone, on their business day.

A recipient whose date is a weekend or a holiday in their calendar gets the
pulse on their next business day, at the same local time. Local times are
turned into instants the way business hours turn them (bot.sla.business_hours):
a time that does not exist (the hour the clocks skip) is the moment the clocks
jump; a time that happens twice is its first occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.sla.business_hours import BusinessHours, BusinessHoursError
from bot.sla.calendar import add_business_days, person_hours
from storage.models import Person, Team

# The furthest ahead any clock runs (UTC+14, Kiribati): the earliest moment a
# local date and time arrives anywhere.
EARLIEST_OFFSET = timedelta(hours=14)
LOOK_AHEAD_DAYS = 400  # past a year of holidays: a calendar with no business day keeps the date


@dataclass(frozen=True)
class Calendar:
    """A recipient's clock and working days."""

    tz: str  # their own time zone
    hours: BusinessHours  # their working week and holidays (bot.sla.calendar.person_hours)


@dataclass(frozen=True)
class Moments:
    send_at: datetime
    remind_at: datetime | None
    closes_at: datetime  # when the window would close for this recipient


def calendar_of(person: Person, teams: Sequence[Team], default_tz: str) -> Calendar:
    """The person's calendar; `teams` as bot.teams.service.teams_of lists them."""
    return Calendar(zone_of(person, teams, default_tz), person_hours(person, teams, default_tz))


def zone_of(person: Person, teams: Sequence[Team], default_tz: str) -> str:
    """The person's time zone, as person_hours reads it (theirs, else their first team's)."""
    fallback = teams[0].timezone if teams else default_tz
    return person.timezone if person.timezone and known_zone(person.timezone) else fallback


@lru_cache(maxsize=256)
def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except Exception:  # noqa: BLE001  (chat profiles may send anything)
        return False
    return True


@lru_cache(maxsize=256)
def _wall(tz: str) -> BusinessHours:
    """Only its local-time arithmetic is used (`at`): a week with no hours will do."""
    return BusinessHours(tz, {})


def local_instant(tz: str, day: date, at: time) -> datetime:
    """The UTC instant the clock in `tz` first reads `at` on `day` (see module doc)."""
    return _wall(tz).at(day, at)


def is_business_day(hours: BusinessHours, day: date) -> bool:
    try:
        first = hours.next_open(hours.at(day, time(0)))
    except BusinessHoursError:
        return True  # a calendar with no open time at all: no day is better than another
    return first.astimezone(ZoneInfo(hours.tz)).date() == day


def business_day_from(cal: Calendar, day: date) -> date:
    """`day`, or the recipient's next business day after it."""
    for offset in range(LOOK_AHEAD_DAYS):
        if is_business_day(cal.hours, candidate := day + timedelta(days=offset)):
            return candidate
    return day


def send_moment(cal: Calendar, day: date, at: time) -> datetime:
    return local_instant(cal.tz, business_day_from(cal, day), at)


def moments(cal: Calendar, day: date, at: time, window_days: int, remind_after_days: int | None,
            *, now: datetime) -> Moments:
    """Sending, the reminder (None: no reminder) and the end of the window, for one recipient.

    A moment already past (a round opened late: a worker was down, or the pulse
    starts today) becomes the recipient's next working moment from `now`, never
    a message in the middle of their night.
    """
    send_at = send_moment(cal, day, at)
    if send_at < now:
        send_at = _next_working_moment(cal, now)
    return Moments(
        send_at=send_at,
        remind_at=add_business_days(cal.hours, send_at, remind_after_days) if remind_after_days else None,
        closes_at=add_business_days(cal.hours, send_at, window_days),
    )


def _next_working_moment(cal: Calendar, now: datetime) -> datetime:
    try:
        return cal.hours.next_open(now)
    except BusinessHoursError:
        return now


def open_moment(day: date, at: time) -> datetime:
    """When the worker opens the round: the first moment anywhere on Earth reads `day` `at`."""
    return datetime.combine(day, at, timezone.utc) - EARLIEST_OFFSET
