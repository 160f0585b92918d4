"""One planned delivery, through its channel, within a time limit.

A send that may have gone out before (its lease expired, or it timed out) is
looked up on the platform by its outbox tag before it is posted again, where
the channel can do that (channel.Traceable): a restart leaves no duplicate.
"""

from __future__ import annotations

import asyncio
import logging

from bot.delivery.channel import MAYBE_SENT, DeliveryRetry, Traceable
from bot.delivery.routing import Plan

log = logging.getLogger(__name__)


async def send_within(plan: Plan, row_id: int, interrupted: bool, timeout: float) -> str:
    """The platform's id for what was sent; a timeout is a retry, as maybe sent."""
    try:
        return await asyncio.wait_for(send(plan, row_id, interrupted), timeout)
    except TimeoutError:
        raise DeliveryRetry(f"{MAYBE_SENT}send took longer than {timeout:g} s") from None


async def send(plan: Plan, row_id: int, interrupted: bool) -> str:
    assert plan.channel is not None
    if plan.home:
        await plan.channel.publish_home(plan.address, plan.message)
        return ""
    if plan.placed_id is not None:
        return await plan.channel.update(plan.address, plan.placed_id, plan.message)
    if not isinstance(plan.channel, Traceable):
        return await plan.channel.send(plan.address, plan.message, plan.thread_id)
    tag = f"outbox:{row_id}"
    if interrupted:
        found = await plan.channel.find_tagged(plan.address, plan.thread_id, tag)
        if found is not None:
            log.warning("outbox %s: an interrupted send had gone out; not posting it again", row_id)
            return found
    return await plan.channel.send_tagged(plan.address, plan.message, plan.thread_id, tag)
