"""Who may read a request (PED-n): one rule for every view that shows one.

A person may read a request when they are
- its requester,
- a member (or lead) of the team it is with now, or
- the account manager of the customer it is tagged with (#ACME): they answer
  to that customer, and the churn alerts raised from its text reach them anyway.

Nobody else: not another team's lead, not HR, not the team a request was
reassigned away from (its old card says where it went). Reading is wider than
taking part: only the requester and the team comment or act on a request.

`visible_to` is the rule as SQL, so lists filter in the database; `can_see`
asks the database the same question about one request, so the two never differ.

Customer issues (INC-n) follow another rule on purpose: anyone may read one,
since an issue exists to keep the whole company informed (bot.issues).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Customer, Membership, Person, Request


def visible_to(person_id: int) -> ColumnElement[bool]:
    """The requests `person_id` may read, as a WHERE clause on Request."""
    return or_(
        Request.requester_id == person_id,
        Request.team_id.in_(select(Membership.team_id).where(Membership.person_id == person_id)),  # type: ignore[attr-defined]
        # Never NULL: an untagged request is plainly not visible this way, so ~visible_to() stays exact.
        Request.customer_id.is_not(None)  # type: ignore[union-attr]
        & Request.customer_id.in_(select(Customer.id).where(Customer.account_manager_id == person_id)),  # type: ignore[union-attr]
    )


async def can_see(session: AsyncSession, person: Person, request_id: int) -> bool:
    """Whether `person` may read the request (False for one that does not exist)."""
    found = await session.exec(select(Request.id).where(Request.id == request_id, visible_to(person.id)))
    return found.first() is not None
