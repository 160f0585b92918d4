"""Numbers, durations and dates on the pages, in the reader's language and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import format_day, format_duration, format_number, format_share, format_when


@dataclass(frozen=True)
class Formats:
    locale: str
    timezone: str

    def duration(self, span: timedelta | None) -> str:
        return "—" if span is None else format_duration(span, self.locale)

    def share(self, value: float | None) -> str:
        return "—" if value is None else format_share(value, self.locale)

    def number(self, value: float | None, digits: int = 0) -> str:
        return "—" if value is None else format_number(value, self.locale, digits=digits)

    def when(self, moment: datetime | None) -> str:
        return "—" if moment is None else format_when(moment, self.locale, self.timezone)

    def day(self, moment: datetime | None) -> str:
        return "—" if moment is None else format_day(moment.date(), self.locale)
