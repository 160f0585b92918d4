"""The nudge ledger: planning a nudge once per (subject, kind, window,
recipient), and reading back what was sent (a card's trail)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlmodel import col, select

from bot.context import Ctx
from bot.nudges import timing
from bot.sla.business_hours import BusinessHours
from storage.models import Nudge
from storage.upsert import insert_new_rows

PLANNED, QUEUED, SENT, CANCELLED, FAILED = "planned", "queued", "sent", "cancelled", "failed"
ONCE = ["subject_kind", "subject_id", "kind", "window_key", "recipient_kind", "recipient_id"]


@dataclass(frozen=True)
class Target:
    """A recipient and why they hear it: owner, lead, team, requester, stakeholder."""

    kind: str  # PERSON | TEAM (bot.delivery.outbox)
    id: int
    role: str = ""


def window_of(moment: datetime) -> str:
    """A due time as a window key: a new promise is a new window."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def in_window(moment: datetime | None, window: str) -> bool:
    """Whether `moment` is still the one a nudge's window was planned for (a snoozed
    window, "…~1", counts as its original)."""
    return moment is not None and window_of(moment) == window.split("~")[0]


@dataclass(frozen=True)
class Planned:
    """One nudge kind to plan: for these targets, about this window, at this moment."""

    kind: str
    window: str
    targets: tuple[Target, ...]
    at: datetime


async def plan(
    ctx: Ctx, *, subject_kind: str, subject_id: int, kind: str, window: str,
    targets: Iterable[Target], at: datetime, data: dict[str, Any] | None = None, snoozes: int = 0,
) -> int:
    """Plans `kind` for each target at `at`, or at the target's next working
    moment; a nudge already planned (or sent) for the same window is left as it
    is. Returns how many were new."""
    return await plan_all(ctx, subject_kind=subject_kind, subject_id=subject_id,
                          nudges=[Planned(kind, window, tuple(targets), at)], data=data, snoozes=snoozes)


async def plan_all(
    ctx: Ctx, *, subject_kind: str, subject_id: int, nudges: Iterable[Planned],
    data: dict[str, Any] | None = None, snoozes: int = 0, fresh: bool = False,
) -> int:
    """plan() for several kinds of one subject at once: planned again on every
    change of the subject (a request's four SLA nudges on each command), so
    what is in the ledger costs one read, each recipient's hours one lookup,
    and what is new one INSERT. `fresh`: the subject was created in this
    transaction, so the ledger holds nothing about it and is not read (the
    INSERT still skips what a racing plan may have written)."""
    nudges = [nudge for nudge in nudges if nudge.targets]
    if not nudges:
        return 0
    seen = set() if fresh else set((await ctx.session.exec(
        select(Nudge.kind, Nudge.window_key, Nudge.recipient_kind, Nudge.recipient_id).where(
            Nudge.subject_kind == subject_kind, Nudge.subject_id == subject_id,
            col(Nudge.kind).in_({nudge.kind for nudge in nudges}),
            col(Nudge.window_key).in_({nudge.window for nudge in nudges}))
    )).all())
    hours: dict[tuple[str, int], BusinessHours] = {}
    rows = []
    for nudge in nudges:
        for target in nudge.targets:
            if (nudge.kind, nudge.window, target.kind, target.id) in seen:
                continue
            seen.add((nudge.kind, nudge.window, target.kind, target.id))
            if (target.kind, target.id) not in hours:
                hours[target.kind, target.id] = await timing.hours_of(ctx, target.kind, target.id)
            rows.append(dict(
                subject_kind=subject_kind, subject_id=subject_id, kind=nudge.kind, window_key=nudge.window,
                recipient_kind=target.kind, recipient_id=target.id, state=PLANNED,
                send_at=hours[target.kind, target.id].next_open(nudge.at),
                data={"role": target.role, **(data or {})}, snoozes=snoozes, created_at=ctx.now,
            ))
    return await insert_new_rows(ctx.session, Nudge, ONCE, rows)


async def trail(ctx: Ctx, subject_kind: str, subject_id: int) -> list[Nudge]:
    """The nudges about a subject that reached someone, oldest first."""
    result = await ctx.session.exec(
        select(Nudge).where(Nudge.subject_kind == subject_kind, Nudge.subject_id == subject_id, Nudge.state == SENT)
        .order_by(Nudge.sent_at, Nudge.id)  # type: ignore[arg-type]
    )
    return list(result.all())
