"""A pulse described in a TOML file (`pedir pulse create --file pulse.toml`).

The file is read into the form's fields and checked by the same rules as the
form (bot.pulses.spec); a problem names the file and the key to fix, as the
organisation file's errors do. See examples/pulse.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

from bot.context import Ctx
from bot.errors import UserError
from bot.i18n import t
from bot.people import service as people
from bot.pulses import setup
from bot.pulses import spec as s
from bot.pulses.spec import SpecErrors
from bot.pulses.states import MAX_QUESTIONS
from storage.models import Person, Pulse

TOP = ("created_by", "subject", "audience", "comment", "anonymous", "min_answers", "window_days",
       "remind_after_days", "schedule", "questions")
SCHEDULE_KEYS = ("kind", "start", "time", "cron")
QUESTION_KEYS = ("kind", "text")
# Where each of the form's fields lives in the file.
PATHS = {
    **{field: f"questions[{n}].{key}" for n, pair in enumerate(s.QUESTIONS) for key, field in zip(("kind", "text"), pair)},
    s.COMMENT: "comment", s.SUBJECT: "subject", s.AUDIENCE: "audience", s.SCHEDULE: "schedule.kind",
    s.START: "schedule.start", s.TIME: "schedule.time", s.CRON_FIELD: "schedule.cron", s.WINDOW: "window_days",
    s.REMINDER: "remind_after_days", s.ANONYMOUS: "anonymous", s.MIN_ANSWERS_FIELD: "min_answers",
}


class PulseFileError(ValueError):
    """`pulse.toml: schedule.cron: "0 10 30 2 *" never fires ...`, in the reader's language."""

    def __init__(self, path: Path | str, key_path: str, error: UserError) -> None:
        super().__init__(key_path)
        self.path, self.key_path, self.error = Path(path), key_path, error

    def describe(self, locale: str | None) -> str:
        message = t(locale, self.error.key, **self.error.values)
        return f"{self.path}: {self.key_path}: {message}" if self.key_path else f"{self.path}: {message}"


def read(path: Path) -> tuple[dict[str, str], str | None]:
    """The file's values as the form's fields, and its `created_by`."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PulseFileError(path, "", UserError("pulse.setup.file.toml", reason=str(exc))) from None
    return _fields(path, raw), _text(path, raw, "created_by") or None


def _fields(path: Path, raw: Mapping[str, Any]) -> dict[str, str]:
    _known(path, raw, TOP, "")
    schedule = raw.get("schedule", {})
    if not isinstance(schedule, dict):
        raise PulseFileError(path, "schedule", UserError("pulse.setup.file.table"))
    _known(path, schedule, SCHEDULE_KEYS, "schedule.")
    values = {
        s.SUBJECT: _text(path, raw, "subject"), s.AUDIENCE: _audience(path, raw.get("audience")),
        s.COMMENT: _flag(path, raw, "comment", s.YES, s.NO), s.ANONYMOUS: _flag(path, raw, "anonymous", s.YES, s.NAMED),
        s.MIN_ANSWERS_FIELD: _number(path, raw, "min_answers"), s.WINDOW: _number(path, raw, "window_days"),
        s.REMINDER: "no" if raw.get("remind_after_days") is False else _number(path, raw, "remind_after_days"),
        s.SCHEDULE: _text(path, schedule, "kind", "schedule."), s.CRON_FIELD: _text(path, schedule, "cron", "schedule."),
        s.START: _moment(path, schedule.get("start"), "schedule.start", date),
        s.TIME: _moment(path, schedule.get("time"), "schedule.time", time),
    }
    questions = raw.get("questions", [])
    if not isinstance(questions, list):
        raise PulseFileError(path, "questions", UserError("pulse.setup.file.questions"))
    if len(questions) > MAX_QUESTIONS:
        raise PulseFileError(path, f"questions[{MAX_QUESTIONS}]", UserError("pulse.setup.file.too_many"))
    for n, question in enumerate(questions):
        where = f"questions[{n}]"
        if not isinstance(question, dict):
            raise PulseFileError(path, where, UserError("pulse.setup.file.questions"))
        _known(path, question, QUESTION_KEYS, where + ".")
        kind_field, text_field = s.QUESTIONS[n]
        values[kind_field] = _text(path, question, "kind", where + ".")
        values[text_field] = _text(path, question, "text", where + ".")
    return values


def _known(path: Path, table: Mapping[str, Any], keys: tuple[str, ...], prefix: str) -> None:
    for key in table:
        if key not in keys:
            raise PulseFileError(path, prefix + key, UserError("pulse.setup.file.unknown_key", keys=", ".join(keys)))


def _text(path: Path, table: Mapping[str, Any], key: str, prefix: str = "") -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise PulseFileError(path, prefix + key, UserError("pulse.setup.file.not_text"))
    return value


def _flag(path: Path, table: Mapping[str, Any], key: str, yes: str, no: str) -> str:
    value = table.get(key)
    if value is None:
        return ""
    if not isinstance(value, bool):
        raise PulseFileError(path, key, UserError("pulse.setup.file.not_bool"))
    return yes if value else no


def _number(path: Path, table: Mapping[str, Any], key: str) -> str:
    value = table.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PulseFileError(path, key, UserError("pulse.setup.file.not_number"))
    return str(value)


def _audience(path: Path, value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    raise PulseFileError(path, "audience", UserError("pulse.setup.audience_empty"))


def _moment(path: Path, value: Any, key: str, kind: type) -> str:
    """TOML's own dates (2027-01-12) and times (10:00:00), or the same as text."""
    if value is None or isinstance(value, str):
        return value or ""
    if kind is date and isinstance(value, date):
        return value.isoformat()
    if kind is time and isinstance(value, time):
        return value.strftime("%H:%M")
    raise PulseFileError(path, key, UserError("pulse.setup.file.not_text"))


async def create(ctx: Ctx, path: Path, by: str | None) -> Pulse:
    """The file's pulse, created by `by` (or the file's created_by): HR only."""
    values, created_by = read(path)
    email = by or created_by
    if not email:
        raise PulseFileError(path, "created_by", UserError("pulse.setup.creator_missing"))
    creator: Person | None = await people.by_email(ctx.session, email)
    if creator is None:
        raise PulseFileError(path, "--by" if by else "created_by", UserError("pulse.setup.creator_unknown", value=email))
    tz = creator.timezone or ctx.timezone
    try:
        spec = s.from_values(values, now=ctx.now, tz=tz)
        return await setup.create(ctx, creator, spec, tz)
    except SpecErrors as wrong:
        field, error = next(iter(wrong.problems.items()))
        raise PulseFileError(path, PATHS.get(field, field), error) from None
    except UserError as error:  # not HR
        raise PulseFileError(path, "--by" if by else "created_by", error) from None
