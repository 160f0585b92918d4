"""Request states and priorities, and what its buttons name."""

from bot.interaction import Subject
from bot.limits import valid_id

NEW = "new"
IN_PROGRESS = "in_progress"
WAITING_INFO = "waiting_info"
RESOLVED = "resolved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"  # taken back by the requester

OPEN = (NEW, IN_PROGRESS, WAITING_INFO)
CLOSED = (RESOLVED, REJECTED, WITHDRAWN)

PRIORITIES = ("urgent", "high", "normal", "low")

# Reassigned this many times: something is wrong with routing, tell the leads.
FLAG_AFTER_REASSIGNMENTS = 3
REOPEN_WINDOW_DAYS = 7


def display_id(request_id: int) -> str:
    return f"PED-{request_id}"


def request_id_of(ref: str) -> int | None:
    """The request a reference names as display_id wrote it ("PED-12" -> 12); None for others ("INC-7")."""
    number = ref.removeprefix("PED-")
    return int(number) if number != ref and number.isdecimal() and valid_id(int(number)) else None


# The nudge ledger's subject for a request's reminders, and so its cards' trail.
NUDGE_SUBJECT = "request"

# What a request's buttons and forms carry back (bot.interaction).
REQUEST = Subject("request", bad_id="input.bad_request_id")
DRAFT = Subject("draft", bad_id="reply.draft_gone", numeric=False)  # a request waiting for its team
