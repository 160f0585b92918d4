"""Business hours: is a team open, and when are N working minutes up? Stdlib only.

Intervals are local wall-clock times turned into UTC instants one calendar day at a time,
so a DST change shortens or lengthens only the intervals it crosses. Output is in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY, _MINUTE, _SECOND = timedelta(days=1), timedelta(minutes=1), timedelta(seconds=1)
_MIDNIGHT = time(0)  # as an interval end: midnight closing the day ("24:00")
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
Span = tuple[datetime, datetime]
Interval = tuple[time, time]


class BusinessHoursError(ValueError):
    """A business-hours configuration that cannot be used."""


def _fmt(t: time, end: bool = False) -> str:
    return "24:00" if end and t == _MIDNIGHT else t.strftime("%H:%M")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"need a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


class BusinessHours:
    """Weekly opening intervals in one IANA zone, minus whole-day local holidays.

    ``week`` maps date.weekday() (0 = Monday) to (start, end) local times; an end
    of 00:00 means midnight at the end of that day (written "24:00" in config).
    ``holidays`` is a collection of dates, or a container that is only asked
    ``day in holidays`` and ``bool(holidays)`` (a lazy calendar, bot.sla.calendar).
    """

    def __init__(
        self, tz: str, week: dict[int, list[Interval]],
        holidays: Iterable[date] | Container[date] = frozenset(),
    ) -> None:
        try:
            self._tz = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise BusinessHoursError(f"unknown time zone {tz!r}; use an IANA name") from None
        self.tz = tz
        # Plain dates are frozen; a non-iterable container (years filled on demand) is kept.
        self.holidays = frozenset(holidays) if isinstance(holidays, Iterable) else holidays
        self._week: dict[int, tuple[Interval, ...]] = {}
        for day, intervals in week.items():
            if day not in range(7):
                raise BusinessHoursError(f"unknown weekday {day!r}; use 0 (Monday) to 6 (Sunday)")
            self._week[day] = _checked(DAYS[day], intervals)
        # 24/7 without holidays needs no calendar at all: plain elapsed time.
        full = ((_MIDNIGHT, _MIDNIGHT),)
        self._always = not self.holidays and all(self._week.get(d) == full for d in range(7))
        self._never = not any(self._week.values())

    @classmethod
    def from_config(
        cls, hours: Mapping[str, object], tz: str, holidays: Iterable[date] | Container[date] = ()
    ) -> BusinessHours:
        """From the org file's table, e.g. {"mon": ["09:00", "18:00"]}; {} means 24/7."""
        if not isinstance(hours, Mapping):
            raise BusinessHoursError(f"business hours must be a table of days, got {hours!r}")
        if not hours:
            return cls(tz, {d: [(_MIDNIGHT, _MIDNIGHT)] for d in range(7)})
        week: dict[int, list[Interval]] = {}
        for name, value in hours.items():
            if name not in DAYS:
                raise BusinessHoursError(f"unknown day {name!r}; use {', '.join(DAYS)}")
            week[DAYS.index(name)] = _parse_intervals(name, value)
        return cls(tz, week, holidays)

    def is_open(self, moment: datetime) -> bool:
        u = _utc(moment)
        if self._always or self._never:
            return self._always
        first_start, _ = next(self._spans_after(u))
        return first_start <= u

    def next_open(self, moment: datetime) -> datetime:
        return self.add(moment, 0)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The instant at which `minutes` open minutes have elapsed since `start`."""
        if minutes < 0:
            raise ValueError(f"minutes must be >= 0, got {minutes}")
        return self.add_span(start, minutes * _MINUTE)

    def add_span(self, start: datetime, span: timedelta) -> datetime:
        """The instant at which `span` of open time has elapsed since `start`, to the microsecond."""
        u = _utc(start)
        if span < timedelta():
            raise ValueError(f"span must be >= 0, got {span}")
        if self._always:
            return u + span
        left = span
        # Spans arrive a local day at a time; each is used whole unless the sum ends inside it.
        for s, e in self._spans_after(u):
            s = max(s, u)
            if left <= e - s:
                return s + left  # landing exactly on a close returns the close
            left -= e - s
        raise AssertionError("unreachable: _spans_after is endless")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        return self.open_between(start, end) // _MINUTE

    def open_between(self, start: datetime, end: datetime) -> timedelta:
        """The open time between two instants, exactly (zero if `end` is not after `start`)."""
        u, v = _utc(start), _utc(end)
        if v <= u or self._never:
            return timedelta()
        if self._always:
            return v - u
        total = timedelta()
        for s, e in self._spans_after(u):
            if s >= v:
                break
            total += min(e, v) - max(s, u)
        return total

    def at(self, day: date, t: time) -> datetime:
        """The UTC instant the local clock first reads `t` on `day` (see _instant)."""
        return self._instant(day, t)

    def _spans_after(self, u: datetime) -> Iterator[Span]:
        """UTC open spans ending after u, in order, without end."""
        if self._never:
            raise BusinessHoursError(f"business hours in {self.tz} have no open time on any day")
        # Start a day early: a repeated hour around midnight can leave u on the previous day.
        day = u.astimezone(self._tz).date() - _DAY
        while True:
            yield from ((s, e) for s, e in self._day_spans(day) if e > u)
            day += _DAY

    def _day_spans(self, day: date) -> list[Span]:
        if day in self.holidays:
            return []
        spans = []
        for start, end in self._week.get(day.weekday(), ()):
            s = self._instant(day, start)
            e = self._instant(day + _DAY if end == _MIDNIGHT else day, end)
            if e > s:  # an interval wholly inside a DST gap never happens
                spans.append((s, e))
        return spans

    def _instant(self, day: date, t: time) -> datetime:
        """First UTC instant at which the local clock reads `t` or later on `day`.

        So an ambiguous time is its first occurrence (fold=0) and a time in a DST gap is
        the transition; monotonic in wall time, so converted intervals never overlap.
        """
        wall = datetime.combine(day, t)
        u = wall.replace(tzinfo=self._tz).astimezone(UTC)
        if u.astimezone(self._tz).replace(tzinfo=None) == wall:
            return u
        # In a gap fold=1 lands before the transition and fold=0 after: bisect to the second.
        lo, hi = wall.replace(tzinfo=self._tz, fold=1).astimezone(UTC), u
        while (step := (hi - lo) // 2) >= _SECOND:
            mid = lo + (step // _SECOND) * _SECOND
            if mid.astimezone(self._tz).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi


def _checked(name: str, intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    out = []
    for start, end in intervals:
        if not (isinstance(start, time) and isinstance(end, time)) or start.tzinfo or end.tzinfo:
            raise BusinessHoursError(f"{name}: an interval needs two naive datetime.time values")
        if end != _MIDNIGHT and end <= start:
            raise BusinessHoursError(
                f"{name}: interval {_fmt(start)}-{_fmt(end)} does not end after it starts"
            )
        out.append((start, end))
    out.sort()
    for (s1, e1), (s2, e2) in zip(out, out[1:]):
        if e1 == _MIDNIGHT or e1 > s2:  # sorted by start, so only neighbours can overlap
            both = f"{_fmt(s1)}-{_fmt(e1, True)} and {_fmt(s2)}-{_fmt(e2, True)}"
            raise BusinessHoursError(f"{name}: intervals {both} overlap")
    return tuple(out)


def _is_pair(v: object) -> bool:
    return isinstance(v, list | tuple) and len(v) == 2 and all(isinstance(x, str | time) for x in v)


def _parse_intervals(name: str, value: object) -> list[Interval]:
    if _is_pair(value):
        value = [value]  # a single ["09:00", "18:00"]
    if not isinstance(value, (list, tuple)) or not all(map(_is_pair, value)):
        want = '["09:00", "18:00"] or a list of such pairs'
        raise BusinessHoursError(f"{name}: expected {want}, got {value!r}")
    out = []
    for start, end in value:
        s, e = _parse_time(name, start, False), _parse_time(name, end, True)
        if e == _MIDNIGHT and not (isinstance(end, str) and end.strip() == "24:00"):
            # An end of 00:00 is almost always meant as 24:00; make the writer say so.
            why = "does not end after it starts; write 24:00 for midnight"
            raise BusinessHoursError(f"{name}: interval {start}-{end} {why}")
        out.append((s, e))
    return out


def _parse_time(name: str, value: str | time, is_end: bool) -> time:
    if isinstance(value, time):  # TOML local-time literals arrive already parsed
        return value
    if m := _HHMM.fullmatch(value.strip()):
        h, mi = int(m[1]), int(m[2])
        if is_end and (h, mi) == (24, 0):
            return _MIDNIGHT
        if h < 24 and mi < 60:
            return time(h, mi)
    raise BusinessHoursError(
        f"{name}: {value!r} is not a time; use HH:MM from 00:00 to 23:59 (or 24:00 as an end)"
    )


# Used when a team configures no hours: the SLA clock simply runs.
ALWAYS_OPEN = BusinessHours("UTC", {d: [(_MIDNIGHT, _MIDNIGHT)] for d in range(7)})
