"""A closed round's tally: what closing counts once, in SQL, and results read ever after.

Runs on SQLite and PostgreSQL. Whatever the tally says must be what a GROUP BY
over the round's answers says, counted once however often it is written; a
round closed before tallies were kept reads the same, straight from its answers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.context import Ctx
from bot.pulses import ballots, closing, results, tally
from bot.pulses.states import COMMENT, OPEN
from storage.models import Pulse, PulseAnswer, PulseRound, PulseTally
from tests.harness.pulse_answers import answer, make_hr, make_pulse, make_round, scale

ANA = "ana.garcia"
SAID = (scale(5, 4, 4, team="ventas") + scale(3, 3, team=None) + scale(2, 2, 2, 1, 1, team="soporte")
        + [("soporte", {0: 2, 1: 9, COMMENT: "Bien"}), (None, {1: 0, COMMENT: "Mal"}), ("ventas", {COMMENT: "Solo esto"})])
RESPONDENTS = 13  # one per entry of SAID: every answer of a receipt is one respondent


@pytest.fixture
async def pulse(app, folk, sessions) -> Pulse:  # noqa: ANN001
    await make_hr(sessions, folk[ANA])
    return await make_pulse(sessions, folk[ANA])


def yesterday(clock):  # noqa: ANN001, ANN201
    return clock.now() - timedelta(days=1)


async def direct(sessions, round_id: int) -> dict[tuple, int]:  # noqa: ANN001
    """The round's answers counted per (team, question, score), straight from pulse_answer."""
    async with sessions() as session:
        rows = (await session.exec(
            select(PulseAnswer.team_id, PulseAnswer.question, PulseAnswer.score, func.count())
            .where(PulseAnswer.round_id == round_id)
            .group_by(PulseAnswer.team_id, PulseAnswer.question, PulseAnswer.score)
        )).all()
    return {(team, question, score): n for team, question, score, n in rows}


async def stored(sessions, round_id: int) -> tuple[dict[tuple, int], int | None]:  # noqa: ANN001
    """The tally's rows (sentinels read back as None) and the round's respondents."""
    async with sessions() as session:
        rows = (await session.exec(select(PulseTally).where(PulseTally.round_id == round_id))).all()
        counted = (await session.exec(select(PulseRound.respondents).where(PulseRound.id == round_id))).one()
    cells = {(None if r.team_id == tally.NO_TEAM else r.team_id, r.question,
              None if r.score == tally.NO_SCORE else r.score): r.answers for r in rows}
    return cells, counted


async def close(sessions, clock, round_id: int) -> None:  # noqa: ANN001
    async with sessions() as session, session.begin():
        await closing.close(Ctx(session, clock.now()), round_id)


async def test_closing_tallies_the_answers_and_the_last_ballots(pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), state=OPEN)
    await answer(sessions, round_, SAID)  # already mixed in; an open round is not tallied
    async with sessions() as session, session.begin():  # one ballot still in the box when it closes
        await ballots.cast(session, round_.id, ballots.new_receipt(), {"0": 1, "1": 10}, team_id=None)
    assert (await stored(sessions, round_.id)) == ({}, None)
    await close(sessions, clock, round_.id)
    cells, counted = await stored(sessions, round_.id)
    assert cells == await direct(sessions, round_.id)
    assert counted == RESPONDENTS + 1
    assert cells[(None, 1, 10)] == 1 and cells[(None, 0, 3)] == 2 and cells[(None, COMMENT, None)] == 1
    assert sum(n for (_t, q, _s), n in cells.items() if q == 0) == 12  # the scale: all but two of 14


async def test_tallying_again_counts_once(pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), state=OPEN)
    await answer(sessions, round_, SAID)
    await close(sessions, clock, round_.id)
    first = await stored(sessions, round_.id)
    for _ in range(2):
        async with sessions() as session, session.begin():
            assert await tally.record(session, round_.id) == RESPONDENTS
    assert await stored(sessions, round_.id) == first
    assert sum(first[0].values()) == sum((await direct(sessions, round_.id)).values())


async def test_respondents_are_receipts_not_answers(pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock))
    await answer(sessions, round_, SAID)
    _cells, counted = await stored(sessions, round_.id)
    async with sessions() as session:
        answers = (await session.exec(select(func.count()).where(PulseAnswer.round_id == round_.id))).one()
        found = await results.round_results(session, pulse, round_)
    assert counted == RESPONDENTS < answers
    assert found.respondents == RESPONDENTS and found.rate == RESPONDENTS / round_.audience_size


async def test_a_round_nobody_answered_tallies_zero(pulse, sessions, clock):
    round_ = await make_round(sessions, pulse, 1, yesterday(clock), state=OPEN)
    await close(sessions, clock, round_.id)
    assert await stored(sessions, round_.id) == ({}, 0)
    async with sessions() as session:
        found = await results.round_results(session, pulse, round_)
    assert (found.respondents, found.shown) == (0, False)


def _figures(found: results.RoundResults) -> tuple:
    """Everything round_results says, comments and texts sorted (they come shuffled)."""
    return (found.respondents, found.shown, sorted(found.comments),
            [(q.index, q.answers, q.shown, q.scores, sorted(q.texts), q.trend, q.groups) for q in found.questions])


async def test_a_round_closed_without_a_tally_reads_the_same(pulse, sessions, clock):
    day = yesterday(clock)
    first = await make_round(sessions, pulse, 1, day - timedelta(days=30))
    await answer(sessions, first, scale(3, 4, 4, 4, 4, team="ventas"), tallied=False)
    second = await make_round(sessions, pulse, 2, day)
    await answer(sessions, second, SAID, tallied=False)
    async with sessions() as session:
        untallied = _figures(await results.round_results(session, pulse, second))
    assert (await stored(sessions, second.id)) == ({}, None)
    async with sessions() as session, session.begin():
        await tally.record(session, first.id)
        await tally.record(session, second.id)
    async with sessions() as session:
        tallied = _figures(await results.round_results(session, pulse, second))
    assert tallied == untallied
    assert untallied[0] == RESPONDENTS and untallied[3][0][5][0].value == pytest.approx(3.8)  # round 1 in the trend
    assert [g.answers for g in untallied[3][0][6]] == [6, None, None]  # soporte 6; ventas 3 and no team 2 hidden
