"""A pulse as HR asks for it, checked before anything is stored.

The form (`/pulso nuevo`) and the file (`pedir pulse create --file`) both end
here as a flat table of values keyed by the form's field names, so both are
checked by the same rules. Every problem is a UserError whose message says
what to write instead, collected per field: a form shows each under its
field, the command line names the file's key.

Names (teams, people) are only read here; bot.pulses.setup finds them in the
database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.commands.dates import parse_due
from bot.errors import UserError
from bot.limits import MAX_TITLE
from bot.pulses import recurrence
from bot.pulses.recurrence import CRON, Schedule
from bot.pulses.states import DEFAULT_MIN_ANSWERS, DEFAULT_WINDOW_DAYS, KINDS, MAX_QUESTIONS, MIN_ANSWERS, SCALE
from bot.pulses.timing import local_instant
from bot.text import fold

# The form's fields: their names are the keys of per-field errors.
QUESTIONS = tuple((f"q{n}_kind", f"q{n}_text") for n in range(1, MAX_QUESTIONS + 1))
COMMENT, SUBJECT, AUDIENCE = "comment", "subject", "audience"
SCHEDULE, START, TIME, CRON_FIELD = "schedule", "start", "time", "cron"
WINDOW, REMINDER, ANONYMOUS, MIN_ANSWERS_FIELD = "window", "reminder", "anonymous", "min_answers"

YES, NO, NAMED = "yes", "no", "named"  # NAMED: not anonymous, chosen as such
GENERAL = "general"  # the subject of a pulse about no team in particular
WINDOW_DAYS = (1, 10)
DEFAULT_TIME = time(10)
FURTHEST_START = timedelta(days=366)  # a later start is a typo more often than a plan
_YES = {"yes", "si", "true", "y", "s", "1"}
_NO = {"no", "false", "n", "0"}
_NO_REMINDER = {"no", "none", "ninguno", "ninguna", "sin", "0", "false"}
_EVERYONE = {"todos", "todas", "todo", "everyone", "everybody", "all"}
_HHMM = re.compile(r"([01]?\d|2[0-3])[:.h]([0-5]\d)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Question:
    kind: str  # scale | enps | text
    text: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Audience:
    """Who is asked, as typed: resolved against the database when the pulse is
    created (to refuse unknown names) and again at each round (teams change)."""

    everyone: bool = False
    teams: tuple[str, ...] = ()  # "@soporte": a team
    emails: tuple[str, ...] = ()  # "ana@example.com": a person
    names: tuple[str, ...] = ()  # "ana.garcia" or "soporte": a team if one has that name, else a person

    @property
    def empty(self) -> bool:
        return not (self.everyone or self.teams or self.emails or self.names)


@dataclass(frozen=True)
class PulseSpec:
    questions: tuple[Question, ...]
    comment: bool
    subject: str | None  # a team as typed; None: a general pulse
    audience: Audience
    schedule: Schedule
    window_days: int = DEFAULT_WINDOW_DAYS
    remind_after_days: int | None = DEFAULT_WINDOW_DAYS - 1
    anonymous: bool = True
    min_answers: int = DEFAULT_MIN_ANSWERS


class SpecErrors(Exception):
    """Every field that is wrong, each with its message: nothing is stored."""

    def __init__(self, problems: Mapping[str, UserError]) -> None:
        super().__init__(", ".join(f"{field}: {error.key}" for field, error in problems.items()))
        self.problems = dict(problems)


class _Collector:
    def __init__(self) -> None:
        self.problems: dict[str, UserError] = {}

    def check(self, field: str, read, *args):  # noqa: ANN001, ANN002, ANN202
        """`read(*args)`, or None with the problem noted under `field`."""
        try:
            return read(*args)
        except UserError as error:
            self.problems.setdefault(field, error)
            return None


def from_values(values: Mapping[str, str], *, now: datetime, tz: str) -> PulseSpec:
    """The spec the values describe, or SpecErrors naming every wrong field."""
    v = {key: (value or "").strip() for key, value in values.items()}
    c = _Collector()
    questions = read_questions(c, v)
    comment = c.check(COMMENT, yes_no, v.get(COMMENT, ""), True)
    audience = c.check(AUDIENCE, read_audience, v.get(AUDIENCE, ""))
    schedule = read_schedule(c, v, now, tz)
    window = c.check(WINDOW, bounded, v.get(WINDOW, ""), WINDOW_DAYS, DEFAULT_WINDOW_DAYS, "pulse.setup.bad_window")
    reminder = c.check(REMINDER, read_reminder, v.get(REMINDER, ""), window or DEFAULT_WINDOW_DAYS)
    anonymous = c.check(ANONYMOUS, read_anonymous, v.get(ANONYMOUS, ""))
    minimum = c.check(MIN_ANSWERS_FIELD, bounded, v.get(MIN_ANSWERS_FIELD, ""), MIN_ANSWERS, DEFAULT_MIN_ANSWERS,
                      "pulse.setup.bad_min_answers")
    if c.problems:
        raise SpecErrors(c.problems)
    return PulseSpec(
        questions=questions, comment=comment, subject=read_subject(v.get(SUBJECT, "")),
        audience=audience, schedule=schedule, window_days=window, remind_after_days=reminder,
        anonymous=anonymous, min_answers=minimum,
    )


def read_subject(value: str) -> str | None:
    subject = value.strip().lstrip("@")
    return None if fold(subject) in ("", GENERAL) else subject


def read_questions(c: _Collector, v: Mapping[str, str]) -> tuple[Question, ...] | None:
    """One to three questions; a question left without words is left out."""
    found = []
    for kind_field, text_field in QUESTIONS:
        text = " ".join(v.get(text_field, "").split())
        kind = c.check(kind_field, read_kind, v.get(kind_field, ""))
        if text and len(text) > MAX_TITLE:
            c.check(text_field, _refuse_long, text)
        elif text and kind is not None:
            found.append(Question(kind, text))
    if not found and not c.problems:
        c.check(QUESTIONS[0][1], _refuse, "pulse.setup.no_question", None)
    return tuple(found) or None


def read_kind(value: str) -> str:
    kind = value or SCALE
    if kind not in KINDS:
        raise UserError("pulse.setup.bad_kind", value=value)
    return kind


def _refuse_long(text: str) -> None:
    raise UserError("pulse.setup.question_too_long", limit=MAX_TITLE, length=len(text))


def yes_no(value: str, default: bool) -> bool:
    word = fold(value)
    if not word:
        return default
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise UserError("pulse.setup.bad_yes_no", value=value)


def read_audience(text: str) -> Audience:
    everyone, teams, emails, names = False, [], [], []
    for token in re.split(r"[\s,;]+", text):
        token = token.strip()
        if not token:
            continue
        if fold(token) in _EVERYONE:
            everyone = True
        elif token.startswith("@"):
            teams.append(token[1:])
        elif _EMAIL.fullmatch(token):
            emails.append(token.lower())
        else:
            names.append(token)
    audience = Audience(everyone, tuple(dict.fromkeys(teams)), tuple(dict.fromkeys(emails)),
                        tuple(dict.fromkeys(names)))
    if audience.empty:
        raise UserError("pulse.setup.audience_empty")
    return audience


def read_time(value: str) -> time:
    match = _HHMM.fullmatch(value.strip())
    if not match:
        raise UserError("pulse.setup.bad_time", value=value)
    return time(int(match[1]), int(match[2]))


def read_schedule(c: _Collector, v: Mapping[str, str], now: datetime, tz: str) -> Schedule | None:
    """The schedule, its first date checked against `now` in the creator's zone."""
    kind = v.get(SCHEDULE) or recurrence.ONCE
    if kind not in recurrence.KINDS:
        c.check(SCHEDULE, _refuse, "pulse.setup.bad_schedule", kind)
        return None
    today = now.astimezone(ZoneInfo(tz)).date()
    start = c.check(START, read_start, v.get(START, ""), today)
    cron_text = " ".join(v.get(CRON_FIELD, "").split()) or None
    if kind == CRON:  # a crontab line names its own time: the time field is not read
        at = c.check(CRON_FIELD, _cron_time, cron_text)
    else:
        at = c.check(TIME, read_time, v.get(TIME) or DEFAULT_TIME.strftime("%H:%M"))
        if cron_text:
            c.check(CRON_FIELD, _refuse, "pulse.setup.cron_unused", cron_text)
    if start is None or at is None or c.problems.keys() & {SCHEDULE, CRON_FIELD}:
        return None
    schedule = Schedule(kind, start, at, cron_text)
    first = recurrence.first_on_or_after(schedule, start)
    if first is None:
        c.check(CRON_FIELD, _refuse, "pulse.setup.cron_never", cron_text)
        return None
    if local_instant(tz, first, at) <= now:
        c.check(TIME, _refuse, "pulse.setup.time_past", at.strftime("%H:%M"))
        return None
    return schedule


