"""Working calendars (bot/sla/calendar.py): holidays in SLA clocks and cadences,
a person's reachable hours in their own time zone, and whole working days.

Teams keep the demo organisation's hours: Mon–Thu 09:00–18:00, Fri 08:00–15:00,
Europe/Madrid. Spanish public holidays in 2026 that matter here (from the
`holidays` package): Thu 2 April (Maundy Thursday, Madrid only), Fri 3 April
(Good Friday), Mon 7 December (Madrid only: Constitution Day falls on a
Sunday), Tue 8 December (Immaculate Conception), Fri 25 December.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.issues import cadence
from bot.sla import calendar, clocks
from bot.sla.business_hours import ALWAYS_OPEN, DAYS
from bot.sla.calendar import (add_business_days, person_hours, start_of_next_working_day,
                              team_hours)
from storage.models import Person, Request, Team

UTC = timezone.utc
MADRID = ZoneInfo("Europe/Madrid")
MEXICO = ZoneInfo("America/Mexico_City")
DEMO_HOURS = {
    "mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"],
    "thu": ["09:00", "18:00"], "fri": ["08:00", "15:00"],
}


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = MADRID) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def make_team(**extra) -> Team:  # noqa: ANN003
    values = {
        "id": 1, "slug": "facturacion", "name": "Facturación", "timezone": "Europe/Madrid",
        "business_hours": DEMO_HOURS, "country": "ES", "subdivision": None, "extra_holidays": [],
        "sla": {"normal": {"first_response": 120, "resolution": 480}},
    }
    return Team(**(values | extra))


def started(team: Team, moment: datetime) -> Request:
    request = Request(requester_id=1, team_id=team.id, description="x", priority="normal",
                      created_at=moment)
    clocks.start(request, team, moment)
    return request


# ---------------------------------------------------------------- holidays in SLA clocks


def test_a_national_holiday_is_skipped_by_sla_due_times():
    # Monday 7 December 17:00: one hour that day, then Tuesday the 8th is a holiday.
    request = started(make_team(), at(2026, 12, 7, 17))
    assert request.first_response_due_at == at(2026, 12, 9, 10)
    assert request.resolution_due_at == at(2026, 12, 9, 16)  # 1 h + 7 h
    without = started(make_team(country=None), at(2026, 12, 7, 17))
    assert without.first_response_due_at == at(2026, 12, 8, 10)


def test_hours_of_is_the_team_calendar():
    team = make_team()
    assert clocks.hours_of(team) is team_hours(team)
    assert not clocks.hours_of(team).is_open(at(2026, 12, 8, 11))
    assert clocks.hours_of(team).is_open(at(2026, 12, 9, 11))


@pytest.mark.parametrize("moment, national, madrid", [
    # Friday 4 December 14:00, 2 h: Madrid also closes on Monday the 7th.
    (at(2026, 12, 4, 14), at(2026, 12, 7, 10), at(2026, 12, 9, 10)),
    # Wednesday 1 April 17:00, 2 h: Maundy Thursday is a holiday in Madrid only.
    (at(2026, 4, 1, 17), at(2026, 4, 2, 10), at(2026, 4, 6, 10)),
])
def test_a_regional_holiday_counts_only_in_its_region(moment, national, madrid):  # noqa: ANN001
    assert started(make_team(), moment).first_response_due_at == national
    assert started(make_team(subdivision="MD"), moment).first_response_due_at == madrid
    assert started(make_team(subdivision="CT"), moment).first_response_due_at == national


def test_madrid_day_on_a_saturday_changes_nothing():
    # 2 May 2026 (Madrid Day) is a Saturday: the team is closed anyway.
    hours = team_hours(make_team(subdivision="MD"))
    assert date(2026, 5, 2) in hours.holidays
    assert hours.add(at(2026, 5, 1, 14, 30), 60) == at(2026, 5, 4, 10)  # 1 May is a holiday too


def test_extra_holidays_are_skipped_too():
    # Wednesday 23 December 17:00: the 24th is the team's own day off, the 25th Christmas.
    team = make_team(extra_holidays=["2026-12-24"])
    assert started(team, at(2026, 12, 23, 17)).first_response_due_at == at(2026, 12, 28, 10)
    assert started(make_team(), at(2026, 12, 23, 17)).first_response_due_at == at(2026, 12, 24, 10)


def test_extra_holidays_without_a_country():
    hours = team_hours(make_team(country=None, extra_holidays=["2026-11-26"]))
    assert hours.add(at(2026, 11, 25, 17, 30), 60) == at(2026, 11, 27, 8, 30)


def test_the_issue_update_cadence_skips_holidays():
    # sev3: 8 business hours from Monday 7 December 17:00 -> Wednesday 16:00.
    team = make_team(update_cadence={"sev3": 480})
    assert cadence.next_due(team, "sev3", at(2026, 12, 7, 17)) == at(2026, 12, 9, 16)


def test_a_team_without_business_hours_is_always_open_and_keeps_no_holidays():
    team = make_team(business_hours={}, subdivision="MD", extra_holidays=["2026-12-24"])
    assert team_hours(team) is ALWAYS_OPEN
    assert started(team, at(2026, 12, 8, 10)).first_response_due_at == at(2026, 12, 8, 12)


def test_the_holiday_container_is_configured_before_any_lookup():
    # HolidayBase is empty (falsy) until a year is asked for; ours says "configured".
    assert calendar.Holidays("ES", "MD", frozenset())
    assert calendar.Holidays(None, None, frozenset({date(2026, 12, 24)}))
    assert not calendar.Holidays(None, None, frozenset())
    days_off = calendar.Holidays("ES", None, frozenset({date(2026, 12, 24)}))
    assert date(2026, 12, 24) in days_off and date(2031, 12, 8) in days_off
    assert date(2026, 12, 23) not in days_off


# ---------------------------------------------------------------- weekends and DST


def test_a_weekend_is_skipped():
    request = started(make_team(), at(2026, 11, 27, 14))  # Friday, closes at 15:00
    assert request.first_response_due_at == at(2026, 11, 30, 10)


def test_sla_across_the_spring_dst_change():
    # Friday 27 March 14:00 CET (13:00 UTC), 2 h: Monday 30 March 10:00 CEST (08:00 UTC).
    due = started(make_team(), at(2026, 3, 27, 14)).first_response_due_at
    assert due == at(2026, 3, 30, 10) and due == datetime(2026, 3, 30, 8, tzinfo=UTC)


def test_sla_across_the_autumn_dst_change():
    # Friday 23 October 14:00 CEST (12:00 UTC), 2 h: Monday 26 October 10:00 CET (09:00 UTC).
    due = started(make_team(), at(2026, 10, 23, 14)).first_response_due_at
    assert due == at(2026, 10, 26, 10) and due == datetime(2026, 10, 26, 9, tzinfo=UTC)


# ---------------------------------------------------------------- add_business_days


@pytest.mark.parametrize("moment, days, expected", [
    (at(2026, 11, 23, 10), 1, at(2026, 11, 24, 10)),  # Mon 10:00 -> Tue 10:00
    (at(2026, 11, 27, 14), 1, at(2026, 11, 30, 14)),  # Fri 14:00 -> Mon 14:00
    (at(2026, 11, 28, 11), 1, at(2026, 12, 1, 9)),  # Sat: from Mon 09:00 -> Tue 09:00
    (at(2026, 11, 26, 17), 1, at(2026, 11, 30, 9)),  # Thu 17:00 -> Fri closed at 17:00 -> Mon 09:00
    (at(2026, 11, 26, 17), 2, at(2026, 11, 30, 17)),  # Thu 17:00 -> Mon 17:00
    (at(2026, 11, 23, 10), 5, at(2026, 11, 30, 10)),  # a whole week
    (at(2026, 11, 28, 11), 0, at(2026, 11, 30, 9)),  # zero days: the next open moment
    (at(2026, 12, 7, 10), 1, at(2026, 12, 9, 10)),  # Tue 8 December is a holiday
    (at(2026, 12, 4, 10), 1, at(2026, 12, 9, 10)),  # ...and in Madrid Mon 7 too (MD below)
])
def test_add_business_days(moment, days, expected):  # noqa: ANN001
    region = "MD" if moment == at(2026, 12, 4, 10) else None
    hours = team_hours(make_team(subdivision=region))
    assert add_business_days(hours, moment, days) == expected


def test_add_business_days_keeps_the_wall_clock_across_dst():
    hours = team_hours(make_team())
    # Spring: Friday 10:00 CET (09:00 UTC) -> Monday 10:00 CEST (08:00 UTC).
    spring = add_business_days(hours, at(2026, 3, 27, 10), 1)
    assert spring == datetime(2026, 3, 30, 8, tzinfo=UTC)
    # Autumn: Friday 10:00 CEST (08:00 UTC) -> Monday 10:00 CET (09:00 UTC).
    autumn = add_business_days(hours, at(2026, 10, 23, 10), 1)
    assert autumn == datetime(2026, 10, 26, 9, tzinfo=UTC)


def test_add_business_days_into_the_missing_hour():
    # Open every day, all day: 02:30 on Sunday 29 March does not exist in Madrid,
    # so the day after Saturday 02:30 starts when the clocks jump (01:00 UTC).
    every_day = {day: ["00:00", "24:00"] for day in DAYS}
    hours = team_hours(make_team(business_hours=every_day))
    assert add_business_days(hours, at(2026, 3, 28, 2, 30), 1) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    # In autumn 02:30 happens twice: the first one.
    assert add_business_days(hours, at(2026, 10, 24, 2, 30), 1) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_add_business_days_refuses_negative_days():
    with pytest.raises(ValueError):
        add_business_days(team_hours(make_team()), at(2026, 11, 23, 10), -1)


# ---------------------------------------------------------------- start_of_next_working_day


@pytest.mark.parametrize("moment, expected", [
    (at(2026, 11, 26, 20), at(2026, 11, 27, 8)),  # Thursday evening -> Friday 08:00
    (at(2026, 11, 23, 3), at(2026, 11, 24, 9)),  # early Monday -> Tuesday, not Monday
    (at(2026, 11, 27, 10), at(2026, 11, 30, 9)),  # Friday -> Monday
    (at(2026, 11, 29, 23), at(2026, 11, 30, 9)),  # Sunday night -> Monday
    (at(2026, 12, 7, 12), at(2026, 12, 9, 9)),  # Monday 7 December -> Wednesday (8th is a holiday)
    (at(2026, 3, 27, 12), at(2026, 3, 30, 9)),  # across the DST change
])
def test_start_of_next_working_day(moment, expected):  # noqa: ANN001
    assert start_of_next_working_day(team_hours(make_team()), moment) == expected


def test_start_of_next_working_day_uses_the_local_day():
    # 23:30 UTC on Thursday is already Friday in Madrid: the next working day is Monday.
    hours = team_hours(make_team())
    assert start_of_next_working_day(hours, datetime(2026, 11, 26, 23, 30, tzinfo=UTC)) == at(2026, 11, 30, 9)


# ---------------------------------------------------------------- person_hours


def person(tz: str | None = None) -> Person:
    return Person(id=7, email="carlos.navarro@example.com", name="Carlos", timezone=tz)


def test_a_team_member_abroad_works_the_team_hours_on_their_own_clock():
    hours = person_hours(person("America/Mexico_City"), [make_team()], "Europe/Madrid")
    assert hours.tz == "America/Mexico_City"
    assert hours.is_open(at(2026, 11, 25, 10, tz=MEXICO))  # 17:00 in Madrid
    assert hours.is_open(at(2026, 11, 25, 17, 30, tz=MEXICO))  # 00:30 in Madrid
    assert not hours.is_open(at(2026, 11, 25, 8, tz=MEXICO))  # 15:00 in Madrid, team open
    # From 09:00 in Madrid (02:00 in Mexico City) he is reached at 09:00 his time.
    assert hours.next_open(at(2026, 11, 25, 9)) == at(2026, 11, 25, 9, tz=MEXICO)


def test_a_team_member_abroad_keeps_the_team_holidays_on_their_own_clock():
    hours = person_hours(person("America/Mexico_City"), [make_team()], "Europe/Madrid")
    assert hours.next_open(at(2026, 12, 7, 19, tz=MEXICO)) == at(2026, 12, 9, 9, tz=MEXICO)


def test_a_member_without_a_time_zone_takes_the_team_one():
    team = make_team()
    assert person_hours(person(), [team], "UTC") is team_hours(team)
    # A zone a chat profile got wrong is ignored rather than failing every nudge.
    assert person_hours(person("Mars/Olympus"), [team], "UTC") is team_hours(team)


def test_the_first_team_decides():
    # 6 January is a holiday in Spain, not in Portugal; 10 June the other way round.
    madrid = make_team()
    lisbon = make_team(id=2, slug="lisboa", country="PT",
                       business_hours={day: ["10:00", "12:00"] for day in calendar.PERSON_WEEK})
    hours = person_hours(person(), [lisbon, madrid], "Europe/Madrid")
    assert hours.is_open(at(2026, 1, 6, 11)) and not hours.is_open(at(2026, 6, 10, 11))
    assert not hours.is_open(at(2026, 1, 7, 9, 30))
    hours = person_hours(person(), [madrid, lisbon], "Europe/Madrid")
    assert not hours.is_open(at(2026, 1, 6, 11)) and hours.is_open(at(2026, 6, 10, 11))
    assert hours.is_open(at(2026, 1, 7, 9, 30))


def test_a_person_in_no_team_works_weekdays_nine_to_six_without_holidays():
    hours = person_hours(person("America/Mexico_City"), [], "Europe/Madrid")
    assert hours.tz == "America/Mexico_City" and not hours.holidays
    assert hours.is_open(at(2026, 12, 8, 10, tz=MEXICO))  # no holidays: the 8th is a Tuesday
    assert not hours.is_open(at(2026, 12, 8, 18, tz=MEXICO))
    assert not hours.is_open(at(2026, 12, 12, 10, tz=MEXICO))  # Saturday
    assert hours.next_open(at(2026, 12, 11, 18, tz=MEXICO)) == at(2026, 12, 14, 9, tz=MEXICO)
    fallback = person_hours(person(), [], "Europe/Madrid")
    assert fallback.tz == "Europe/Madrid" and fallback.is_open(at(2026, 11, 27, 17))


# ---------------------------------------------------------------- cache


def test_equal_teams_share_one_calendar():
    one = make_team(subdivision="MD", extra_holidays=["2026-12-24"])
    other = make_team(id=9, slug="otro", name="Otro", subdivision="MD", extra_holidays=["2026-12-24"],
                      business_hours={day: list(v) for day, v in reversed(DEMO_HOURS.items())})
    assert team_hours(one) is team_hours(other)
    assert team_hours(one) is not team_hours(make_team(subdivision="MD"))
    assert team_hours(one) is not team_hours(make_team(subdivision="CT", extra_holidays=["2026-12-24"]))
    assert team_hours(one) is not team_hours(make_team(timezone="Atlantic/Canary", subdivision="MD",
                                                       extra_holidays=["2026-12-24"]))
    friday = make_team(subdivision="MD", extra_holidays=["2026-12-24"],
                       business_hours=DEMO_HOURS | {"fri": ["09:00", "14:00"]})
    assert team_hours(one) is not team_hours(friday)
