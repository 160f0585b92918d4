"""When a pulse goes out: its schedule, the date of each round, and the
schedule in words.

Dates are calendar dates, the same for every recipient: a round "on Monday
12 January at 10:00" reaches each person at 10:00 of their own Monday
(bot.pulses.timing). So recurrences are computed on plain dates, with no
time zone at all; cron expressions are evaluated by APScheduler on a
floating calendar (UTC standing in for "nobody's zone").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from babel.dates import format_date, get_day_names, get_month_names
from cron_descriptor import ExpressionDescriptor, Options

from bot.errors import UserError
from bot.i18n import normalize_locale, t

ONCE, WEEKLY, BIWEEKLY, MONTHLY, CRON = "once", "weekly", "biweekly", "monthly", "cron"
KINDS = (ONCE, WEEKLY, BIWEEKLY, MONTHLY, CRON)
_PERIOD = {WEEKLY: 7, BIWEEKLY: 14}
# A cron expression with no date within this many years never fires, as far as
# anyone waiting for a pulse is concerned ("0 10 29 2 *" fires every 4 years).
HORIZON_YEARS = 5
_FIELD = re.compile(r"^[0-9A-Za-z*,/-]+$")
_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron's 0..6
_APS_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # APScheduler's names for the same days
_CRON_LOCALES = {"es": "es_ES", "en": "en_US"}


@dataclass(frozen=True)
class Schedule:
    kind: str
    start: date  # the first round's date (for cron: no round before it)
    at: time  # each recipient's local time
    cron: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "start": self.start.isoformat(), "time": self.at.strftime("%H:%M")}
        if self.cron:
            data["cron"] = self.cron
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        return cls(data["kind"], date.fromisoformat(data["start"]), time.fromisoformat(data["time"]),
                   data.get("cron"))


# ------------------------------------------------------------------ dates


def first_on_or_after(schedule: Schedule, day: date) -> date | None:
    """The first round date on or after `day`; None when there is none (a once
    pulse whose date is behind, a cron expression that never fires again)."""
    day = max(day, schedule.start)
    if schedule.kind == ONCE:
        return schedule.start if day == schedule.start else None
    if schedule.kind in _PERIOD:
        period = _PERIOD[schedule.kind]
        periods = -(-(day - schedule.start).days // period)  # rounded up
        return schedule.start + timedelta(days=periods * period)
    if schedule.kind == MONTHLY:
        return _monthly(schedule.start, day)
    return _cron_date(schedule.cron or "", day)


def next_after(schedule: Schedule, day: date) -> date | None:
    return first_on_or_after(schedule, day + timedelta(days=1))


def nth_of_month(day: date) -> int:
    """Which of its month's weekdays `day` is: 1 to 4, or 5 for the last one
    (a fifth Tuesday is not in every month: "the last Tuesday" is)."""
    n = (day.day - 1) // 7 + 1
    return 5 if n == 5 else n


def _weekday_in(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` of the month (n = 5: the last)."""
    if n == 5:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _monthly(start: date, day: date) -> date:
    n, weekday = nth_of_month(start), start.weekday()
    year, month = day.year, day.month
    while True:
        candidate = _weekday_in(year, month, weekday, n)
        if candidate >= day:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


# ------------------------------------------------------------------ cron


@dataclass(frozen=True)
class Cron:
    """A crontab line read for a pulse: the time it names, and its date rules."""

    at: time
    # (day, month, weekday) as APScheduler reads them; two when day of month and
    # weekday are both set, since then either one fires.
    variants: tuple[tuple[str, str, str], ...]

    def triggers(self, end: datetime | None = None) -> list[CronTrigger]:
        return [CronTrigger(minute=0, hour=0, day=day, month=month, day_of_week=weekday,
                            end_date=end, timezone=timezone.utc) for day, month, weekday in self.variants]


def parse_cron(expression: str) -> Cron:
    """`minute hour day month weekday`, as crontab has it (weekday 0 or 7 is Sunday).

    A pulse goes out at most once a day, so minute and hour are single numbers.
    Raises UserError("pulse.setup.cron_*") with what to write instead.
    """
    fields = expression.split()
    if len(fields) != 5 or not all(_FIELD.match(f) for f in fields):
        raise UserError("pulse.setup.cron_invalid", value=expression)
    minute, hour, dom, month, dow = fields
    if not (minute.isdigit() and hour.isdigit() and int(minute) < 60 and int(hour) < 24):
        raise UserError("pulse.setup.cron_time", value=expression)
    try:
        days = _weekdays(dow.lower())
        # Cron's rule: with both day of month and weekday restricted, either one fires.
        either = not dom.startswith("*") and not dow.startswith("*")
        variants = [(dom, "*"), ("*", days)] if either else [(dom, days)]
        cron = Cron(time(int(hour), int(minute)), tuple((d, month.lower(), w) for d, w in variants))
        cron.triggers()  # APScheduler checks each field's values
    except ValueError:
        raise UserError("pulse.setup.cron_invalid", value=expression) from None
    return cron


def _weekdays(field: str) -> str:
    """Cron's weekday field as APScheduler 3 reads it: by name, since its numbers
    start at Monday (0) where crontab's start at Sunday."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(part)
        step = int(step_text) if slash else 1
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            low, high = (_weekday_number(x) for x in base.split("-", 1))
        else:
            low = _weekday_number(base)
            high = 7 if slash else low
        if low > high:
            raise ValueError(part)
        days.update(d % 7 for d in range(low, high + 1, step))
    return ",".join(_APS_DAYS[d] for d in sorted(days))


def _weekday_number(token: str) -> int:
    if token in _DOW_NAMES:
        return _DOW_NAMES.index(token)
    if token.isdigit() and int(token) <= 7:
        return int(token)
    raise ValueError(token)


def _cron_date(expression: str, day: date) -> date | None:
    cron = parse_cron(expression)
    start = datetime.combine(day, time(0), timezone.utc)
    end = start + timedelta(days=366 * HORIZON_YEARS)  # bounds the search, too
    fires = [fire for trigger in cron.triggers(end) if (fire := trigger.get_next_fire_time(None, start))]
    return min(fires).date() if fires else None


# ------------------------------------------------------------------ words


def describe(schedule: Schedule, locale: str | None) -> str:
    """"cada mes, el segundo martes, a las 10:00, desde el 12 ene 2027"."""
    lang = normalize_locale(locale)
    at = schedule.at.strftime("%H:%M")
    start = format_date(schedule.start, format="medium", locale=lang)
    weekday = get_day_names("wide", locale=lang)[schedule.start.weekday()]
    if schedule.kind == CRON:
        words = cron_words(schedule.cron or "", lang)
        return t(lang, "pulse.setup.when.cron", words=words, cron=schedule.cron, start=start)
    nth = t(lang, f"pulse.setup.nth.{nth_of_month(schedule.start)}")
    return t(lang, f"pulse.setup.when.{schedule.kind}", at=at, start=start, weekday=weekday, nth=nth)


def cron_words(expression: str, locale: str | None) -> str:
    """The cron expression in words (cron-descriptor), with its day and month
    names in the reader's language: the package takes those from the process's
    locale, which is nobody's in particular."""
    lang = normalize_locale(locale)
    options = Options(locale_code=_CRON_LOCALES[lang], use_24hour_time_format=True)
    words = ExpressionDescriptor(expression, options).get_description()
    names = {calendar.day_name[i]: get_day_names("wide", locale=lang)[i] for i in range(7)}
    names |= {calendar.month_name[m]: get_month_names("wide", locale=lang)[m] for m in range(1, 13)}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return pattern.sub(lambda m: names[m[0]], words)