def read_start(value: str, today: date) -> date:
    if not value:
        raise UserError("pulse.setup.start_missing")
    start = parse_due(value, today)
    if start is None:
        raise UserError("pulse.setup.bad_date", value=value)
    if start < today:
        raise UserError("pulse.setup.start_past", value=value)
    if start > today + FURTHEST_START:
        raise UserError("pulse.setup.start_far", value=value)
    return start


def _cron_time(cron_text: str | None) -> time:
    if not cron_text:
        raise UserError("pulse.setup.cron_missing")
    return recurrence.parse_cron(cron_text).at


def bounded(value: str, limits: tuple[int, int], default: int, key: str) -> int:
    if not value:
        return default
    low, high = limits
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise UserError(key, value=value, low=low, high=high)
    return int(value)


def read_reminder(value: str, window: int) -> int | None:
    """Business days after sending; by default the window's last day, none in a one-day window."""
    if not value:
        return window - 1 or None
    if fold(value) in _NO_REMINDER:
        return None
    if window == 1:
        raise UserError("pulse.setup.reminder_one_day", value=value)
    return bounded(value, (1, window - 1), window - 1, "pulse.setup.bad_reminder")


def read_anonymous(value: str) -> bool:
    """Anonymous unless the creator picked the option that says answers carry names."""
    word = fold(value)
    if not word or word in _YES:
        return True
    if word == NAMED:
        return False
    raise UserError("pulse.setup.anonymous_explicit", value=value)


def _refuse(key: str, value: str | None) -> None:
    raise UserError(key, value=value or "")
