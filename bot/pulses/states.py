"""Pulse states, question kinds and what their buttons and forms name."""

from __future__ import annotations

import re

from bot.interaction import Subject

# A pulse's life.
ACTIVE = "active"
PAUSED = "paused"
CANCELLED = "cancelled"
FINISHED = "finished"  # a pulse that goes out once, once its round has opened

# A round's.
OPEN = "open"
CLOSED = "closed"

# A participation's: planned (its moment has not come), queued (in the outbox),
# sent (delivered), unreachable (no way to reach the person: `reason` says why),
# dropped (cancelled before it was sent).
PLANNED = "planned"
QUEUED = "queued"
SENT = "sent"
UNREACHABLE = "unreachable"
DROPPED = "dropped"  # the pulse was cancelled before its moment came: never sent

# Question kinds: a 1–5 scale, an eNPS 0–10, or open text.
SCALE = "scale"
ENPS = "enps"
TEXT = "text"
KINDS = (SCALE, ENPS, TEXT)
SCORES = {SCALE: range(1, 6), ENPS: range(0, 11)}
# The question index the free comment is stored under, after the questions.
COMMENT = 9
MAX_QUESTIONS = 3
MIN_ANSWERS = (3, 25)  # the threshold a creator may choose
DEFAULT_MIN_ANSWERS = 5
DEFAULT_WINDOW_DAYS = 3

PULSE_ID = re.compile(r"p-?(\d{1,18})")


def display_id(pulse_id: int) -> str:
    return f"P-{pulse_id}"


# What a pulse's buttons and forms carry back (bot.interaction).
PULSE = Subject("pulse", bad_id="pulse.unknown")
ROUND = Subject("pulse_round", bad_id="pulse.unknown")
