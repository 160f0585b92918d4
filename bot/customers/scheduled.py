"""A churn-risk proposal nobody acted on: one reminder to its deciders a
business day after it was sent (planned in risk._notify), with the alert's
own buttons. Deciding on it (accept, dismiss, done) makes the reminder stale."""

from __future__ import annotations

from bot.context import Ctx
from bot.customers import risk
from bot.i18n import format_when, t
from bot.nudges.kinds import NudgeKind, Reader, Said
from storage.models import Customer, Nudge, RiskFlag

RISK_NUDGES: dict[str, dict[str, str]] = {
    "nudge.risk.decide.remind": {
        "es": "⚠ El posible riesgo con {customer} ({signal}, en {ref}) sigue sin decisión desde el {when}. "
              "Acción propuesta: *{action}*.",
        "en": "⚠ The possible risk with {customer} ({signal}, in {ref}) has had no decision since {when}. "
              "Proposed action: *{action}*.",
    },
}


async def describe(ctx: Ctx, nudge: Nudge, reader: Reader) -> Said | None:
    flag = await ctx.session.get(RiskFlag, nudge.subject_id)
    if flag is None or flag.state != risk.OPEN:
        return None  # decided on since
    customer = await ctx.session.get(Customer, flag.customer_id)
    if nudge.recipient_id not in {person.id for person in await risk.deciders(ctx, flag, customer)}:
        return None  # the account changed hands: the new manager decides
    loc, tz = reader.locale, reader.timezone
    alert = risk.card([flag], customer, None, None, loc, tz)
    return Said(t(loc, "nudge.risk.decide.remind", customer=customer.name, signal=t(loc, f"signal.{flag.signal}"),
                  ref=flag.source_ref, when=format_when(flag.created_at, loc, tz),
                  action=t(loc, f"risk_action.{flag.action}")), alert.actions)


KINDS = (NudgeKind(risk.REMIND, describe),)
