"""What each figure on the dashboard counts, as one WHERE clause per figure.

The overview counts with these and the lists behind its numbers select with
them, so a number and the list it links to never disagree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from bot.requests.states import FLAG_AFTER_REASSIGNMENTS, OPEN, RESOLVED
from storage.models import Request

# The figures a request list can be asked for (/panel/lista?que=...).
REQUEST_FIGURES = ("open", "first_response", "resolution", "sla", "sla_met", "bounced", "rated")
NUDGE_FIGURES = ("nudges", "escalations")


def request_clause(figure: str, since: datetime) -> ColumnElement[bool]:
    """The requests behind `figure` over the period starting at `since`."""
    match figure:
        case "open":  # now, whatever the period
            return col(Request.status).in_(OPEN)
        case "first_response":  # opened in the period and answered since
            return and_(col(Request.created_at) >= since, col(Request.first_response_at).is_not(None))
        case "resolution":  # resolved in the period
            return and_(col(Request.status) == RESOLVED, col(Request.resolved_at) >= since)
        case "sla":  # closed in the period with its resolution promise kept or broken (as /equipo counts)
            return and_(col(Request.resolved_at) >= since, col(Request.resolution_met).is_not(None))
        case "sla_met":
            return and_(col(Request.resolved_at) >= since, col(Request.resolution_met).is_(True))
        case "bounced":  # opened in the period and reassigned this many times or more
            return and_(col(Request.created_at) >= since, col(Request.reassign_count) >= FLAG_AFTER_REASSIGNMENTS)
    raise ValueError(f"no such figure: {figure}")
