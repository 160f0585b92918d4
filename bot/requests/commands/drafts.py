"""A request waiting for an answer before it is created (which team, which
customer): everything typed is kept in a Draft, so a choice loses nothing."""

from __future__ import annotations

import uuid
from datetime import date

from bot.context import Caller, Ctx
from bot.requests.commands import parser as p
from storage.models import Draft


async def save(ctx: Ctx, caller: Caller, cmd: p.NewRequest, *, customer_checked: bool = False) -> str:
    draft = Draft(
        id=str(uuid.uuid4()), person_id=caller.person.id, created_at=ctx.now,
        payload={
            "team": cmd.team, "description": cmd.description, "customer": cmd.customer, "priority": cmd.priority,
            "due": cmd.due.isoformat() if cmd.due else None, "due_phrase": cmd.due_phrase,
            "unread_due": cmd.unread_due, "unread_due_past": cmd.unread_due_past,
            "other_mentions": list(cmd.other_mentions), "customer_checked": customer_checked,
        },
    )
    ctx.session.add(draft)
    return draft.id


def command(draft: Draft) -> p.NewRequest:
    """The request a draft holds (drafts saved before a field existed lack it)."""
    data = draft.payload
    return p.NewRequest(
        team=data.get("team"), description=data["description"], customer=data.get("customer"),
        priority=data.get("priority") or "normal", due=date.fromisoformat(data["due"]) if data.get("due") else None,
        due_phrase=data.get("due_phrase"), unread_due=data.get("unread_due"),
        unread_due_past=bool(data.get("unread_due_past")), other_mentions=tuple(data.get("other_mentions") or ()),
    )


def customer_checked(draft: Draft) -> bool:
    return bool(draft.payload.get("customer_checked"))
