"""Churn risk: a signal in something said about a customer flags it, and the
account manager gets a proposed action to accept, dismiss or mark done.

One flag per customer per signal per week: the same complaint repeated in
ten comments is one risk, not ten messages. The competitors the organisation
file names are a signal when mentioned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.churn.detector import Hit, detect
from bot.context import Ctx
from bot.customers.service import competitor_names
from bot.delivery.outbox import PERSON, enqueue
from bot.errors import UserError
from bot.i18n import format_when, t
from bot.interaction import Subject, make
from bot.limits import valid_id
from bot.messages import Action, Message
from bot.nudges.ledger import Target, plan as plan_nudge
from bot.people import service as people
from bot.sla.calendar import add_business_days, person_hours
from bot.teams import service as teams
from storage.models import Customer, Person, RiskFlag

WINDOW = timedelta(days=7)
EXCERPT_CHARS = 240
OPEN, ACCEPTED, DISMISSED, DONE = "open", "accepted", "dismissed", "done"
ACTIVE = (OPEN, ACCEPTED)
# Button -> the state it leads to, and the states it may leave from.
DECISIONS = {"accept": (ACCEPTED, (OPEN,)), "dismiss": (DISMISSED, (OPEN, ACCEPTED)), "done": (DONE, (OPEN, ACCEPTED))}


# What an alert's buttons carry back (bot.interaction).
RISK = Subject("risk", bad_id="risk.unknown")
# The reminder when nobody decided within a business day (worded in bot.customers.scheduled).
NUDGE_SUBJECT, REMIND = "risk", "risk.decide.remind"


def card_key(flag_id: int) -> str:
    return f"risk:{flag_id}"


def excerpt(text: str, hit: Hit) -> str:
    """The sentence around the phrase, trimmed to EXCERPT_CHARS."""
    half = (EXCERPT_CHARS - len(hit.phrase)) // 2
    start, end = max(0, hit.start - half), min(len(text), hit.end + half)
    cut = " ".join(text[start:end].split())
    return ("…" if start else "") + cut + ("…" if end < len(text) else "")


async def scan(ctx: Ctx, customer_id: int | None, text: str | None, *, source_kind: str, source_ref: str,
               author: Person | None, team_id: int | None) -> list[RiskFlag]:
    """Flags the customer for each new signal in `text`, and tells who must act."""
    if customer_id is None or not text:
        return []
    hits = detect(text, competitors=await competitor_names(ctx.session))
    if not hits:
        return []
    # Taken FOR UPDATE (PostgreSQL; SQLite writers are serial anyway): two
    # comments at once cannot both raise the same week's flag.
    customer = (await ctx.session.exec(
        select(Customer).where(Customer.id == customer_id).with_for_update())).one()
    strongest: dict[str, Hit] = {}
    for hit in hits:
        if hit.signal_id not in strongest or hit.severity > strongest[hit.signal_id].severity:
            strongest[hit.signal_id] = hit
    flags = []
    # Strongest first: the first flag leads the alert (its action is the one proposed).
    for signal, hit in sorted(strongest.items(), key=lambda item: (-item[1].severity, item[1].start)):
        recent = await ctx.session.exec(select(RiskFlag.id).where(
            RiskFlag.customer_id == customer.id, RiskFlag.signal == signal,
            RiskFlag.created_at > ctx.now - WINDOW))  # type: ignore[operator]
        if recent.first() is not None:
            continue
        flag = RiskFlag(
            customer_id=customer.id, signal=signal, phrase=hit.phrase[:300], source_kind=source_kind,
            source_ref=source_ref, excerpt=excerpt(text, hit), author_id=author.id if author else None,
            team_id=team_id, action=hit.action, state=OPEN, created_at=ctx.now,
        )
        ctx.session.add(flag)
        await ctx.session.flush()
        flags.append(flag)
    if flags:
        await _notify(ctx, flags, customer)  # one alert per text, however many signals
    return flags


async def deciders(ctx: Ctx, flag: RiskFlag, customer: Customer) -> list[Person]:
    """The account manager; without one, the leads of the team whose work it came from."""
    if customer.account_manager_id:
        return [await people.get(ctx.session, customer.account_manager_id)]
    return await teams.leads(ctx.session, flag.team_id) if flag.team_id else []


async def _notify(ctx: Ctx, flags: list[RiskFlag], customer: Customer) -> None:
    """The alert for the flags one text raised; the first flag (the strongest) leads it."""
    flag = flags[0]
    author = await people.get(ctx.session, flag.author_id) if flag.author_id else None
    decided_by = await people.get(ctx.session, flag.decided_by_id) if flag.decided_by_id else None
    for person in await deciders(ctx, flag, customer):
        locale, tz = person.locale or ctx.default_locale, person.timezone or ctx.timezone
        enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person.id, now=ctx.now,
                message=card(flags, customer, author, decided_by, locale, tz), card_key=card_key(flag.id))
        if flag.state == OPEN:
            await _remind(ctx, flag, person)


async def _remind(ctx: Ctx, flag: RiskFlag, person: Person) -> None:
    """One reminder a business day (the decider's own) after the proposal, unless decided by then."""
    hours = person_hours(person, await teams.teams_of(ctx.session, person.id), ctx.timezone)
    await plan_nudge(ctx, subject_kind=NUDGE_SUBJECT, subject_id=flag.id, kind=REMIND, window=str(flag.id),
                     targets=[Target(PERSON, person.id, "decider")], at=add_business_days(hours, flag.created_at, 1))


def card(flags: list[RiskFlag], customer: Customer, author: Person | None, decided_by: Person | None,
         locale: str | None, tz: str) -> Message:
    flag = flags[0]
    actions = [
        Action(id=f"risk.{name}", label=t(locale, f"action.risk_{name}"), value=make(f"risk.{name}", RISK, flag.id),
               style="primary" if name == "accept" else "default")
        for name, (_to, allowed_from) in DECISIONS.items() if flag.state in allowed_from
    ]
    context = t(locale, "risk.source", ref=flag.source_ref, kind=t(locale, f"risk_source.{flag.source_kind}"),
                who=author.name if author else "—", when=format_when(flag.created_at, locale, tz))
    if decided_by is not None:
        context += " · " + t(locale, f"risk_state.{flag.state}", who=decided_by.name)
    return Message(
        title=t(locale, "risk.title", customer=customer.name),
        text=t(locale, "risk.body", signal=" · ".join(t(locale, f"signal.{f.signal}") for f in flags),
               excerpt=flag.excerpt,
               action=t(locale, f"risk_action.{flag.action}")),
        actions=actions,
        context=context,
    )


async def decide(ctx: Ctx, actor: Person, flag_id: int, decision: str) -> RiskFlag:
    """A button on an alert: `flag_id` is the flag leading it, the decision is for all its flags."""
    # Locked (PostgreSQL): "Aceptar" pressed alongside "Hecho" waits and is then
    # refused, instead of undoing the "done" on a stale "open".
    flag = (await ctx.session.exec(
        select(RiskFlag).where(RiskFlag.id == flag_id).with_for_update()
    )).first() if valid_id(flag_id) else None
    if flag is None or decision not in DECISIONS:
        raise UserError("risk.unknown")
    customer = await ctx.session.get(Customer, flag.customer_id)
    if actor.id not in {p.id for p in await deciders(ctx, flag, customer)}:
        raise UserError("perm.risk", customer=customer.name)
    to_state, allowed_from = DECISIONS[decision]
    if flag.state not in allowed_from:
        # In the language the refusal is shown in: the person's, else the deployment's.
        raise UserError("risk.already", state=t(actor.locale or ctx.default_locale, f"risk_state_name.{flag.state}"))
    group = await _alert_of(ctx, flag)
    for member in group:
        member.state, member.decided_by_id, member.decided_at = to_state, actor.id, ctx.now
        ctx.session.add(member)
    await _notify(ctx, group, customer)
    return flag


async def _alert_of(ctx: Ctx, leader: RiskFlag) -> list[RiskFlag]:
    """The flags one text raised together: same customer, source and moment; leader first."""
    result = await ctx.session.exec(
        select(RiskFlag)
        .where(RiskFlag.customer_id == leader.customer_id, RiskFlag.source_kind == leader.source_kind,
               RiskFlag.source_ref == leader.source_ref, RiskFlag.created_at == leader.created_at,
               RiskFlag.id >= leader.id)  # type: ignore[operator]
        .order_by(RiskFlag.id)
        .with_for_update()
    )
    return list(result.all())


async def active_flags(session: AsyncSession, customer_id: int, since: datetime) -> list[RiskFlag]:
    """Risks still to act on, newest first (dismissed and done ones are history)."""
    result = await session.exec(
        select(RiskFlag)
        .where(RiskFlag.customer_id == customer_id, RiskFlag.state.in_(ACTIVE),  # type: ignore[attr-defined]
               RiskFlag.created_at >= since)  # type: ignore[operator]
        .order_by(RiskFlag.created_at.desc())  # type: ignore[union-attr]
    )
    return list(result.all())
