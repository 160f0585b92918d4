"""SLA clocks of a request, counted in its team's business hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.sla import calendar
from bot.sla.business_hours import BusinessHours
from storage.models import Request, Team

# Minutes of business time: (first response, resolution), when a team sets none.
DEFAULT_TARGETS = {
    "urgent": (60, 240),
    "high": (240, 480),
    "normal": (480, 1440),
    "low": (960, 2400),
}
# Share of the resolution promise (business minutes) left below which a request shows "at risk".
AT_RISK_SHARE = 0.25
# The bot warns when this share of a promise is used up (75 %): the same moment it turns "at risk".
WARN_SHARE = 1 - AT_RISK_SHARE


def hours_of(team: Team) -> BusinessHours:
    """The team's business hours minus its holidays (cached; {} hours: 24/7)."""
    return calendar.team_hours(team)


def targets(team: Team, priority: str) -> tuple[int, int]:
    default_first, default_resolution = DEFAULT_TARGETS.get(priority, DEFAULT_TARGETS["normal"])
    configured = (team.sla or {}).get(priority, {})
    return (
        int(configured.get("first_response", default_first)),
        int(configured.get("resolution", default_resolution)),
    )


def start(request: Request, team: Team, now: datetime, *, first_response: bool = True) -> None:
    """Starts both clocks (or only resolution, for a reopened request)."""
    hours = hours_of(team)
    first_minutes, resolution_minutes = targets(team, request.priority)
    if first_response:
        request.first_response_at = None
        request.first_response_met = None
        request.first_response_due_at = hours.add(now, first_minutes)
        request.first_response_warn_at = hours.add(now, int(first_minutes * WARN_SHARE))
    request.resolution_due_at = hours.add(now, resolution_minutes)
    request.resolution_warn_at = hours.add(now, int(resolution_minutes * WARN_SHARE))
    request.resolution_met = None
    request.sla_paused_remaining = None
    request.waiting_since = None


def record_first_response(request: Request, now: datetime) -> None:
    if request.first_response_at is not None:
        return
    request.first_response_at = now
    due = request.first_response_due_at
    request.first_response_met = due is None or now <= due
    request.first_response_due_at = None
    request.first_response_warn_at = None


def pause(request: Request, team: Team, now: datetime) -> None:
    """Waiting for the requester: the resolution clock stops, keeping what was
    left to the second (rounding to minutes would pull the deadline earlier at every pause)."""
    request.waiting_since = now
    if request.resolution_due_at is None:
        return
    hours = hours_of(team)
    due = request.resolution_due_at
    left = hours.open_between(now, due) if due > now else -hours.open_between(due, now)
    # Whole seconds, to the nearest: the column holds no microseconds, and
    # rounding toward zero would again pull the deadline earlier at every pause.
    request.sla_paused_remaining = round(left.total_seconds())
    request.resolution_due_at = None
    request.resolution_warn_at = None


def resume(request: Request, team: Team, now: datetime) -> None:
    request.waiting_since = None
    if request.sla_paused_remaining is None:
        return
    remaining = timedelta(seconds=request.sla_paused_remaining)
    hours = hours_of(team)
    # Already overdue when paused: it stays overdue by the same amount (counted
    # back in plain time), so it shows as breached and cannot end up "met".
    if remaining >= timedelta():
        request.resolution_due_at = hours.add_span(now, remaining)
        # Still short of the warning point: warn when it comes; past it, the breach will tell.
        window = targets(team, request.priority)[1]
        warn_left = remaining - timedelta(minutes=window - int(window * WARN_SHARE))
        request.resolution_warn_at = hours.add_span(now, warn_left) if warn_left > timedelta() else None
    else:
        request.resolution_due_at = now + remaining
    request.sla_paused_remaining = None


def stop(request: Request, now: datetime) -> None:
    """Resolved or rejected: record whether the promise was kept."""
    due = request.resolution_due_at
    if due is not None:
        request.resolution_met = now <= due
    elif request.sla_paused_remaining is not None:
        request.resolution_met = request.sla_paused_remaining >= 0
    request.resolution_due_at = None
    request.first_response_due_at = None
    request.sla_paused_remaining = None
    request.first_response_warn_at = request.resolution_warn_at = request.waiting_since = None


def state(request: Request, team: Team, now: datetime) -> str:
    """'ok', 'at_risk', 'breached' or 'paused' for queues and cards."""
    if request.sla_paused_remaining is not None:
        return "paused"
    dues = [d for d in (request.first_response_due_at, request.resolution_due_at) if d is not None]
    if not dues:
        return "ok"
    if any(due < now for due in dues):
        return "breached"
    due = request.resolution_due_at
    if due is not None:
        # Measured against the promise in business minutes, not since created_at:
        # a request reopened or reassigned days later has a fresh, whole promise.
        _first, window = targets(team, request.priority)
        if window > 0 and hours_of(team).minutes_between(now, due) < AT_RISK_SHARE * window:
            return "at_risk"
    return "ok"


def withdraw(request: Request) -> None:
    """Withdrawn by the requester: the clocks stop, and no promise counts as kept
    or missed (a first response already given stays on record)."""
    request.resolution_met = None
    request.first_response_due_at = request.resolution_due_at = None
    request.first_response_warn_at = request.resolution_warn_at = None
    request.sla_paused_remaining = request.waiting_since = None
