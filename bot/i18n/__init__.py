"""User-facing text in Spanish (default) and English, and locale formatting."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_percent as _babel_percent

from bot.i18n.catalog import CATALOG

SUPPORTED = ("es", "en")
DEFAULT_LOCALE = "es"


def normalize_locale(locale: str | None, default: str = DEFAULT_LOCALE) -> str:
    """'en-US', 'en_GB', 'EN' -> 'en'; anything unsupported -> the default."""
    if not locale:
        return default
    lang = locale.replace("-", "_").split("_")[0].lower()
    return lang if lang in SUPPORTED else default


def t(locale: str | None, key: str, **values: object) -> str:
    entry = CATALOG[key]
    template = entry.get(normalize_locale(locale)) or entry[DEFAULT_LOCALE]
    return template.format(**values) if values else template


def format_when(moment: datetime, locale: str | None, tz: str) -> str:
    """A short, local date and time: '27 nov 2026, 10:30'."""
    return _babel_datetime(
        moment.astimezone(ZoneInfo(tz)), format="short", locale=normalize_locale(locale)
    )


def format_day(day: date, locale: str | None) -> str:
    return _babel_date(day, format="medium", locale=normalize_locale(locale))


def format_share(share: float, locale: str | None) -> str:
    return _babel_percent(share, locale=normalize_locale(locale))
