"""Business-hours calculator: pure, no database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

from bot.sla.business_hours import ALWAYS_OPEN, BusinessHours, BusinessHoursError

UTC = timezone.utc
MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = WEEKDAYS + ("sat", "sun")
LUNCH_BREAK = [["09:00", "14:00"], ["15:00", "18:00"]]


def madrid(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def office(tz: str = "Europe/Madrid", holidays=()) -> BusinessHours:
    return BusinessHours.from_config({d: ["09:00", "18:00"] for d in WEEKDAYS}, tz, holidays)


def assert_utc(result: datetime) -> None:
    assert result.tzinfo is UTC


# -- Mon-Fri 09:00-18:00 Madrid ------------------------------------------------------


def test_friday_late_request_lands_on_monday_morning() -> None:
    result = office().add(madrid(2026, 5, 15, 17, 30), 60)  # Friday
    assert_utc(result)
    assert result == madrid(2026, 5, 18, 9, 30)  # Monday
    assert result == utc(2026, 5, 18, 7, 30)


def test_weekend_start_counts_from_monday_opening() -> None:
    bh = office()
    saturday = madrid(2026, 5, 16, 12, 0)
    assert not bh.is_open(saturday)
    assert bh.next_open(saturday) == madrid(2026, 5, 18, 9, 0)
    assert bh.add(saturday, 0) == madrid(2026, 5, 18, 9, 0)
    assert bh.add(saturday, 90) == madrid(2026, 5, 18, 10, 30)
    assert bh.minutes_between(saturday, madrid(2026, 5, 18, 10, 0)) == 60


def test_before_opening_waits_for_opening() -> None:
    bh = office()
    early = madrid(2026, 5, 18, 7, 45)
    assert not bh.is_open(early)
    assert bh.next_open(early) == madrid(2026, 5, 18, 9, 0)
    assert bh.add(early, 30) == madrid(2026, 5, 18, 9, 30)


def test_open_moment_is_its_own_next_open_and_add_zero() -> None:
    bh = office()
    moment = madrid(2026, 5, 18, 11, 0)
    assert bh.is_open(moment)
    assert bh.next_open(moment) == moment
    assert bh.add(moment, 0) == moment
    assert_utc(bh.add(moment, 0))


def test_exactly_at_close() -> None:
    bh = office()
    close = madrid(2026, 5, 18, 18, 0)
    assert bh.is_open(madrid(2026, 5, 18, 9, 0))  # intervals are [start, end)
    assert not bh.is_open(close)
    assert bh.next_open(close) == madrid(2026, 5, 19, 9, 0)
    # Landing exactly on the close returns the close, not the next opening.
    assert bh.add(madrid(2026, 5, 18, 17, 0), 60) == close
    assert bh.add(madrid(2026, 5, 18, 17, 0), 61) == madrid(2026, 5, 19, 9, 1)
    assert bh.minutes_between(madrid(2026, 5, 18, 9, 0), close) == 540


def test_split_intervals_skip_the_lunch_break() -> None:
    bh = BusinessHours.from_config({d: LUNCH_BREAK for d in WEEKDAYS}, "Europe/Madrid")
    assert bh.add(madrid(2026, 5, 18, 13, 30), 60) == madrid(2026, 5, 18, 15, 30)
    assert bh.add(madrid(2026, 5, 18, 13, 0), 60) == madrid(2026, 5, 18, 14, 0)
    lunch = madrid(2026, 5, 18, 14, 30)
    assert not bh.is_open(lunch)
    assert bh.next_open(lunch) == madrid(2026, 5, 18, 15, 0)
    assert bh.minutes_between(madrid(2026, 5, 18, 0, 0), madrid(2026, 5, 19, 0, 0)) == 480


def test_holidays_are_closed_all_day() -> None:
    bh = office(holidays=[date(2026, 12, 25), date(2026, 12, 28)])  # Friday and Monday
    assert not bh.is_open(madrid(2026, 12, 25, 10, 0))
    assert bh.add(madrid(2026, 12, 24, 17, 30), 60) == madrid(2026, 12, 29, 9, 30)
    assert bh.minutes_between(madrid(2026, 12, 24, 9, 0), madrid(2026, 12, 30, 9, 0)) == 2 * 540


def test_seconds_are_respected_and_minutes_floor() -> None:
    bh = office()
    start = madrid(2026, 5, 18, 9, 0, 30)
    assert bh.add(start, 1) == madrid(2026, 5, 18, 9, 1, 30)
    assert bh.minutes_between(start, madrid(2026, 5, 18, 9, 2, 0)) == 1
    assert bh.minutes_between(start, madrid(2026, 5, 18, 9, 2, 29)) == 1
    assert bh.minutes_between(start, madrid(2026, 5, 18, 9, 2, 30)) == 2


def test_minutes_between_is_zero_for_empty_or_reversed_ranges() -> None:
    bh = office()
    moment = madrid(2026, 5, 18, 10, 0)
    assert bh.minutes_between(moment, moment) == 0
    assert bh.minutes_between(moment, moment - timedelta(hours=1)) == 0


def test_large_additions_are_fast_and_exact() -> None:
    bh = office(holidays=[date(2026, 12, 25)])
    start = madrid(2026, 5, 15, 17, 30)
    result = bh.add(start, 100_000)
    assert bh.minutes_between(start, result) == 100_000
    assert bh.is_open(result - timedelta(seconds=1))


def test_negative_minutes_rejected() -> None:
    with pytest.raises(ValueError):
        office().add(madrid(2026, 5, 18, 10, 0), -1)


# -- always open, never open -------------------------------------------------------


def test_always_open() -> None:
    start = madrid(2026, 5, 16, 3, 17, 12)  # a Saturday night
    # Per the org-file contract, no hours means 24/7 even if the org lists holidays.
    no_hours = BusinessHours.from_config({}, "America/New_York", [date(2026, 5, 16)])
    for bh in (ALWAYS_OPEN, no_hours):
        assert bh.is_open(start)
        assert bh.next_open(start) == start
        assert bh.add(start, 100_000) == start + timedelta(minutes=100_000)
        assert_utc(bh.add(start, 5))
        assert bh.minutes_between(start, start + timedelta(days=3, seconds=59)) == 3 * 1440


def test_full_days_written_with_24_00() -> None:
    weekend = {"sat": ["00:00", "24:00"], "sun": ["00:00", "24:00"]}
    bh = BusinessHours.from_config(weekend, "Europe/Madrid")
    # The fall-back Sunday has 25 hours.
    assert bh.minutes_between(madrid(2026, 10, 24, 0, 0), madrid(2026, 10, 26, 0, 0)) == 49 * 60
    assert bh.add(madrid(2026, 10, 23, 12, 0), 49 * 60) == madrid(2026, 10, 26, 0, 0)
    assert bh.add(madrid(2026, 10, 23, 12, 0), 49 * 60 + 1) == madrid(2026, 10, 31, 0, 1)


def test_no_open_time_at_all() -> None:
    bh = BusinessHours.from_config({"mon": []}, "Europe/Madrid")
    moment = madrid(2026, 5, 18, 10, 0)
    assert not bh.is_open(moment)
    assert bh.minutes_between(moment, moment + timedelta(days=30)) == 0
    with pytest.raises(BusinessHoursError, match="no open time"):
        bh.add(moment, 10)
    with pytest.raises(BusinessHoursError, match="no open time"):
        bh.next_open(moment)


# -- daylight saving time -------------------------------------------------------------


def night_shift() -> BusinessHours:
    return BusinessHours.from_config({d: ["01:00", "04:00"] for d in ALL_DAYS}, "Europe/Madrid")


def test_spring_forward_shortens_an_interval_across_the_gap() -> None:
    bh = night_shift()
    day_start, day_end = madrid(2027, 3, 28, 0, 0), madrid(2027, 3, 29, 0, 0)
    assert bh.minutes_between(day_start, day_end) == 120  # 02:00-03:00 never happens
    opening = madrid(2027, 3, 28, 1, 0)
    assert opening == utc(2027, 3, 28, 0, 0)
    assert bh.add(opening, 60) == utc(2027, 3, 28, 1, 0) == madrid(2027, 3, 28, 3, 0)
    assert bh.add(opening, 120) == utc(2027, 3, 28, 2, 0) == madrid(2027, 3, 28, 4, 0)
    assert bh.add(opening, 121) == madrid(2027, 3, 29, 1, 1)
    three_nights = bh.minutes_between(madrid(2027, 3, 27, 0, 0), madrid(2027, 3, 30, 0, 0))
    assert three_nights == 180 + 120 + 180


def test_fall_back_lengthens_an_interval_across_the_repeat() -> None:
    bh = night_shift()
    assert bh.minutes_between(madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 26, 0, 0)) == 240
    opening = madrid(2026, 10, 25, 1, 0)
    assert opening == utc(2026, 10, 24, 23, 0)
    first_two = utc(2026, 10, 25, 0, 0)  # 02:00 CEST
    second_two = utc(2026, 10, 25, 1, 0)  # 02:00 CET, the repeat
    assert bh.is_open(first_two) and bh.is_open(second_two)
    assert bh.add(opening, 60) == first_two
    assert bh.add(opening, 120) == second_two
    assert bh.add(opening, 240) == utc(2026, 10, 25, 3, 0) == madrid(2026, 10, 25, 4, 0)


def test_start_inside_the_gap_maps_to_the_transition() -> None:
    bh = BusinessHours.from_config({"sun": ["02:30", "05:00"]}, "Europe/Madrid")
    # 02:30 does not exist on 2027-03-28: the day opens when clocks jump to 03:00.
    assert bh.next_open(madrid(2027, 3, 28, 0, 0)) == utc(2027, 3, 28, 1, 0)
    assert bh.minutes_between(madrid(2027, 3, 28, 0, 0), madrid(2027, 3, 29, 0, 0)) == 120


def test_nine_to_six_is_nine_hours_on_change_days() -> None:
    bh = BusinessHours.from_config({d: ["09:00", "18:00"] for d in ALL_DAYS}, "Europe/Madrid")
    for day in (date(2027, 3, 28), date(2026, 10, 25)):
        start = datetime.combine(day, time(0), MADRID)
        assert bh.minutes_between(start, start + timedelta(days=1)) == 540
        assert bh.add(start, 540) == datetime.combine(day, time(18), MADRID)


def test_office_hours_across_the_spring_forward_weekend() -> None:
    bh = office()
    friday = madrid(2027, 3, 26, 17, 30)
    assert friday == utc(2027, 3, 26, 16, 30)  # CET, UTC+1
    assert bh.add(friday, 60) == utc(2027, 3, 29, 7, 30)  # CEST, UTC+2: 09:30 local
    assert bh.minutes_between(friday, utc(2027, 3, 29, 8, 0)) == 90


def test_office_hours_across_the_fall_back_weekend() -> None:
    bh = office()
    friday = madrid(2026, 10, 23, 17, 30)
    assert friday == utc(2026, 10, 23, 15, 30)  # CEST, UTC+2
    assert bh.add(friday, 60) == utc(2026, 10, 26, 8, 30)  # CET, UTC+1: 09:30 local
    assert bh.minutes_between(friday, utc(2026, 10, 26, 9, 0)) == 90


# -- time zones -------------------------------------------------------------------------


def test_same_instant_new_york_vs_madrid() -> None:
    ny, mad = office("America/New_York"), office("Europe/Madrid")
    both = utc(2026, 6, 1, 14, 0)  # Monday: 16:00 Madrid, 10:00 New York
    assert ny.is_open(both) and mad.is_open(both)
    evening = utc(2026, 6, 1, 17, 0)  # 19:00 Madrid, 13:00 New York
    assert ny.is_open(evening) and not mad.is_open(evening)
    assert mad.next_open(evening) == utc(2026, 6, 2, 7, 0)
    assert ny.add(evening, 60) == utc(2026, 6, 1, 18, 0)
    assert mad.add(evening, 60) == utc(2026, 6, 2, 8, 0)
    # Between the US (14 March) and EU (28 March) changes the gap is 5 hours, not 6.
    monday = utc(2027, 3, 22, 0, 0)
    assert mad.next_open(monday) == utc(2027, 3, 22, 8, 0)
    assert ny.next_open(monday) == utc(2027, 3, 22, 13, 0)


def test_input_zone_does_not_matter() -> None:
    bh = office()
    instant = utc(2026, 5, 15, 15, 30)
    for zone in (UTC, MADRID, NEW_YORK, ZoneInfo("Asia/Tokyo")):
        assert bh.add(instant.astimezone(zone), 60) == utc(2026, 5, 18, 7, 30)


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "tz", "message"),
    [
        ({"mon": ["9am", "18:00"]}, "Europe/Madrid", r"mon: '9am' is not a time"),
        ({"tue": ["25:00", "26:00"]}, "Europe/Madrid", r"tue: '25:00' is not a time"),
        ({"wed": ["09:60", "18:00"]}, "Europe/Madrid", r"wed: '09:60' is not a time"),
        ({"thu": ["24:00", "24:00"]}, "Europe/Madrid", r"thu: '24:00' is not a time"),
        ({"fri": ["18:00", "09:00"]}, "Europe/Madrid", r"fri: interval 18:00-09:00 does not end"),
        ({"sat": ["09:00", "09:00"]}, "Europe/Madrid", r"sat: interval 09:00-09:00 does not end"),
        ({"sun": ["22:00", "00:00"]}, "Europe/Madrid", r"sun: .*write 24:00 for midnight"),
        (
            {"mon": [["09:00", "14:00"], ["13:00", "18:00"]]},
            "Europe/Madrid",
            r"mon: intervals 09:00-14:00 and 13:00-18:00 overlap",
        ),
        (
            {"tue": [["10:00", "11:00"], ["09:00", "24:00"]]},
            "Europe/Madrid",
            r"tue: intervals 09:00-24:00 and 10:00-11:00 overlap",
        ),
        ({"monday": ["09:00", "18:00"]}, "Europe/Madrid", r"unknown day 'monday'"),
        ({"mon": "09:00-18:00"}, "Europe/Madrid", r"mon: expected"),
        ({"mon": [["09:00"]]}, "Europe/Madrid", r"mon: expected"),
        ({"mon": ["09:00", "18:00"]}, "Europe/Madird", r"unknown time zone 'Europe/Madird'"),
        ({}, "", r"unknown time zone ''"),
        (["09:00", "18:00"], "Europe/Madrid", r"must be a table"),
    ],
)
def test_bad_configs_are_rejected_with_a_clear_message(hours, tz, message) -> None:
    with pytest.raises(BusinessHoursError, match=message):
        BusinessHours.from_config(hours, tz)


def test_constructor_validates_too() -> None:
    with pytest.raises(BusinessHoursError, match="unknown weekday 7"):
        BusinessHours("UTC", {7: [(time(9), time(18))]})
    with pytest.raises(BusinessHoursError, match="tue: interval 18:00-09:00"):
        BusinessHours("UTC", {1: [(time(18), time(9))]})


def test_toml_local_time_values_are_accepted() -> None:
    bh = BusinessHours.from_config({"mon": [time(9), time(18)]}, "Europe/Madrid")
    assert bh.minutes_between(madrid(2026, 5, 18, 0, 0), madrid(2026, 5, 19, 0, 0)) == 540


@pytest.mark.parametrize("bh", [office(), ALWAYS_OPEN])
def test_naive_datetimes_are_rejected(bh: BusinessHours) -> None:
    naive = datetime(2026, 5, 18, 10, 0)
    aware = utc(2026, 5, 18, 10, 0)
    for call in (
        lambda: bh.is_open(naive),
        lambda: bh.next_open(naive),
        lambda: bh.add(naive, 5),
        lambda: bh.minutes_between(naive, aware),
        lambda: bh.minutes_between(aware, naive),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


# -- properties -----------------------------------------------------------------------------

CALENDARS = [
    BusinessHours.from_config(
        {d: LUNCH_BREAK for d in WEEKDAYS}, "Europe/Madrid", [date(2026, 12, 25)]
    ),
    BusinessHours.from_config({d: ["01:00", "04:00"] for d in ALL_DAYS}, "Europe/Madrid"),
    BusinessHours.from_config({d: ["09:00", "17:00"] for d in WEEKDAYS}, "America/New_York"),
    # Lord Howe moves its clocks by 30 minutes at 02:00.
    BusinessHours.from_config({d: ["01:30", "03:00"] for d in ALL_DAYS}, "Australia/Lord_Howe"),
    # Santiago changes clocks at midnight, so whole local days start inside a gap.
    BusinessHours.from_config(
        {d: [["00:00", "02:00"], ["22:00", "24:00"]] for d in ALL_DAYS}, "America/Santiago"
    ),
    BusinessHours.from_config({"sat": ["00:00", "24:00"]}, "Europe/Madrid"),
    ALWAYS_OPEN,
]
ZONES = [UTC, MADRID, NEW_YORK] + [
    ZoneInfo(name) for name in ("Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata")
]

calendars = st.sampled_from(CALENDARS)
starts = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.sampled_from(ZONES)
)
minutes = st.integers(min_value=0, max_value=20_000)


@settings(deadline=None, max_examples=300)
@given(calendars, starts, minutes)
def test_add_then_measure_round_trips(bh: BusinessHours, start: datetime, m: int) -> None:
    end = bh.add(start, m)
    assert_utc(end)
    assert end >= start
    assert bh.minutes_between(start, end) == m


@settings(deadline=None, max_examples=200)
@given(calendars, starts, minutes, minutes)
def test_add_is_monotonic(bh: BusinessHours, start: datetime, m1: int, m2: int) -> None:
    lo, hi = sorted((m1, m2))
    assert bh.add(start, lo) <= bh.add(start, hi)


@settings(deadline=None)
@given(calendars, starts)
def test_next_open_is_open_and_nothing_is_skipped(bh: BusinessHours, start: datetime) -> None:
    opening = bh.next_open(start)
    start = start.astimezone(UTC)  # PEP 495: a time in a DST gap is never == across zones
    assert bh.is_open(opening)
    assert bh.minutes_between(start, opening) == 0
    assert (opening == start) == bh.is_open(start)
