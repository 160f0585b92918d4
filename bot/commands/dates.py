"""Due dates as users type them, in Spanish or English.

Pure functions of (text, today): the caller decides what "today" is in the
user's time zone, so tests need no clock.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.text import fold, fold_map, original_span

WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3,
    "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
# Keys are folded: "mañana" arrives here as "manana".
RELATIVE = {
    "hoy": 0, "today": 0,
    "manana": 1, "tomorrow": 1,
    "pasado manana": 2, "day after tomorrow": 2,
}  # fmt: skip

# ASCII digits only: int() would accept Arabic-Indic digits too, and nobody
# means a date with them here. Fullwidth digits are already folded to ASCII.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}))?")
_EDGE_PUNCT = " .,;:!?¡¿()"


def _next_weekday(today: date, weekday: int) -> date:
    # Strictly after today: on a Friday, "viernes" means next week's Friday,
    # because a deadline of "today" would be written "hoy".
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _day_month(today: date, day: int, month: int) -> date | None:
    # No year: the nearest such day, future on a tie. "05/01" typed on 28/12
    # is next year's, but "24/11" typed on 25/11 is yesterday, which the
    # caller reports, rather than silently a year away.
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29/02 in a common year, 31/04, years 0 and 10000
            continue
    return min(candidates, key=lambda d: (abs((d - today).days), d < today), default=None)


def parse_due(value: str, today: date) -> date | None:
    """Read "2026-12-01", "1/12/2026", "1/12", "viernes", "mañana"...; None if unreadable.

    Dates in the past are returned as they are; rejecting them is the
    caller's decision (it owes the user a different message).
    """
    v = fold(value).strip(_EDGE_PUNCT)
    # "pasado_mañana", "pasado-mañana" and "pasado  mañana" all mean the same.
    v = re.sub(r"(?<=[a-z])[-_\s]+(?=[a-z])", " ", v)
    try:
        if v in RELATIVE:
            return today + timedelta(days=RELATIVE[v])
        if v in WEEKDAYS:
            return _next_weekday(today, WEEKDAYS[v])
        if m := _ISO.fullmatch(v):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.fullmatch(v):
            day, month = int(m[1]), int(m[2])
            if m[3] is None:
                return _day_month(today, day, month)
            return date(int(m[3]), month, day)
    except (ValueError, OverflowError):
        # 31/02, month 13, year 0, or a day past date.max.
        return None
    return None


_WHEN = "|".join(
    [r"pasado\s+manana", r"day\s+after\s+tomorrow"]
    + sorted((w for w in [*RELATIVE, *WEEKDAYS] if " " not in w), key=len, reverse=True)
    + [r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", r"[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{4})?"]
)
# "antes del viernes", "para el viernes", "para mañana", "hasta el 15/12",
# "by friday", "before tomorrow", "until the day after tomorrow".
_PHRASE = re.compile(
    r"(?<!\w)(?:antes\s+del?|para(?:\s+el)?|hasta(?:\s+el)?|by|before|until(?:\s+the)?)"
    rf"\s+(?P<when>{_WHEN})(?![\w/])"
)


def find_due_phrase(text: str, today: date) -> tuple[date, str] | None:
    """The first deadline phrase in free text: (date, phrase as written).

    Phrases naming a past or impossible date are skipped rather than
    reported: the text may just be telling a story ("era para el 1/1/2020").
    """
    folded, index = fold_map(text)
    for m in _PHRASE.finditer(folded):
        due = parse_due(m["when"], today)
        if due is not None and due >= today:
            start, end = original_span(text, index, m.start(), m.end())
            return due, text[start:end]
    return None


def read_due_value(value: str, following: list[str], today: date) -> tuple[date | None, str, int]:
    """Read a "para:" value that may go on into the next words.

    "para: viernes" and "para:pasado mañana" put spaces inside the value.
    Returns the date (None if unreadable), the value as written, and how
    many of `following` it took.
    """
    for taken in range(min(2, len(following)) + 1):
        written = " ".join([value, *following[:taken]]).strip()
        if (due := parse_due(written, today)) is not None:
            return due, written, taken
    return None, value, 0
