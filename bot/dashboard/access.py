"""Sign-in to the dashboard: one-time links and browser sessions.

A link is a random token sent privately in chat; only its SHA-256 is stored,
so a copy of the database opens nothing. It works once and for 15 minutes.
Following it starts a session: another random token in an HttpOnly cookie,
also stored hashed, with its own CSRF token; it ends after 12 hours idle or
when the person signs out. Hashes are looked up, then compared in constant time.
Once neither can open anything, the worker's sweep deletes them (bot.dashboard.sweep).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DashboardLink, DashboardSession, Person

LINK_LIFETIME = timedelta(minutes=15)
IDLE_LIMIT = timedelta(hours=12)
# Sessions are touched at most this often: a page view is not a write every time.
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_BYTES = 32


@dataclass(frozen=True)
class SignedIn:
    person: Person
    csrf_token: str
    token_hash: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def issue_link(session: AsyncSession, person_id: int, now: datetime) -> str:
    """A new one-time token for `person_id`; the caller builds the URL around it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(DashboardLink(token_hash=digest(token), person_id=person_id, expires_at=now + LINK_LIFETIME,
                              created_at=now))
    return token


async def redeem(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Spends a link and opens a session: the session's cookie token, or None for a bad,
    used or expired link. The link is marked used by a conditional UPDATE, so two
    browsers racing with the same link cannot both get in."""
    wanted = digest(token)
    link = (await session.exec(select(DashboardLink).where(DashboardLink.token_hash == wanted))).first()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    if link.used_at is not None or link.expires_at is None or link.expires_at <= now:
        return None
    spent = await session.exec(  # type: ignore[call-overload]
        update(DashboardLink).where(col(DashboardLink.token_hash) == wanted, col(DashboardLink.used_at).is_(None))
        .values(used_at=now))
    if spent.rowcount != 1:
        return None
    cookie = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(DashboardSession(token_hash=digest(cookie), person_id=link.person_id,
                                 csrf_token=secrets.token_urlsafe(TOKEN_BYTES), created_at=now, last_seen_at=now))
    return cookie


async def signed_in(session: AsyncSession, cookie: str | None, now: datetime) -> SignedIn | None:
    """Who a session cookie belongs to, or None (no cookie, unknown, idle too long)."""
    if not cookie:
        return None
    wanted = digest(cookie)
    row = (await session.exec(select(DashboardSession).where(DashboardSession.token_hash == wanted))).first()
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.last_seen_at is None or now - row.last_seen_at >= IDLE_LIMIT:
        await session.exec(delete(DashboardSession).where(col(DashboardSession.token_hash) == wanted))  # type: ignore[call-overload]
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    person = await session.get(Person, row.person_id)
    return None if person is None else SignedIn(person, row.csrf_token, wanted)


def csrf_ok(signed: SignedIn, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(signed.csrf_token.encode(), (sent or "").encode())


async def sign_out(session: AsyncSession, token_hash: str) -> None:
    await session.exec(delete(DashboardSession).where(col(DashboardSession.token_hash) == token_hash))  # type: ignore[call-overload]

