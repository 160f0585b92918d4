"""The ballot box: how answers reach pulse_answer without a trail to who gave them.

A respondent's first answer mints a receipt: a random token that only their
own chat message holds (the reply to their click, never stored, never in the
outbox). The database keeps its hash, which ties that respondent's answers in
one round together, so they can change them, and nothing else.

Answers are staged as one ballot per receipt in the transaction that records
participation, and mixed into pulse_answer later in shuffled batches of at
least MIX_BATCH ballots (all of them once the round closes). So neither the
answers' physical order nor the transaction that wrote them follows the order
people answered: on PostgreSQL a row's xmin names its transaction, and a
ballot written in its own would sit next to the participation it came with.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from random import SystemRandom
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.pulses.states import COMMENT
from storage.models import PulseAnswer, PulseBallot

RECEIPT_BYTES = 16  # 128 random bits: the hash cannot be walked back to the receipt
ANSWER_ID_BYTES = 16
# The fewest ballots mixed at once before the round closes: a batch of one
# would be written in an order that follows arrival.
MIX_BATCH = 5
_shuffle = SystemRandom().shuffle


def new_receipt() -> str:
    return secrets.token_urlsafe(RECEIPT_BYTES)


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


async def cast(session: AsyncSession, round_id: int, receipt: str, answers: Mapping[str, Any],
               team_id: int | None) -> None:
    """Stages answers ({"0": 4, "9": "comment"}) under a receipt, merged with
    any of its answers still waiting in the box."""
    hashed = receipt_hash(receipt)
    ballot = await session.get(PulseBallot, (round_id, hashed))
    if ballot is None:
        session.add(PulseBallot(round_id=round_id, receipt_hash=hashed, answers=dict(answers), team_id=team_id))
    else:
        ballot.answers = {**ballot.answers, **answers}
        session.add(ballot)


async def answers_of(session: AsyncSession, round_id: int, receipt: str) -> dict[str, Any]:
    """What a receipt has said in a round, mixed or still in the box: for its holder's own message."""
    hashed = receipt_hash(receipt)
    given: dict[str, Any] = {}
    rows = await session.exec(select(PulseAnswer).where(
        PulseAnswer.round_id == round_id, PulseAnswer.receipt_hash == hashed))
    for row in rows.all():
        given[str(row.question)] = row.score if row.score is not None else row.text
    ballot = await session.get(PulseBallot, (round_id, hashed))
    if ballot is not None:
        given.update(ballot.answers)
    return given


async def staged_rounds(session: AsyncSession) -> list[int]:
    return list((await session.exec(select(PulseBallot.round_id).distinct())).all())


async def mix(session: AsyncSession, round_id: int, *, everything: bool = False) -> int:
    """Moves a round's ballots into pulse_answer in random order; how many.

    Until `everything` (the round is closing) it waits for MIX_BATCH ballots."""
    ballots = list((await session.exec(select(PulseBallot).where(PulseBallot.round_id == round_id))).all())
    if not ballots or (len(ballots) < MIX_BATCH and not everything):
        return 0
    _shuffle(ballots)
    hashes = [ballot.receipt_hash for ballot in ballots]
    existing = {
        (row.receipt_hash, row.question): row
        for row in (await session.exec(select(PulseAnswer).where(
            PulseAnswer.round_id == round_id, col(PulseAnswer.receipt_hash).in_(hashes)))).all()
    }
    for ballot in ballots:
        for question, value in ballot.answers.items():
            row = existing.get((ballot.receipt_hash, int(question)))
            if row is None:
                row = PulseAnswer(id=secrets.token_hex(ANSWER_ID_BYTES), round_id=round_id,
                                  question=int(question), receipt_hash=ballot.receipt_hash)
            row.team_id = ballot.team_id
            row.score, row.text = _split(int(question), value)
            session.add(row)
    await session.flush()
    await session.exec(delete(PulseBallot).where(  # type: ignore[call-overload]
        PulseBallot.round_id == round_id, col(PulseBallot.receipt_hash).in_(hashes)))
    return len(ballots)


def _split(question: int, value: Any) -> tuple[int | None, str | None]:
    """(score, text): a number is a score, words are text; the comment is always text."""
    if question != COMMENT and isinstance(value, int) and not isinstance(value, bool):
        return value, None
    return None, str(value)
