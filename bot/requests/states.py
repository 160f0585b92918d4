"""Request states and priorities."""

NEW = "new"
IN_PROGRESS = "in_progress"
WAITING_INFO = "waiting_info"
RESOLVED = "resolved"
REJECTED = "rejected"

OPEN = (NEW, IN_PROGRESS, WAITING_INFO)
CLOSED = (RESOLVED, REJECTED)

PRIORITIES = ("urgent", "high", "normal", "low")

# Reassigned this many times: something is wrong with routing, tell the leads.
FLAG_AFTER_REASSIGNMENTS = 3
REOPEN_WINDOW_DAYS = 7


def display_id(request_id: int) -> str:
    return f"PED-{request_id}"
