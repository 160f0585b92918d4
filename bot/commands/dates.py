"""Due dates as users type them, in Spanish or English.

Pure functions of (text, today): the caller decides what "today" is in the
user's time zone, so tests need no clock. A date is one of:

- a day: "2026-12-15", "15/12", "15/12/2026", "15 de diciembre", "15 dic 2027",
  "Dec 15", "December 15th, 2027", "el día 15";
- a weekday: "viernes", "el próximo viernes", "el viernes que viene", "next Friday";
- a word: "hoy", "mañana", "pasado mañana", "today", "tomorrow";
- a span: "en 2 semanas", "dentro de tres días", "in 2 weeks", "within a month".

Day and month go in that order ("3/1" is 3 January), as everyone in the
company writes them. Free text (bot.commands.due_phrases) needs a deadline
word in front ("antes del", "para el", "by"...); the "para:" flag and the
form's date field take a date alone.

A hand-written grammar rather than a date library: the general parsers read
"el 2 de los clientes" or "may" in "it may fail" as dates, and this bot must
say plainly which phrase it took and which it could not read.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta

from bot.text import fold

WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3,
    "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
MONTHS = {
    "enero": 1, "ene": 1, "january": 1, "jan": 1,
    "febrero": 2, "feb": 2, "february": 2,
    "marzo": 3, "mar": 3, "march": 3,
    "abril": 4, "abr": 4, "april": 4, "apr": 4,
    "mayo": 5, "may": 5,
    "junio": 6, "jun": 6, "june": 6,
    "julio": 7, "jul": 7, "july": 7,
    "agosto": 8, "ago": 8, "august": 8, "aug": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "september": 9,
    "octubre": 10, "oct": 10, "october": 10,
    "noviembre": 11, "nov": 11, "november": 11,
    "diciembre": 12, "dic": 12, "december": 12, "dec": 12,
}  # fmt: skip
# Keys are folded: "mañana" arrives here as "manana".
RELATIVE = {
    "hoy": 0, "today": 0,
    "manana": 1, "tomorrow": 1,
    "pasado manana": 2, "day after tomorrow": 2,
}  # fmt: skip
NUMBER_WORDS = {
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "quince": 15, "un par de": 2,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "a couple of": 2,
}  # fmt: skip
# Unit -> (days, months) per unit.
UNITS = {
    "dia": (1, 0), "dias": (1, 0), "day": (1, 0), "days": (1, 0),
    "semana": (7, 0), "semanas": (7, 0), "week": (7, 0), "weeks": (7, 0),
    "mes": (0, 1), "meses": (0, 1), "month": (0, 1), "months": (0, 1),
}  # fmt: skip
LONGEST_SPAN_DAYS = 3660  # "en 9999 semanas" is not a deadline anyone means


def alternatives(words: Iterable[str]) -> str:
    """A regex alternation of folded words, longest first so "sept" beats "sep"."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_ORDINAL = r"(?:st|nd|rd|th|o)?"  # "15th", and "1º" folds to "1o"
_MONTH = rf"(?:{alternatives(MONTHS)})\.?"
# ASCII digits only: int() would accept Arabic-Indic digits too, and nobody
# means a date with them here. Fullwidth digits are already folded to ASCII.
WHEN = "|".join([
    r"(?P<iso>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})",
    r"(?P<dmy>[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{4})?)",
    rf"(?P<dm_day>[0-9]{{1,2}}){_ORDINAL}\s+(?:de\s+|of\s+)?(?P<dm_month>{_MONTH})"
    r"(?:,?\s+(?:del?\s+)?(?P<dm_year>[0-9]{4}))?",
    rf"(?P<md_month>{_MONTH})\s+(?P<md_day>[0-9]{{1,2}}){_ORDINAL}(?:,?\s+(?P<md_year>[0-9]{{4}}))?",
    r"(?:dia|day)\s+(?P<day_only>[0-9]{1,2})",
    r"(?P<nth>[0-9]{1,2})(?:st|nd|rd|th)",  # "by the 15th"
    rf"(?:(?P<this>este|this)\s+|(?:proximo|next|coming)\s+)?(?P<weekday>{alternatives(WEEKDAYS)})"
    r"(?:\s+que\s+viene)?",
    rf"(?P<relative>{alternatives(RELATIVE)})",
    rf"(?:en|dentro\s+de|in|within)\s+(?P<count>[0-9]{{1,4}}|{alternatives(NUMBER_WORDS)})\s+"
    rf"(?P<unit>{alternatives(UNITS)})",
])  # fmt: skip
# Words that may stand before a date in a field or a flag: "el viernes", "on Dec 15".
_LEAD = r"(?:(?:el|the|on)\s+)?"
_WHOLE = re.compile(rf"{_LEAD}(?:{WHEN})")
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


