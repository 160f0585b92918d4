"""Deadlines written into free text: "antes del 15 de diciembre", "by next Friday".

A phrase counts when a deadline word stands before a date ("antes del",
"para el", "hasta el", "a más tardar el", "by", "before", "until", "due",
"no later than"), or when it is a span from now ("en 2 semanas", "in 2
weeks"). "reunión el viernes" names a day, not a deadline, and is left alone.

A deadline word followed by something that looks like a date but gives none
("antes del 31 de febrero", "para el 15 de dicembre", "by 2027-13-01") is
reported, as is one that has passed: the caller owes the user a word rather
than a request that silently has no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from bot.commands.dates import MONTHS, WEEKDAYS, WHEN, resolve
from bot.text import fold_map, original_span

_MARKERS = (
    r"antes\s+del?|para(?:\s+el)?|hasta(?:\s+el)?|a\s+mas\s+tardar(?:\s+el)?"
    r"|como\s+(?:muy\s+)?tarde(?:\s+el)?|no\s+mas\s+tarde\s+del?"
    r"|by(?:\s+the)?|before(?:\s+the)?|until(?:\s+the)?|till|due(?:\s+on)?|no\s+later\s+than(?:\s+the)?"
)
_END = r"(?![\w/])"
_PHRASE = re.compile(rf"(?<!\w)(?:(?P<marker>{_MARKERS})\s+)?(?:{WHEN}){_END}")
# "antes del 15", "para el 3": a day of the month, only after an article
# ("para 15 personas" is a number of people).
_BARE_DAY = re.compile(
    r"(?<!\w)(?:antes\s+del|para\s+el|hasta\s+el|a\s+mas\s+tardar\s+el)\s+(?P<nth>[0-9]{1,2})(?![\w/%]|[.,:-][0-9])"
)
# After a deadline word, what a date looks like even when it is not one.
_LOOKS_LIKE = re.compile(
    rf"(?<!\w)(?:{_MARKERS})\s+(?:"
    r"(?P<numeric>[0-9]{1,4}(?:[/-][0-9]{1,4}){1,2})"
    r"|[0-9]{1,2}(?:st|nd|rd|th|o)?\s+(?:de\s+|of\s+)?(?P<month_after>[a-z]{3,})\.?(?:,?\s+(?:del?\s+)?[0-9]{4})?"
    r"|(?P<month_before>[a-z]{3,})\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?"
    r"|(?P<weekday>[a-z]{4,})"
    rf"){_END}"
)
# Similarity (rapidfuzz, 0-100) from which a word is taken for a misspelt
# month or weekday: "dicembre", "juernes", and "by lunch" is a time we cannot read.
_MISSPELT = 75
_NEXT_WORD = re.compile(r"\s+(?:(de|of)\s+)?([a-z]{3,})")


@dataclass(frozen=True)
class DueReading:
    """What the text says about a deadline."""

    due: date | None = None
    phrase: str | None = None  # the phrase `due` came from, as written
    unread: str | None = None  # a date-like phrase that gave no usable date, as written
    past: bool = False  # `unread` names a day that has passed


def _close_to(word: str | None, names: dict[str, int]) -> bool:
    return bool(word) and any(fuzz.ratio(word, name) >= _MISSPELT for name in names if len(name) > 3)


def _month_follows(folded: str, end: int) -> bool:
    """ "antes del 31 de febrero", "para el 15 dicembre": a day with a month after it, not a bare day."""
    m = _NEXT_WORD.match(folded, end)
    return m is not None and (m[1] is not None or _close_to(m[2], MONTHS))


def _looks_like_a_date(m: re.Match[str]) -> bool:
    if m["numeric"]:
        return True
    if m["month_after"] or m["month_before"]:
        return _close_to(m["month_after"] or m["month_before"], MONTHS)
    return _close_to(m["weekday"], WEEKDAYS)


def read_due(text: str, today: date) -> DueReading:
    """The first deadline phrase in `text` that names a day from today on;
    else the first one that could not be read, or that has passed."""
    folded, index = fold_map(text)

    def written(m: re.Match[str]) -> str:
        start, end = original_span(text, index, m.start(), m.end())
        return text[start:end]

    found = [m for m in _PHRASE.finditer(folded) if m["marker"] or m["count"]]
    found += [m for m in _BARE_DAY.finditer(folded) if not _month_follows(folded, m.end())]
    problems: list[tuple[int, DueReading]] = []
    for m in sorted(found, key=lambda m: m.start()):
        due = resolve(m, today)
        if due is not None and due >= today:
            return DueReading(due=due, phrase=written(m))
        problems.append((m.start(), DueReading(unread=written(m), past=due is not None)))
    problems += [(m.start(), DueReading(unread=written(m))) for m in _LOOKS_LIKE.finditer(folded) if _looks_like_a_date(m)]
    return min(problems, key=lambda p: p[0])[1] if problems else DueReading()
