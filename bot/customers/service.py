"""Finding the customer a user means ("#ACME", "acme-logistica", "ACME Logística"),
and the competitors the organisation file names."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.text import fold
from storage.models import Competitor, Customer, Request

NEAR_MISS_CUTOFF = 75
MAX_SUGGESTIONS = 3
FOUND = "customers.found"  # session.info: (transaction, {tag: customer})


def _names(customer: Customer) -> list[str]:
    return [fold(name).replace(" ", "") for name in (customer.slug, customer.name, *customer.aliases)]


async def all_customers(session: AsyncSession) -> list[Customer]:
    return list((await session.exec(select(Customer).order_by(Customer.name))).all())


async def competitor_names(session: AsyncSession) -> list[str]:
    return list((await session.exec(select(Competitor.name).order_by(Competitor.name))).all())


async def get(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(f"customer {customer_id} does not exist")
    return customer


def _wanted(token: str) -> str:
    return fold(token.lstrip("#")).replace(" ", "")


def match(token: str, customers: list[Customer]) -> Customer | None:
    wanted = _wanted(token)
    return next((c for c in customers if wanted and wanted in _names(c)), None)


def suggestions(token: str, customers: list[Customer]) -> list[Customer]:
    wanted = _wanted(token)
    choices = {(i, j): name for i, c in enumerate(customers) for j, name in enumerate(_names(c))}
    best: dict[int, float] = {}
    for _name, score, (index, _j) in process.extract(
        wanted, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=NEAR_MISS_CUTOFF
    ):
        best[index] = max(best.get(index, 0), score)
    ranked = sorted(best, key=lambda i: (-best[i], customers[i].name))
    return [customers[i] for i in ranked[:MAX_SUGGESTIONS]]


async def find(session: AsyncSession, token: str) -> Customer | None:
    """The customer a tag names exactly (slug, alias or name, ignoring case and accents)."""
    # Every tagged request asks, twice (whether to ask "did you mean", then to
    # link the request): a customer found is remembered for the session's
    # transaction (none is deleted or renamed where a request is created).
    # The usual "#acme" is one seek on the slug's index; only an alias or a
    # name needs the whole list.
    transaction = session.sync_session.get_transaction()
    memo = session.info.get(FOUND)
    if memo is None or memo[0] is not transaction:
        memo = session.info[FOUND] = (transaction, {})
    found: dict[str, Customer] = memo[1]
    wanted = _wanted(token)
    if wanted in found:
        return found[wanted]
    by_slug = (await session.exec(select(Customer).where(Customer.slug == wanted))).first()
    customer = by_slug or match(token, await all_customers(session))
    if customer is not None:
        found[wanted] = customer
    return customer


async def require(session: AsyncSession, token: str) -> Customer:
    """The customer, or a UserError naming the closest ones (or how to add it)."""
    customers = await all_customers(session)
    found = match(token, customers)
    if found is not None:
        return found
    near = suggestions(token, customers)
    if near:
        raise UserError("customer.did_you_mean", customer=token.lstrip("#"),
                        choices=", ".join(f"#{c.slug}" for c in near))
    raise UserError("customer.unknown", customer=token.lstrip("#"))


async def link_requests(session: AsyncSession, customer: Customer, typed: str = "") -> None:
    """Requests that said "#ACME" before Pedir knew the customer now point at it."""
    # Typed as "#ACME" or "#Acme"; slugs and aliases are lowercase ASCII already,
    # and `typed` ("Ñoño") is the tag as written, accents and all (SQLite's
    # lower() leaves "Ñ" as it is, PostgreSQL's does not).
    tags = {customer.slug, *customer.aliases, *([typed, typed.lower()] if typed else [])}
    await session.exec(  # type: ignore[call-overload]
        update(Request)
        .where(Request.customer_id.is_(None),  # type: ignore[union-attr]
               func.lower(Request.customer).in_(sorted(tags)))
        .values(customer_id=customer.id)
        # No such Request need be loaded in this session: nothing to keep in step.
        .execution_options(synchronize_session=False))
