"""When pulses go out: round dates for each schedule, the schedule in words,
and each recipient's own moments (time zone, business days, holidays, DST).

Pure functions: no database, no clock but the `now` each call is given.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import bot.domains  # noqa: F401  (registers every domain's sentences)
from bot.errors import UserError
from bot.pulses import recurrence, timing
from bot.pulses.recurrence import BIWEEKLY, CRON, MONTHLY, ONCE, WEEKLY, Schedule
from storage.models import Person, Team

UTC = timezone.utc
TEN = time(10)
WEEK = {day: ["09:00", "18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def dates(schedule: Schedule, count: int) -> list[date]:
    found = [recurrence.first_on_or_after(schedule, schedule.start)]
    while len(found) < count and found[-1] is not None:
        found.append(recurrence.next_after(schedule, found[-1]))
    return found


def team(slug: str, tz: str = "Europe/Madrid", country: str | None = "ES", region: str | None = "MD",
         hours: dict | None = None) -> Team:
    return Team(id=hash(slug) % 1000, slug=slug, name=slug.title(), timezone=tz, country=country,
                subdivision=region, business_hours=WEEK if hours is None else hours, extra_holidays=[])


def person(tz: str | None) -> Person:
    return Person(name="x", timezone=tz)


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


# ------------------------------------------------------------------ round dates


def test_once_goes_out_on_its_date_and_never_again():
    schedule = Schedule(ONCE, date(2027, 1, 12), TEN)
    assert dates(schedule, 3) == [date(2027, 1, 12), None]
    assert recurrence.first_on_or_after(schedule, date(2027, 1, 13)) is None


def test_weekly_and_every_two_weeks_keep_the_first_date_weekday():
    assert dates(Schedule(WEEKLY, date(2027, 1, 11), TEN), 3) == [date(2027, 1, 11), date(2027, 1, 18),
                                                                  date(2027, 1, 25)]
    biweekly = Schedule(BIWEEKLY, date(2027, 1, 11), TEN)
    assert dates(biweekly, 3) == [date(2027, 1, 11), date(2027, 1, 25), date(2027, 2, 8)]
    # From any day, the next date of the same series (a resumed pulse).
    assert recurrence.first_on_or_after(biweekly, date(2027, 1, 12)) == date(2027, 1, 25)


def test_monthly_is_the_same_nth_weekday():
    second_tuesday = Schedule(MONTHLY, date(2027, 1, 12), TEN)
    assert dates(second_tuesday, 4) == [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]
    # A fifth Friday is not in every month: it is the last one.
    last_friday = Schedule(MONTHLY, date(2027, 1, 29), TEN)
    assert dates(last_friday, 3) == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)]


@pytest.mark.parametrize(("expression", "expected"), [
    ("0 10 * * 1", [date(2026, 11, 30), date(2026, 12, 7)]),  # 1 is Monday, as in crontab (not APScheduler's Tuesday)
    ("0 10 * * 0", [date(2026, 11, 29), date(2026, 12, 6)]),  # 0 and 7 are Sunday
    ("0 10 * * 7", [date(2026, 11, 29), date(2026, 12, 6)]),
    ("0 10 * * mon-fri", [date(2026, 11, 25), date(2026, 11, 26)]),
    ("0 10 1 * *", [date(2026, 12, 1), date(2027, 1, 1)]),
    ("30 9 1 * 5", [date(2026, 11, 27), date(2026, 12, 1)]),  # day 1 or a Friday: crontab's either rule
])
def test_cron_dates_follow_crontab(expression, expected):
    schedule = Schedule(CRON, date(2026, 11, 25), recurrence.parse_cron(expression).at, expression)
    assert dates(schedule, 2) == expected


def test_a_cron_expression_names_the_time_and_must_fire():
    assert recurrence.parse_cron("30 9 * * 1").at == time(9, 30)
    never = Schedule(CRON, date(2026, 11, 25), TEN, "0 10 30 2 *")
    assert recurrence.first_on_or_after(never, never.start) is None
    for bad, key in [("0 10 * *", "pulse.setup.cron_invalid"), ("0 10 32 * *", "pulse.setup.cron_invalid"),
                     ("0 * * * 1", "pulse.setup.cron_time"), ("*/5 10 * * 1", "pulse.setup.cron_time"),
                     ("0 10 * * MON#2", "pulse.setup.cron_invalid")]:
        with pytest.raises(UserError) as refused:
            recurrence.parse_cron(bad)
        assert refused.value.key == key, bad


def test_the_schedule_in_words_in_spanish_and_english():
    monthly = Schedule(MONTHLY, date(2027, 1, 12), TEN)
    assert recurrence.describe(monthly, "es") == "cada mes, el segundo martes a las 10:00, desde el 12 ene 2027"
    assert recurrence.describe(monthly, "en") == "monthly, on the second Tuesday at 10:00, from Jan 12, 2027"
    weekly = Schedule(WEEKLY, date(2027, 1, 11), time(9, 30))
    assert recurrence.describe(weekly, "es").startswith("cada semana, los lunes a las 09:30")
    cron = Schedule(CRON, date(2026, 11, 25), TEN, "0 10 * * 1")
    assert recurrence.describe(cron, "es") == "A las 10:00, sólo el lunes (cron «0 10 * * 1»), desde el 25 nov 2026"
    assert recurrence.describe(cron, "en") == "At 10:00, only on Monday (cron “0 10 * * 1”), from Nov 25, 2026"
    assert recurrence.cron_words("0 10 1 2 *", "es") == "A las 10:00, el día 1 del mes, sólo en febrero"


# ------------------------------------------------------------------ each recipient's moments


def test_madrid_mexico_city_and_tokyo_each_get_their_own_ten_oclock():
    day = date(2027, 1, 14)  # a Thursday, a working day everywhere
    for tz, utc_hour in [("Europe/Madrid", 9), ("America/Mexico_City", 16), ("Asia/Tokyo", 1)]:
        cal = timing.calendar_of(person(tz), [], "Europe/Madrid")
        moments = timing.moments(cal, day, TEN, 3, 2, now=LONG_AGO)
        assert local(moments.send_at, tz) == datetime(2027, 1, 14, 10, 0), tz
        assert moments.send_at == datetime(2027, 1, 14, utc_hour, 0, tzinfo=UTC), tz


def test_a_madrid_team_member_in_mexico_keeps_the_teams_holidays_on_her_own_clock():
    madrid = team("soporte")
    cal = timing.calendar_of(person("America/Mexico_City"), [madrid], "Europe/Madrid")
    # 8 December is a Spanish holiday: she gets it the 9th, at 10:00 Mexico City time.
    send = timing.send_moment(cal, date(2026, 12, 8), TEN)
    assert local(send, "America/Mexico_City") == datetime(2026, 12, 9, 10, 0)


def test_a_holiday_or_a_weekend_moves_a_recipient_to_their_next_business_day():
    madrid = timing.calendar_of(person(None), [team("rrhh")], "Europe/Madrid")
    mexico = timing.calendar_of(person(None), [team("mx", "America/Mexico_City", "MX", None)], "Europe/Madrid")
    # Tuesday 8 December: a holiday in Spain, not in Mexico.
    assert local(timing.send_moment(madrid, date(2026, 12, 8), TEN), "Europe/Madrid") == datetime(2026, 12, 9, 10)
    assert local(timing.send_moment(mexico, date(2026, 12, 8), TEN), "America/Mexico_City") == datetime(2026, 12, 8, 10)
    # Saturday: Monday for both. 24 and 25 December (Thu, Fri, extra and public holidays): Monday 28.
    assert local(timing.send_moment(madrid, date(2027, 1, 16), TEN), "Europe/Madrid") == datetime(2027, 1, 18, 10)
    christmas = team("ventas")
    christmas.extra_holidays = ["2026-12-24"]
    cal = timing.calendar_of(person(None), [christmas], "Europe/Madrid")
    assert local(timing.send_moment(cal, date(2026, 12, 24), TEN), "Europe/Madrid") == datetime(2026, 12, 28, 10)


def test_weekly_ten_oclock_through_the_weeks_europe_and_america_change_clocks_apart():
    """New York moves to summer time on 14 March 2027, Madrid on 28 March: each
    keeps 10:00 local every Monday, so the gap between them is 5 h, 4 h, then 5 h."""
    schedule = Schedule(WEEKLY, date(2027, 3, 8), TEN)
    madrid = timing.calendar_of(person("Europe/Madrid"), [], "UTC")
    new_york = timing.calendar_of(person("America/New_York"), [], "UTC")
    mondays = dates(schedule, 4)
    assert mondays == [date(2027, 3, 8), date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 29)]
    in_madrid = [timing.send_moment(madrid, day, TEN) for day in mondays]
    in_new_york = [timing.send_moment(new_york, day, TEN) for day in mondays]
    assert all(local(m, "Europe/Madrid").time() == TEN for m in in_madrid)
    assert all(local(m, "America/New_York").time() == TEN for m in in_new_york)
    assert [m.hour for m in in_madrid] == [9, 9, 9, 8]
    assert [m.hour for m in in_new_york] == [15, 14, 14, 14]
    assert [(b - a) for a, b in zip(in_madrid, in_new_york)] == [timedelta(hours=h) for h in (6, 5, 5, 6)]


def test_a_local_time_the_clocks_skip_or_repeat():
    # 02:30 on 28 March 2027 does not exist in Madrid: the moment the clocks jump (03:00 CEST).
    assert timing.local_instant("Europe/Madrid", date(2027, 3, 28), time(2, 30)) == datetime(2027, 3, 28, 1, 0,
                                                                                              tzinfo=UTC)
    # 02:30 on 31 October 2027 happens twice: the first one (still CEST).
    assert timing.local_instant("Europe/Madrid", date(2027, 10, 31), time(2, 30)) == datetime(2027, 10, 31, 0, 30,
                                                                                               tzinfo=UTC)


def test_reminder_and_closing_count_each_recipients_business_days():
    cal = timing.calendar_of(person(None), [team("rrhh")], "Europe/Madrid")
    # Thursday 3 December 2026 at 10:00; Monday 7 is a Madrid holiday, Tuesday 8 a national one.
    moments = timing.moments(cal, date(2026, 12, 3), TEN, 3, 2, now=LONG_AGO)
    assert local(moments.send_at, "Europe/Madrid") == datetime(2026, 12, 3, 10)
    assert local(moments.remind_at, "Europe/Madrid") == datetime(2026, 12, 9, 10)  # Fri 4, Wed 9
    assert local(moments.closes_at, "Europe/Madrid") == datetime(2026, 12, 10, 10)  # Fri 4, Wed 9, Thu 10
    assert timing.moments(cal, date(2026, 12, 3), TEN, 3, None, now=LONG_AGO).remind_at is None


def test_a_moment_already_past_is_the_recipients_next_working_moment():
    cal = timing.calendar_of(person("Asia/Tokyo"), [], "Europe/Madrid")
    # Opened late: Tokyo's 10:00 on the 14th passed; now it is 20:00 there, after hours.
    now = datetime(2027, 1, 14, 11, 0, tzinfo=UTC)
    moments = timing.moments(cal, date(2027, 1, 14), TEN, 3, 2, now=now)
    assert local(moments.send_at, "Asia/Tokyo") == datetime(2027, 1, 15, 9, 0)


def test_the_round_opens_when_the_first_time_zone_reaches_its_date_and_time():
    opens = timing.open_moment(date(2027, 1, 12), TEN)
    assert opens == datetime(2027, 1, 11, 20, 0, tzinfo=UTC)
    assert local(opens, "Pacific/Kiritimati") == datetime(2027, 1, 12, 10, 0)
