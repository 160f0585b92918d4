"""/cliente and /clientes: one customer across departments, the list, a new
customer; and the buttons on churn-risk alerts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from bot.commands.grammar import MENTION, TOKEN, ParseError, customer_tag, too_long
from bot.commands.registry import Button
from bot.commands.replies import listing
from bot.context import Caller, Ctx
from bot.customers import risk
from bot.customers import service as customers
from bot.customers import view as customer_view
from bot.errors import UserError
from bot.i18n import t
from bot.interaction import Interaction
from bot.issues import service as issues
from bot.limits import MAX_NAME, MAX_TITLE
from bot.messages import Message, Reply
from bot.text import fold, keyword
from storage.models import Customer

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class CustomerView:
    customer: str


@dataclass(frozen=True)
class CustomerList:
    pass


@dataclass(frozen=True)
class CustomerNew:
    slug: str  # as typed, without "#"
    name: str


CustomerCommand = CustomerView | CustomerList | CustomerNew


def parse(text: str, _today: date, english: bool) -> CustomerCommand | ParseError:
    """Parse `text` typed after /cliente or /clientes: "/clientes ACME" shows it, like "/equipos soporte"."""
    words = TOKEN.findall(text)
    # "nuevo #ACME …" creates; "New Relic" without "#" is a customer's name.
    if words and keyword(words[0]) in ("nuevo", "new"):
        if len(words) == 1:
            return ParseError("missing_argument", "new" if english else "nuevo")
        if slug := customer_tag(words[1]):
            name = " ".join(words[2:]) or slug
            return too_long(name, MAX_TITLE) or CustomerNew(slug, name)
    name = " ".join(words).lstrip("#").strip()
    return CustomerView(name) if name else CustomerList()


def names_a_customer(words: list[str]) -> bool:
    """ "cliente ACME" asks about ACME; "cliente ACME no puede facturar @facturacion" is a request."""
    return not any(MENTION.fullmatch(word) for word in words)


async def handle(ctx: Ctx, caller: Caller, cmd: CustomerCommand) -> Reply:
    match cmd:
        case CustomerView(customer=token):
            customer = await customers.require(ctx.session, token)
            return Reply(message=await customer_view.render(ctx, caller, customer))
        case CustomerNew(slug=slug, name=name):
            return await new_customer(ctx, caller, slug, name)
    return await list_customers(ctx, caller)


async def list_customers(ctx: Ctx, caller: Caller) -> Reply:
    loc = caller.locale
    rows = await customers.all_customers(ctx.session)
    if not rows:
        return Reply.text(t(loc, "reply.customers.empty"))
    since = ctx.now - customer_view.RECENT
    lines = []
    for customer in rows:
        line = f"#{customer.slug} · {customer.name}"
        if count := await issues.count_active(ctx.session, customer.id):
            line += " · " + t(loc, "reply.customers.issues", count=count)
        if await risk.active_flags(ctx.session, customer.id, since):
            line += " · ⚠ " + t(loc, "customer.at_risk")
        lines.append(line)
    return listing(t(loc, "reply.customers.title", count=len(rows)), lines)


async def new_customer(ctx: Ctx, caller: Caller, slug: str, name: str) -> Reply:
    # "#Ñoño" is tagged "#ñoño" or "#nono" alike: tags are found folded, so the slug is stored folded.
    typed, slug = slug, fold(slug)
    if not SLUG.match(slug):
        raise UserError("input.bad_customer_slug", value=typed)
    existing = await customers.all_customers(ctx.session)
    if (same := customers.match(slug, existing)) is not None:
        raise UserError("customer.exists", customer=same.name, slug=same.slug)
    name = " ".join(name.split())[:MAX_NAME] or slug
    customer = Customer(slug=slug, name=name, created_at=ctx.now)
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(customer)
    except IntegrityError:  # created by someone else a moment ago
        raise UserError("customer.exists", customer=name, slug=slug) from None
    await customers.link_requests(ctx.session, customer, typed)
    return Reply(message=Message(text=t(caller.locale, "reply.customer_created", customer=name, slug=slug)))


async def decide(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """A button on a churn-risk alert: accept, dismiss or done."""
    flag = await risk.decide(ctx, caller.person, i.id, i.action.removeprefix("risk."))
    return Reply.text(t(caller.locale, f"reply.risk_{flag.state}"))


BUTTONS = tuple(Button(f"risk.{decision}", risk.RISK, decide) for decision in risk.DECISIONS)
