"""A closed round's answers, counted once in SQL when the round closes.

A closed round's answers never change, so counting them on every read (one
GROUP BY over up to 100,000 rows, a count of distinct 64-character receipt
hashes) would redo the same work each time results are shown. record() runs
in the closing transaction, right after the last ballots are mixed in: one
INSERT … SELECT … GROUP BY into pulse_tally (a few hundred rows per round)
and the respondent count on pulse_round. Results then read those.

A round closed without a tally (before migration 0006) has respondents NULL:
its counts are read straight from pulse_answer, the same GROUP BY, rather
than written on a read path whose session may never commit and which two
readers could run at once.

pulse_tally keeps no NULLs in its primary key: NO_TEAM and NO_SCORE stand
for them there and are turned back into None when read.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PulseAnswer, PulseRound, PulseTally

NO_TEAM = 0  # team ids start at 1
NO_SCORE = -1  # text answers and comments; no score kind goes below 0

Cell = tuple[int | None, int, int | None, int]  # (team_id, question, score, answers)


async def record(session: AsyncSession, round_id: int) -> int:
    """Counts the round's answers into pulse_tally and its respondents; returns the respondents.

    Idempotent: a round tallied again is counted afresh, never added to."""
    await session.exec(delete(PulseTally).where(col(PulseTally.round_id) == round_id))  # type: ignore[call-overload]
    # Grouped by the stored columns: the sentinels only rename NULL groups.
    counted = (
        select(PulseAnswer.round_id, PulseAnswer.question,
               func.coalesce(PulseAnswer.team_id, NO_TEAM), func.coalesce(PulseAnswer.score, NO_SCORE),
               func.count())
        .where(PulseAnswer.round_id == round_id)
        .group_by(PulseAnswer.round_id, PulseAnswer.question, PulseAnswer.team_id, PulseAnswer.score)
    )
    await session.exec(insert(PulseTally).from_select(  # type: ignore[call-overload]
        ["round_id", "question", "team_id", "score", "answers"], counted))
    receipts = (select(func.count(func.distinct(PulseAnswer.receipt_hash)))
                .where(PulseAnswer.round_id == round_id).scalar_subquery())
    await session.exec(update(PulseRound).where(col(PulseRound.id) == round_id)  # type: ignore[call-overload]
                       .values(respondents=receipts).execution_options(synchronize_session=False))
    return (await session.exec(select(PulseRound.respondents).where(PulseRound.id == round_id))).one() or 0


async def counted(session: AsyncSession, round_ids: list[int]) -> dict[int, int | None]:
    """Each round's respondents as counted at close; None for a round never tallied.

    Read from the table, not from a PulseRound in hand, which may predate its close."""
    if not round_ids:
        return {}
    found: dict[int, int | None] = dict.fromkeys(round_ids)
    found.update((await session.exec(
        select(PulseRound.id, PulseRound.respondents).where(col(PulseRound.id).in_(round_ids))
    )).all())
    return found


async def respondents(session: AsyncSession, round_ids: list[int]) -> dict[int, int]:
    """Respondents per closed round: the tally's count, or the receipts that answered if none."""
    found = await counted(session, round_ids)
    missing = [round_id for round_id, n in found.items() if n is None]
    if missing:
        rows = (await session.exec(
            select(PulseAnswer.round_id, func.count(func.distinct(PulseAnswer.receipt_hash)))
            .where(col(PulseAnswer.round_id).in_(missing)).group_by(PulseAnswer.round_id)
        )).all()
        found |= dict.fromkeys(missing, 0) | dict(rows)
    return {round_id: n or 0 for round_id, n in found.items()}


async def cells(session: AsyncSession, round_id: int, *, tallied: bool) -> list[Cell]:
    """Answers per team, question and score (text answers under score None, no team under None)."""
    if not tallied:
        rows = (await session.exec(
            select(PulseAnswer.team_id, PulseAnswer.question, PulseAnswer.score, func.count())
            .where(PulseAnswer.round_id == round_id)
            .group_by(PulseAnswer.team_id, PulseAnswer.question, PulseAnswer.score)
        )).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]
    rows = (await session.exec(
        select(PulseTally.team_id, PulseTally.question, PulseTally.score, PulseTally.answers)
        .where(PulseTally.round_id == round_id)
    )).all()
    return [(None if team == NO_TEAM else team, question, None if score == NO_SCORE else score, n)
            for team, question, score, n in rows]


async def score_counts(session: AsyncSession, round_ids: dict[int, bool]) -> list[tuple[int, int, int, int]]:
    """(round_id, question, score, answers) over every team, scored answers only, for the
    rounds given (round id: whether it was tallied)."""
    tallied = [round_id for round_id, done in round_ids.items() if done]
    direct = [round_id for round_id, done in round_ids.items() if not done]
    rows: list[tuple[int, int, int, int]] = []
    if tallied:
        rows += (await session.exec(
            select(PulseTally.round_id, PulseTally.question, PulseTally.score, func.sum(PulseTally.answers))
            .where(col(PulseTally.round_id).in_(tallied), PulseTally.score != NO_SCORE)
            .group_by(PulseTally.round_id, PulseTally.question, PulseTally.score)
        )).all()
    if direct:
        rows += (await session.exec(
            select(PulseAnswer.round_id, PulseAnswer.question, PulseAnswer.score, func.count())
            .where(col(PulseAnswer.round_id).in_(direct), col(PulseAnswer.score).is_not(None))
            .group_by(PulseAnswer.round_id, PulseAnswer.question, PulseAnswer.score)
        )).all()
    return [(round_id, question, score, int(n)) for round_id, question, score, n in rows]
