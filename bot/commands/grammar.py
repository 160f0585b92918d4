"""The token grammar every domain's parser shares: words, mentions, ids, and
the ParseError each parser returns instead of raising.

Parsers are pure and total: any text yields a command object or a
ParseError whose code the registry turns into a message in the caller's
language. Dates have their own module, bot.commands.dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserError
from bot.limits import MAX_TEXT, valid_id
from bot.text import keyword

TOKEN = re.compile(r"\S+")
TRAIL = r"[.,;:!?)\]]*"  # punctuation a sentence may glue to a token
NAME = r"\w(?:[\w.\-]*\w)?"  # team, handle or customer: ends in a letter/digit
MENTION = re.compile(rf"@({NAME}){TRAIL}")
BARE_TEAM = re.compile(rf"@?({NAME}){TRAIL}")
EMAIL = re.compile(rf"([^@\s]+@[^@\s]+\.\w+){TRAIL}")
DASHES = "-–—"  # phones autocorrect "-" into long dashes
CUSTOMER_TAG = re.compile(rf"#({NAME}){TRAIL}")

# ParseError code -> catalog key of the message shown.
ERROR_KEYS = {
    "empty_description": "input.empty.description",
    "too_long": "input.too_long",
    "bad_date": "input.bad_date",
    "past_date": "input.past_date",
    "bad_request_id": "input.bad_request_id",
    "bad_rating": "input.bad_rating",
    "bad_assignee": "input.unknown_person",
    "bad_team": "input.missing_argument",
    "missing_argument": "input.missing_argument",
    "unknown_command": "input.unknown_command",
    "bad_issue_id": "input.bad_issue_id",
    "bad_severity": "input.bad_severity",
    "missing_customer": "input.missing_customer",
    "empty_title": "input.empty.title",
    "empty_status": "input.empty.status",
    "bad_pulse_id": "input.bad_pulse_id",
    "bad_round": "input.bad_round",
    # What a /pedir command lacks; the detail is what was typed so far ("info PED-16").
    "missing_request_id": "input.missing.request_id",
    "missing_question": "input.missing.question",
    "missing_reason": "input.missing.reason",
    "missing_team_and_reason": "input.missing.team_and_reason",
    "missing_assignee": "input.missing.assignee",
    "missing_comment": "input.missing.comment",
    "missing_rating": "input.missing.rating",
    "bad_language": "input.bad_language",
}
ERROR_CODES = frozenset(ERROR_KEYS)


@dataclass(frozen=True)
class ParseError:
    code: str  # one of ERROR_CODES
    detail: str = ""

    def as_user_error(self) -> UserError:
        key = ERROR_KEYS.get(self.code, "input.unknown_command")
        if self.code == "too_long":
            # "345" or "345/300": the length, and the limit when it is not MAX_TEXT.
            length, _, limit = self.detail.partition("/")
            return UserError(key, limit=limit or MAX_TEXT, length=length or "?")
        return UserError(key, value=self.detail)


def too_long(text: str, limit: int = MAX_TEXT) -> ParseError | None:
    # "345/300": the length and the limit, as the reply names both.
    return ParseError("too_long", f"{len(text)}/{limit}") if len(text) > limit else None


def number(pattern: re.Pattern[str], token: str, top: int) -> int | None:
    """The number `pattern` captures in a whole token, if it lies in 1..top."""
    m = pattern.fullmatch(keyword(token))
    return int(m[1]) if m and 1 <= int(m[1]) <= top else None


def record_id(pattern: re.Pattern[str], token: str) -> int | None:
    """A record's id ("PED-12", "INC-7") as typed: one the database can hold, or None."""
    m = pattern.fullmatch(keyword(token))
    return int(m[1]) if m and valid_id(int(m[1])) else None


def group(pattern: re.Pattern[str], token: str) -> str | None:
    m = pattern.fullmatch(token)
    return m[1] if m else None


def customer_tag(token: str) -> str | None:
    """"#ACME," -> "ACME". "#12" is an issue number, not a customer: a customer has a letter."""
    m = CUSTOMER_TAG.fullmatch(token)
    return m[1] if m and any(ch.isalpha() for ch in m[1]) else None
