"""Reply helpers every domain uses: lists and durations."""

from __future__ import annotations

from bot.i18n import t
from bot.messages import Message, Reply


def duration(locale: str | None, minutes: int) -> str:
    if minutes % 60 == 0:
        return t(locale, "duration.hours", n=minutes // 60)
    if minutes > 60:
        return t(locale, "duration.hours", n=f"{minutes // 60}:{minutes % 60:02d}")
    return t(locale, "duration.minutes", n=minutes)


def listing(title: str, lines: list[str]) -> Reply:
    return Reply(message=Message(title=title, text="\n".join(lines)))