def _day_of_month(today: date, day: int) -> date | None:
    """ "el día 15": this month's if it is still ahead, else the next month that has one."""
    year, month = today.year, today.month
    for _ in range(3):  # the 31st may skip a month, never two
        if day <= calendar.monthrange(year, month)[1] and (found := date(year, month, day)) >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _add_months(today: date, months: int) -> date:
    month_index = today.month - 1 + months
    year, month = today.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _spaced(words: str) -> str:
    return re.sub(r"\s+", " ", words)


def _month(word: str) -> int:
    return MONTHS[word.rstrip(".")]


def resolve(m: re.Match[str], today: date) -> date | None:
    """The date a match of WHEN names; None if there is no such day."""
    g = {name: value for name, value in m.groupdict().items() if value}  # a pattern may hold only some groups
    try:
        if "iso" in g:
            year, month, day = map(int, g["iso"].split("-"))
            return date(year, month, day)
        if "dmy" in g:
            day, month, *year = map(int, g["dmy"].split("/"))
            return date(year[0], month, day) if year else _day_month(today, day, month)
        if "dm_day" in g or "md_day" in g:
            side = "dm" if "dm_day" in g else "md"
            day, month, year = int(g[f"{side}_day"]), _month(g[f"{side}_month"]), g.get(f"{side}_year")
            return date(int(year), month, day) if year else _day_month(today, day, month)
        if "day_only" in g or "nth" in g:
            return _day_of_month(today, int(g.get("day_only") or g["nth"]))
        if "weekday" in g:
            weekday = WEEKDAYS[g["weekday"]]
            if "this" in g and weekday == today.weekday():
                return today  # "este viernes", said on a Friday
            return _next_weekday(today, weekday)
        if "relative" in g:
            return today + timedelta(days=RELATIVE[_spaced(g["relative"])])
        count_word = _spaced(g["count"])
        count = int(count_word) if count_word.isdigit() else NUMBER_WORDS[count_word]
        days, months = UNITS[g["unit"]]
        if count * (days + 31 * months) > LONGEST_SPAN_DAYS:
            return None
        return _add_months(today, count * months) + timedelta(days=count * days)
    except (ValueError, OverflowError):
        # 31/02, month 13, year 0, or a day past date.max.
        return None


def normalize(value: str) -> str:
    """Folded, trimmed, and "pasado_mañana" or "pasado-mañana" spelled "pasado mañana"."""
    v = fold(value).strip(_EDGE_PUNCT)
    return re.sub(r"(?<=[a-z])[-_\s]+(?=[a-z])", " ", v)


def parse_due(value: str, today: date) -> date | None:
    """Read "2026-12-01", "1/12", "15 de diciembre", "el viernes", "next Friday",
    "mañana", "en 2 semanas"... written alone; None if unreadable.

    Dates in the past are returned as they are; rejecting them is the
    caller's decision (it owes the user a different message).
    """
    m = _WHOLE.fullmatch(normalize(value))
    return resolve(m, today) if m else None


# What may stand before a date in a field: "para:2027-01-10" typed into the
# date field itself, or "para el viernes".
_FLAG_PREFIX = re.compile(r"\s*(?:para|due|by|antes\s+del?|hasta)\s*:?\s*", re.IGNORECASE)


def parse_due_field(value: str, today: date) -> date | None:
    """A form's date field: a date alone, or one written after "para:" or "para"."""
    if (due := parse_due(value, today)) is not None:
        return due
    prefix = _FLAG_PREFIX.match(fold(value))
    return parse_due(value[prefix.end() :], today) if prefix else None


def read_due_value(value: str, following: list[str], today: date) -> tuple[date | None, str, int]:
    """Read a "para:" value that may go on into the next words.

    "para: viernes", "para:pasado mañana" and "para:15 de diciembre" put
    spaces inside the value; the longest reading wins. Returns the date
    (None if unreadable), the value as written, and how many of `following`
    it took.
    """
    for taken in range(min(5, len(following)), -1, -1):
        written = " ".join([value, *following[:taken]]).strip()
        if (due := parse_due(written, today)) is not None:
            return due, written, taken
    return None, value, 0
