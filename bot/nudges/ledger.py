"""The nudge ledger: planning a nudge once per (subject, kind, window,
recipient), and reading back what was sent (a card's trail)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlmodel import select

from bot.context import Ctx
from bot.nudges import timing
from storage.models import Nudge
from storage.upsert import insert_new

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


async def plan(
    ctx: Ctx, *, subject_kind: str, subject_id: int, kind: str, window: str,
    targets: Iterable[Target], at: datetime, data: dict[str, Any] | None = None, snoozes: int = 0,
) -> int:
    """Plans `kind` for each target at `at`, or at the target's next working
    moment; a nudge already planned (or sent) for the same window is left as it
    is. Returns how many were new."""
    new = 0
    # Replanned on every change of the item: what is already in the ledger costs one read.
    seen = set((await ctx.session.exec(
        select(Nudge.recipient_kind, Nudge.recipient_id).where(
            Nudge.subject_kind == subject_kind, Nudge.subject_id == subject_id,
            Nudge.kind == kind, Nudge.window_key == window)
    )).all())
    for target in targets:
        if (target.kind, target.id) in seen:
            continue
        seen.add((target.kind, target.id))
        send_at = await timing.reachable_at(ctx, target.kind, target.id, at)
        new += await insert_new(ctx.session, Nudge, ONCE, dict(
            subject_kind=subject_kind, subject_id=subject_id, kind=kind, window_key=window,
            recipient_kind=target.kind, recipient_id=target.id, state=PLANNED, send_at=send_at,
            data={"role": target.role, **(data or {})}, snoozes=snoozes, created_at=ctx.now,
        ))
    return new


async def trail(ctx: Ctx, subject_kind: str, subject_id: int) -> list[Nudge]:
    """The nudges about a subject that reached someone, oldest first."""
    result = await ctx.session.exec(
        select(Nudge).where(Nudge.subject_kind == subject_kind, Nudge.subject_id == subject_id, Nudge.state == SENT)
        .order_by(Nudge.sent_at, Nudge.id)  # type: ignore[arg-type]
    )
    return list(result.all())
