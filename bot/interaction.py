"""The context a button or a form carries back: one small typed object,
encoded and checked here and nowhere else.

Slack button values (at most 2,000 characters) and modal private_metadata
(3,000), Teams Action.Submit data and console buttons all carry `encode()`'s
string. Cards posted before this encoding carry its bare forerunners ("7",
"7:5", "<draft>:<slug>"); those are still read, so a card that sits in a
channel keeps working after an upgrade.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.errors import UserError
from bot.limits import valid_id

VERSION = 1
MAX_ENCODED = 2000  # Slack's limit for a button value: the smallest carrier
MAX_TEXT_ID = 100  # a text id (a draft's uuid) or an extra value is short
SHOWN_MAX = 40  # the most of a bad value a refusal quotes back; a number longer than that is no id's typo
INVALID = "interaction.invalid"  # malformed, or made for another button
STALE = "interaction.stale"  # made by another version of Pedir


@dataclass(frozen=True)
class Subject:
    """What kind of thing a button acts on, and how a bad id is reported."""

    kind: str  # "request", "issue", "draft"...; "" when it acts on nothing
    bad_id: str = INVALID  # catalog key, with {value}, when the id is not one of ours
    numeric: bool = True  # a database id; False for a text id such as a draft's uuid


NOTHING = Subject("", numeric=False)


@dataclass(frozen=True)
class Interaction:
    action: str  # the button's or the form's id: "request.claim"
    kind: str = ""  # the subject's kind
    id: int | str | None = None
    arg: str | None = None  # one more small value: a score, a team slug


def make(action: str, subject: Subject, id: int | str | None = None, arg: str | None = None) -> str:  # noqa: A002
    """The encoded context of a button or form acting on `subject` number `id`."""
    return encode(Interaction(action, subject.kind, id, arg))


def encode(interaction: Interaction) -> str:
    data: dict[str, object] = {"v": VERSION, "a": interaction.action}
    if interaction.kind:
        data["k"] = interaction.kind
    if interaction.id is not None:
        data["id"] = interaction.id
    if interaction.arg is not None:
        data["x"] = interaction.arg
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(raw) > MAX_ENCODED:
        raise ValueError(f"context of {interaction.action!r} is {len(raw)} characters, over {MAX_ENCODED}")
    return raw


def decode(raw: object, action: str, subject: Subject) -> Interaction:
    """The context that came back with `action`, checked; a UserError otherwise.

    `raw` is whatever the platform sent: if it is not text, or is longer than
    any value Pedir makes, it is not one of ours.
    """
    if raw is None:
        raw = ""
    if not isinstance(raw, str) or len(raw) > MAX_ENCODED:
        raise UserError(INVALID)
    raw = raw.strip()
    if raw.startswith("{"):
        return _current(raw, action, subject)
    return _forerunner(raw, action, subject)


def _current(raw: str, action: str, subject: Subject) -> Interaction:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: brackets nested past the interpreter's limit
        raise UserError(INVALID) from None
    if not isinstance(data, dict):
        raise UserError(INVALID)
    if data.get("v") != VERSION:
        raise UserError(INVALID if "v" not in data else STALE)
    if data.get("a") != action or data.get("k", "") != subject.kind:
        raise UserError(INVALID)
    arg = data.get("x")
    if arg is not None and (not isinstance(arg, str) or len(arg) > MAX_TEXT_ID):
        raise UserError(INVALID)
    return Interaction(action, subject.kind, _checked_id(data.get("id"), subject), arg)


def _checked_id(value: object, subject: Subject) -> int | str | None:
    if not subject.kind:
        return None
    if subject.numeric:
        # bool is an int to Python, never an id to us.
        if isinstance(value, int) and not isinstance(value, bool):
            if valid_id(value):
                return value
            if abs(value) >= 10**SHOWN_MAX:
                raise UserError(INVALID)  # too many digits for a mistyped id: Pedir never made it
    elif isinstance(value, str) and 0 < len(value) <= MAX_TEXT_ID:
        return value
    raise UserError(subject.bad_id, value=_shown(str(value)))


def _forerunner(raw: str, action: str, subject: Subject) -> Interaction:
    """"7", "7:5" and "<draft>:<slug>": the values of cards posted before VERSION 1."""
    if not subject.kind:
        return Interaction(action)
    head, _, arg = raw.partition(":")
    if subject.numeric:
        if not (head.isascii() and head.isdecimal()):  # int() would also read '٣'
            raise UserError(subject.bad_id, value=_shown(raw))
        if len(head) > SHOWN_MAX:
            raise UserError(INVALID)  # too many digits for a mistyped id: Pedir never made it
        if not valid_id(int(head)):
            raise UserError(subject.bad_id, value=_shown(raw))
        return Interaction(action, subject.kind, int(head), arg or None)
    if not head or len(head) > MAX_TEXT_ID or len(arg) > MAX_TEXT_ID:
        raise UserError(subject.bad_id, value=_shown(raw))
    return Interaction(action, subject.kind, head, arg or None)


def _shown(value: str) -> str:
    """A bad value as the refusal quotes it: enough to recognise, never a wall of digits."""
    return value if len(value) <= SHOWN_MAX else value[: SHOWN_MAX - 1] + "…"
