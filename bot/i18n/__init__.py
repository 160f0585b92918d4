"""User-facing text in Spanish (default) and English, and locale formatting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_timedelta as _babel_timedelta
from babel.dates import get_timezone_location as _babel_zone_city
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent

from bot.i18n.catalog import CATALOG as _REQUESTS
from bot.i18n.catalog_cli import CLI_CATALOG
from bot.i18n.catalog_dashboard import DASHBOARD_CATALOG
from bot.i18n.catalog_delivery import DELIVERY_CATALOG
from bot.i18n.catalog_input import INPUT_CATALOG
from bot.i18n.catalog_issues import ISSUE_CATALOG

SUPPORTED = ("es", "en")
CATALOG: dict[str, dict[str, str]] = {
    **_REQUESTS, **ISSUE_CATALOG, **DELIVERY_CATALOG, **CLI_CATALOG, **INPUT_CATALOG, **DASHBOARD_CATALOG,
}
DEFAULT_LOCALE = "es"


def normalize_locale(locale: str | None, default: str = DEFAULT_LOCALE) -> str:
    """'en-US', 'en_GB', 'EN' -> 'en'; anything unsupported -> the default."""
    if not locale:
        return default
    lang = locale.replace("-", "_").split("_")[0].lower()
    return lang if lang in SUPPORTED else default


def add_catalog(catalog: Mapping[str, Mapping[str, str]]) -> None:
    """A domain's own sentences (bot.commands.registry adds them); a key means one sentence."""
    for key, entry in catalog.items():
        if key in CATALOG and CATALOG[key] != entry:
            raise ValueError(f"catalog key {key!r} is already taken")
        CATALOG[key] = dict(entry)


def t(locale: str | None, key: str, **values: object) -> str:
    entry = CATALOG[key]
    template = entry.get(normalize_locale(locale)) or entry[DEFAULT_LOCALE]
    return template.format(**values) if values else template


# Weekday included: "before Wed 25 Nov" reads faster than "25/11/26" in a queue.
_WHEN_PATTERNS = {"es": "EEE d MMM, HH:mm", "en": "EEE, MMM d, h:mm a"}


def format_when(moment: datetime, locale: str | None, tz: str, *, home_tz: str | None = None) -> str:
    """A short, local date and time: 'mié 25 nov, 13:00' / 'Wed, Nov 25, 1:00 PM'.

    `home_tz` is the zone the other side reads (the team's): when the clocks
    differ at that moment, the reader's zone is named, '06:00 (hora de Ciudad
    de México)', so two people comparing messages are not an hour apart.
    """
    lang = normalize_locale(locale)
    local = moment.astimezone(ZoneInfo(tz))
    shown = _babel_datetime(local, _WHEN_PATTERNS[lang], locale=lang)
    if home_tz and local.utcoffset() != moment.astimezone(ZoneInfo(home_tz)).utcoffset():
        city = _babel_zone_city(ZoneInfo(tz), locale=lang, return_city=True)
        shown += f" ({t(lang, 'when.zone', city=city)})"
    return shown


def format_day(day: date, locale: str | None) -> str:
    return _babel_date(day, format="medium", locale=normalize_locale(locale))


def format_share(share: float, locale: str | None) -> str:
    return _babel_percent(share, locale=normalize_locale(locale))


def format_age(age: timedelta, locale: str | None) -> str:
    """How long ago: 'hace 3 h' / '3 hr. ago'."""
    # Under a minute reads "1 min ago": "in 0 seconds" would read as the future.
    age = max(age, timedelta(minutes=1))
    return _babel_timedelta(-age, add_direction=True, format="short", locale=normalize_locale(locale))


def format_number(value: float, locale: str | None, *, digits: int = 0) -> str:
    """'4,1' / '4.1' with `digits` decimals; '1.234' / '1,234' grouped as the locale groups."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _babel_decimal(value, format=pattern, locale=normalize_locale(locale))


def format_signed(value: float, locale: str | None) -> str:
    """A whole number with its sign, as an eNPS reads: '+20', '−8', '0'."""
    rounded = round(value)
    shown = format_number(abs(rounded), locale)
    return shown if rounded == 0 else ("+" if rounded > 0 else "−") + shown


def format_duration(span: timedelta, locale: str | None) -> str:
    """A length of time, rounded to its largest unit: '2 h' / '2 hr', '35 min'."""
    return _babel_timedelta(span, format="short", locale=normalize_locale(locale))
