"""Issue states and severities, and what their buttons name."""

from bot.interaction import Subject

OPEN = "open"
MONITORING = "monitoring"
CLOSED = "closed"
ACTIVE = (OPEN, MONITORING)

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")  # sev1 is the worst
DEFAULT_SEVERITY = "sev3"

# What a status update did to the issue, besides saying something.
STATUS = "status"
REASSIGNED = "reassigned"  # passed to another owner team; the text says from which, to which and why
KINDS = (STATUS, MONITORING, CLOSED, "reopened", "severity", REASSIGNED)
# Updates whose text is news about the issue, which cards show as its "latest status".
# A reopen or a severity change says something too, but not what is going on.
NEWS = (STATUS, MONITORING, CLOSED)


def display_id(issue_id: int) -> str:
    return f"INC-{issue_id}"


# What an issue's buttons and forms carry back (bot.interaction).
ISSUE = Subject("issue", bad_id="input.bad_issue_id")
STATUS_UPDATE = Subject("status", bad_id="status.unknown")
DRAFT = Subject("draft", bad_id="reply.draft_gone", numeric=False)  # a new issue waiting for its owner team

# The ledger's subject for an issue's nudges (bot.nudges), and so its cards' trail.
NUDGE_SUBJECT = "issue"
