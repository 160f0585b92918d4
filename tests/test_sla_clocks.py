"""SLA clocks of a request (bot/sla/clocks.py), on Team and Request rows built in memory.

The team keeps the demo organisation's hours: Mon–Thu 09:00–18:00, Fri 08:00–15:00,
Europe/Madrid. In late November 2026 Madrid is UTC+1.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sla import clocks
from storage.models import Request, Team

MADRID = ZoneInfo("Europe/Madrid")
DEMO_HOURS = {
    "mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"],
    "thu": ["09:00", "18:00"], "fri": ["08:00", "15:00"],
}


def madrid(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Madrid in November 2026 (the 27th is a Friday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


def make_team(first_response: int = 60, resolution: int = 120, **extra) -> Team:  # noqa: ANN003
    values = {
        "id": 1, "slug": "facturacion", "name": "Facturación", "timezone": "Europe/Madrid",
        "business_hours": DEMO_HOURS,
        "sla": {"normal": {"first_response": first_response, "resolution": resolution}},
    }
    return Team(**(values | extra))


def started(team: Team, at: datetime, priority: str = "normal") -> Request:
    request = Request(requester_id=1, team_id=team.id, description="x", priority=priority, created_at=at)
    clocks.start(request, team, at)
    return request


# ---------------------------------------------------------------- targets and start


def test_targets_come_from_the_team_with_defaults_for_missing_priorities():
    team = make_team(first_response=15, resolution=90)
    assert clocks.targets(team, "normal") == (15, 90)
    assert clocks.targets(team, "urgent") == clocks.DEFAULT_TARGETS["urgent"]


def test_start_counts_both_targets_in_business_hours():
    team = make_team(first_response=60, resolution=240)
    request = started(team, madrid(25, 10))  # a Wednesday
    assert request.first_response_due_at == madrid(25, 11)
    assert request.resolution_due_at == madrid(25, 14)
    assert request.sla_paused_remaining is None


def test_friday_afternoon_request_is_due_on_monday_morning():
    # 30 minutes left on Friday (closes at 15:00), the other 30 on Monday from 09:00.
    team = make_team(first_response=60, resolution=60)
    request = started(team, madrid(27, 14, 30))
    assert request.first_response_due_at == madrid(30, 9, 30)
    assert request.resolution_due_at == madrid(30, 9, 30)


def test_request_outside_business_hours_starts_counting_at_the_next_opening():
    team = make_team(first_response=60)
    request = started(team, madrid(28, 11))  # Saturday
    assert request.first_response_due_at == madrid(30, 10)


def test_a_team_without_business_hours_counts_plain_elapsed_time():
    team = make_team(first_response=60, resolution=120, business_hours={})
    request = started(team, madrid(28, 23))  # Saturday night
    assert request.first_response_due_at == madrid(29, 0)
    assert request.resolution_due_at == madrid(29, 1)


def test_a_restart_for_a_reopened_request_keeps_the_first_response_record():
    team = make_team()
    request = started(team, madrid(25, 10))
    clocks.record_first_response(request, madrid(25, 10, 30))
    clocks.stop(request, madrid(25, 11))
    clocks.start(request, team, madrid(26, 10), first_response=False)
    assert request.first_response_at == madrid(25, 10, 30)
    assert request.first_response_met is True
    assert request.first_response_due_at is None
    assert request.resolution_due_at == madrid(26, 12)
    assert request.resolution_met is None


# ---------------------------------------------------------------- first response


def test_first_response_in_time_is_met_and_stops_its_clock():
    request = started(make_team(first_response=60), madrid(25, 10))
    clocks.record_first_response(request, madrid(25, 10, 59))
    assert request.first_response_met is True
    assert request.first_response_at == madrid(25, 10, 59)
    assert request.first_response_due_at is None


def test_late_first_response_is_missed():
    request = started(make_team(first_response=60), madrid(25, 10))
    clocks.record_first_response(request, madrid(25, 11, 1))
    assert request.first_response_met is False


def test_only_the_first_response_counts():
    request = started(make_team(first_response=60), madrid(25, 10))
    clocks.record_first_response(request, madrid(25, 10, 30))
    clocks.record_first_response(request, madrid(25, 17))
    assert request.first_response_at == madrid(25, 10, 30)
    assert request.first_response_met is True


# ---------------------------------------------------------------- pause and resume


def test_pause_keeps_the_business_time_left_and_clears_the_due_time():
    team = make_team(resolution=240)
    request = started(team, madrid(25, 10))  # due 14:00
    clocks.pause(request, team, madrid(25, 11, 30))
    assert request.sla_paused_remaining == 150 * 60  # seconds
    assert request.resolution_due_at is None


def test_resume_gives_back_exactly_the_minutes_left():
    team = make_team(resolution=240)
    request = started(team, madrid(25, 10))
    clocks.pause(request, team, madrid(25, 11, 30))
    clocks.resume(request, team, madrid(25, 15))
    # 150 minutes from 15:00 on: 15:00-17:30.
    assert request.resolution_due_at == madrid(25, 17, 30)
    assert request.sla_paused_remaining is None


def test_a_pause_over_the_weekend_consumes_no_time():
    team = make_team(resolution=120)
    request = started(team, madrid(27, 14, 30))  # Friday; due Monday 10:30
    assert request.resolution_due_at == madrid(30, 10, 30)
    clocks.pause(request, team, madrid(27, 14, 45))  # 15 min used, 105 left
    assert request.sla_paused_remaining == 105 * 60
    clocks.resume(request, team, madrid(30, 9))  # Monday at opening
    assert request.resolution_due_at == madrid(30, 10, 45)


def test_resuming_during_the_weekend_counts_from_monday():
    team = make_team(resolution=120)
    request = started(team, madrid(27, 14, 30))
    clocks.pause(request, team, madrid(27, 14, 45))
    clocks.resume(request, team, madrid(28, 12))  # Saturday noon
    assert request.resolution_due_at == madrid(30, 10, 45)


def test_pausing_twice_keeps_the_first_remainder():
    team = make_team(resolution=240)
    request = started(team, madrid(25, 10))
    clocks.pause(request, team, madrid(25, 11))
    clocks.pause(request, team, madrid(25, 16))
    assert request.sla_paused_remaining == 180 * 60


def test_a_short_pause_keeps_the_deadline_to_the_second():
    # Created at 09:13:20 with two hours to go: due 11:13:20. Fifteen seconds
    # of waiting must move it fifteen seconds later, never a minute earlier.
    team = make_team(resolution=120)
    request = started(team, madrid(25, 9, 13).replace(second=20))
    clocks.pause(request, team, madrid(25, 9, 30).replace(second=5))
    clocks.resume(request, team, madrid(25, 9, 30).replace(second=20))
    assert request.resolution_due_at == madrid(25, 11, 13).replace(second=35)


def test_many_pauses_lose_no_time():
    team = make_team(resolution=120)
    request = started(team, madrid(25, 10))  # due 12:00
    moment = madrid(25, 10)
    for _ in range(40):  # 40 pauses of 15 s: 10 minutes in all
        moment += timedelta(seconds=7)
        clocks.pause(request, team, moment)
        moment += timedelta(seconds=15)
        clocks.resume(request, team, moment)
    assert request.resolution_due_at == madrid(25, 12, 10)


def test_resume_without_a_pause_changes_nothing():
    team = make_team(resolution=240)
    request = started(team, madrid(25, 10))
    clocks.resume(request, team, madrid(25, 12))
    assert request.resolution_due_at == madrid(25, 14)


def test_a_request_overdue_when_paused_is_still_overdue_when_resumed():
    team = make_team(first_response=60, resolution=60)
    request = started(team, madrid(25, 10))  # due 11:00
    clocks.record_first_response(request, madrid(25, 10, 30))
    clocks.pause(request, team, madrid(25, 12))  # an hour late
    assert request.sla_paused_remaining == -60 * 60
    clocks.resume(request, team, madrid(25, 15))
    assert request.resolution_due_at is not None
    assert request.resolution_due_at < madrid(25, 15)
    assert clocks.state(request, team, madrid(25, 15)) == "breached"
    clocks.stop(request, madrid(25, 15))
    assert request.resolution_met is False


# ---------------------------------------------------------------- stop


def test_resolved_in_time_is_met():
    team = make_team(resolution=120)
    request = started(team, madrid(25, 10))
    clocks.stop(request, madrid(25, 12))
    assert request.resolution_met is True


def test_resolved_late_is_missed():
    team = make_team(resolution=120)
    request = started(team, madrid(25, 10))
    clocks.stop(request, madrid(25, 12, 1))
    assert request.resolution_met is False


def test_stop_clears_every_due_time():
    team = make_team()
    request = started(team, madrid(25, 10))
    clocks.stop(request, madrid(25, 10, 5))
    assert request.first_response_due_at is None
    assert request.resolution_due_at is None
    assert request.sla_paused_remaining is None


def test_stop_while_paused_judges_by_the_time_that_was_left():
    team = make_team(resolution=120)
    in_time = started(team, madrid(25, 10))
    clocks.pause(in_time, team, madrid(25, 11))
    clocks.stop(in_time, madrid(26, 17))  # a day later, but the clock was paused
    assert in_time.resolution_met is True

    late = started(team, madrid(25, 10))
    clocks.pause(late, team, madrid(25, 13))
    clocks.stop(late, madrid(25, 13, 5))
    assert late.resolution_met is False


# ---------------------------------------------------------------- state


def test_state_is_ok_while_well_within_the_promise():
    team = make_team(resolution=480)
    request = started(team, madrid(25, 10))  # due 18:00
    assert clocks.state(request, team, madrid(25, 10, 30)) == "ok"


def test_state_is_at_risk_with_less_than_a_quarter_of_the_window_left():
    team = make_team(first_response=60, resolution=480)
    request = started(team, madrid(25, 10))  # due 18:00, window 8 h
    clocks.record_first_response(request, madrid(25, 10, 15))
    assert clocks.state(request, team, madrid(25, 15, 30)) == "ok"
    assert clocks.state(request, team, madrid(25, 16, 30)) == "at_risk"


def test_at_risk_counts_business_time_left_not_the_night():
    team = make_team(first_response=60, resolution=120)
    request = started(team, madrid(26, 17))  # Thursday: 60 min today, 60 on Friday from 08:00
    clocks.record_first_response(request, madrid(26, 17, 5))
    assert request.resolution_due_at == madrid(27, 9)
    assert clocks.state(request, team, madrid(27, 5, 30)) == "ok"  # half the promise still left
    assert clocks.state(request, team, madrid(27, 8, 40)) == "at_risk"


def test_a_restarted_clock_is_not_at_risk_because_the_request_is_old():
    team = make_team(first_response=60, resolution=480)
    request = started(team, madrid(18, 10))  # a week earlier
    clocks.record_first_response(request, madrid(18, 10, 5))
    clocks.stop(request, madrid(18, 11))
    clocks.start(request, team, madrid(25, 10), first_response=False)  # reopened
    assert clocks.state(request, team, madrid(25, 10)) == "ok"


def test_state_is_breached_once_the_resolution_is_overdue():
    team = make_team(first_response=60, resolution=120)
    request = started(team, madrid(25, 10))
    clocks.record_first_response(request, madrid(25, 10, 15))
    assert clocks.state(request, team, madrid(25, 12, 1)) == "breached"


def test_state_is_breached_when_only_the_first_response_is_overdue():
    team = make_team(first_response=30, resolution=480)
    request = started(team, madrid(25, 10))
    assert clocks.state(request, team, madrid(25, 10, 45)) == "breached"


def test_state_is_paused_while_waiting_for_the_requester():
    team = make_team(first_response=60, resolution=120)
    request = started(team, madrid(25, 10))
    clocks.record_first_response(request, madrid(25, 10, 15))
    clocks.pause(request, team, madrid(25, 11))
    # Even long after the original due time.
    assert clocks.state(request, team, madrid(26, 17)) == "paused"


def test_state_of_a_stopped_request_is_ok():
    team = make_team()
    request = started(team, madrid(25, 10))
    clocks.stop(request, madrid(25, 10, 5))
    assert clocks.state(request, team, madrid(27, 10)) == "ok"


def test_a_promise_running_past_closing_continues_next_morning():
    team = make_team(first_response=2)
    request = started(team, madrid(25, 17, 59))  # Wednesday, a minute before closing
    assert request.first_response_due_at == madrid(26, 9, 1)
