"""What a domain declares about a nudge it plans: how to say it, and whether
it still applies when its moment comes (acting on the item makes it stale)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.context import Ctx
from bot.messages import Action
from storage.models import Nudge


@dataclass(frozen=True)
class Reader:
    """Who reads the nudge: their language and time zone."""

    locale: str
    timezone: str
    name: str = ""


@dataclass
class Said:
    """One nudge, worded for its reader: a line and the buttons that act on it."""

    line: str
    actions: list[Action] = field(default_factory=list)
    # Whether the reader may put it off (a rating reminder is sent once, never again).
    snooze: bool = True


# None: the nudge no longer applies (the item was acted on, closed, or moved on).
Describe = Callable[[Ctx, Nudge, Reader], Awaitable[Said | None]]
# After a nudge was delivered: show it in the item's cards (their trail).
Refresh = Callable[[Ctx, Nudge], Awaitable[None]]


@dataclass(frozen=True)
class NudgeKind:
    name: str  # "request.first_response.warn"
    describe: Describe
    refresh: Refresh | None = None


# Every domain's kinds by name: the registry adds each domain's as it collects
# them (like its sentences), and the ticks word a nudge by its kind's name.
_KINDS: dict[str, NudgeKind] = {}


def register(kinds: tuple[NudgeKind, ...]) -> None:
    for kind in kinds:
        if _KINDS.setdefault(kind.name, kind) is not kind:
            raise ValueError(f"nudge kind {kind.name!r} is declared twice")


def named(name: str) -> NudgeKind | None:
    return _KINDS.get(name)
