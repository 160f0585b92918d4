"""A round's results: aggregates computed in SQL, and the threshold rules.

Nothing about answers leaves this module below the threshold: a round with
fewer respondents than the pulse's `min_answers` yields only its count. An
open round yields only how many have answered (from the participation, never
the answers): a result that moved as answers arrived would let anyone who
sees who answered compare two snapshots. Text answers and comments come
shuffled (random.SystemRandom, on every read), with no date and no team. The
breakdown by the respondents' teams hides every small group and, by
complementary suppression (bot.pulses.suppression), whatever would let one be
worked out by subtraction.

Closed rounds are read once every ballot is mixed in. Their counts (per
question, team and score) and respondents come from the tally written when
the round closed (bot.pulses.tally): a few hundred rows, however many
answered. Only text answers and comments are read from pulse_answer, a seek
per (round, question) on ix_pulse_answer_round_question_score.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.pulses import tally
from bot.pulses.scores import NUMERIC, Scores
from bot.pulses.tally import Cell
from bot.pulses.states import CLOSED, COMMENT, OPEN, TEXT
from bot.pulses.suppression import hidden_groups
from storage.models import Pulse, PulseAnswer, PulseParticipation, PulseRound, Team

TREND_ROUNDS = 6  # the trend spans this many closed rounds, this one included
_SHUFFLE = random.SystemRandom()


@dataclass(frozen=True)
class TrendPoint:
    round_number: int
    value: float | None  # None: that round (or that question in it) did not reach the threshold


@dataclass(frozen=True)
class GroupFigure:
    """One team's figure for one question; None when the group is hidden."""

    team_id: int | None  # None: respondents in no team
    name: str
    answers: int | None
    value: float | None


@dataclass
class QuestionResult:
    index: int
    kind: str
    text: str
    answers: int
    shown: bool  # reached the threshold: its figures may show
    scores: Scores | None = None  # scale and eNPS questions, when shown
    texts: list[str] = field(default_factory=list)  # text questions, when shown: shuffled
    trend: list[TrendPoint] = field(default_factory=list)  # oldest first, this round last
    groups: list[GroupFigure] = field(default_factory=list)  # shown groups first, by name


@dataclass
class RoundResults:
    pulse: Pulse
    round: PulseRound
    threshold: int
    respondents: int  # for an open round: how many have answered so far
    shown: bool  # closed and at or over the threshold: anything beyond the count may show
    questions: list[QuestionResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # shuffled, no dates

    @property
    def open(self) -> bool:
        return self.round.state == OPEN

    @property
    def audience(self) -> int:
        return self.round.audience_size

    @property
    def rate(self) -> float | None:
        return self.respondents / self.audience if self.audience else None


async def latest_closed(session: AsyncSession, pulse_id: int) -> PulseRound | None:
    return (await session.exec(
        select(PulseRound).where(PulseRound.pulse_id == pulse_id, PulseRound.state == CLOSED)
        .order_by(col(PulseRound.number).desc()).limit(1)
    )).first()


async def latest(session: AsyncSession, pulse_id: int) -> PulseRound | None:
    return (await session.exec(
        select(PulseRound).where(PulseRound.pulse_id == pulse_id).order_by(col(PulseRound.number).desc()).limit(1)
    )).first()


async def answered_so_far(session: AsyncSession, round_id: int) -> int:
    """How many have answered an open round: from the participation, which says who, never what."""
    return (await session.exec(
        select(func.count()).select_from(PulseParticipation)
        .where(PulseParticipation.round_id == round_id, col(PulseParticipation.answered).is_(True))
    )).one()


async def respondents(session: AsyncSession, round_ids: list[int]) -> dict[int, int]:
    """Respondents per closed round: the receipts that answered, as counted at close."""
    return await tally.respondents(session, round_ids)


async def round_results(session: AsyncSession, pulse: Pulse, round_: PulseRound,
                        *, trend_rounds: int = TREND_ROUNDS) -> RoundResults:
    """What may be shown of a round, to anyone: the rules do not depend on who reads."""
    threshold = pulse.min_answers
    if round_.state != CLOSED:
        return RoundResults(pulse, round_, threshold, await answered_so_far(session, round_.id), shown=False)
    counted = (await tally.counted(session, [round_.id]))[round_.id]
    tallied = counted is not None  # else closed before tallies were kept: counted from the answers
    count = counted if counted is not None else (await respondents(session, [round_.id]))[round_.id]
    if count < threshold:
        return RoundResults(pulse, round_, threshold, count, shown=False)
    results = RoundResults(pulse, round_, threshold, count, shown=True)
    cells = await tally.cells(session, round_.id, tallied=tallied)
    names = await _team_names(session, {team for team, _q, _s, _n in cells})
    asked = [i for i, q in enumerate(round_.questions) if q.get("kind", TEXT) == TEXT]
    texts = await _texts(session, round_.id, [*asked, COMMENT] if round_.comment else asked)
    trend = await _trend(session, pulse, round_, trend_rounds)
    for index, question in enumerate(round_.questions):
        kind = question.get("kind", TEXT)
        answers = sum(n for _t, q, _s, n in cells if q == index)
        result = QuestionResult(index, kind, question.get("text", ""), answers, shown=answers >= threshold)
        if result.shown and kind in NUMERIC:
            result.scores = Scores.of(kind, ((s, n) for _t, q, s, n in cells if q == index and s is not None))
            result.groups = _breakdown(kind, index, cells, names, threshold)
        elif result.shown:
            result.texts = texts.get(index, [])
        if kind in NUMERIC:
            result.trend = [*trend.get(index, []), TrendPoint(round_.number, result.scores.figure if result.scores else None)]
        results.questions.append(result)
    if round_.comment:
        results.comments = texts.get(COMMENT, [])
    return results


async def _team_names(session: AsyncSession, team_ids: set[int | None]) -> dict[int, str]:
    ids = [team_id for team_id in team_ids if team_id is not None]
    if not ids:
        return {}
    return dict((await session.exec(select(Team.id, Team.name).where(col(Team.id).in_(ids)))).all())  # type: ignore[arg-type]


async def _texts(session: AsyncSession, round_id: int, questions: list[int]) -> dict[int, list[str]]:
    """Open answers and comments per question, shuffled anew on every read; never dated."""
    if not questions:
        return {}
    # Naming the questions makes this a seek per (round, question, NULL score), not a walk of the round.
    rows = (await session.exec(
        select(PulseAnswer.question, PulseAnswer.text)
        .where(PulseAnswer.round_id == round_id, col(PulseAnswer.question).in_(questions),
               col(PulseAnswer.score).is_(None), col(PulseAnswer.text).is_not(None))
    )).all()
    found: dict[int, list[str]] = defaultdict(list)
    for question, text in rows:
        if text and text.strip():
            found[question].append(text.strip())
    for texts in found.values():
        _SHUFFLE.shuffle(texts)
    return found


def _breakdown(kind: str, index: int, cells: list[Cell], names: dict[int, str], threshold: int) -> list[GroupFigure]:
    """One question by the respondents' teams, every small group hidden with its complement."""
    per_team: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for team, question, score, n in cells:
        if question == index and score is not None:
            per_team[team].append((score, n))
    scores = {team: Scores.of(kind, counts) for team, counts in per_team.items()}
    hidden = hidden_groups({team: s.answers for team, s in scores.items()}, threshold)
    groups = [
        GroupFigure(team, names.get(team, "") if team is not None else "", None if team in hidden else s.answers,
                    None if team in hidden else s.figure)
        for team, s in scores.items()
    ]
    # Shown groups first; hidden ones by name only, so their order says nothing about their size.
    return sorted(groups, key=lambda g: (g.answers is None, g.team_id is None, g.name.casefold()))


async def _trend(session: AsyncSession, pulse: Pulse, round_: PulseRound, rounds: int) -> dict[int, list[TrendPoint]]:
    """Per question, the figure of the closed rounds before this one (oldest first); None under the threshold."""
    earlier = list((await session.exec(
        select(PulseRound).where(PulseRound.pulse_id == pulse.id, PulseRound.state == CLOSED,
                                 PulseRound.number < round_.number)
        .order_by(col(PulseRound.number).desc()).limit(max(rounds - 1, 0))
    )).all())[::-1]
    if not earlier:
        return {}
    done = await tally.counted(session, [r.id for r in earlier])
    # No respondent count needed: a question answered by at least `min_answers` receipts
    # (one answer per receipt and question) means the round had that many respondents.
    rows = await tally.score_counts(session, {round_id: n is not None for round_id, n in done.items()})
    cells: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for round_id, question, score, n in rows:
        cells[(round_id, question)].append((score, n))
    trend: dict[int, list[TrendPoint]] = {}
    for index, question in enumerate(round_.questions):
        kind = question.get("kind")
        if kind not in NUMERIC:
            continue
        points = []
        for past in earlier:
            asked = past.questions[index].get("kind") if index < len(past.questions) else None
            scores = Scores.of(kind, cells.get((past.id, index), [])) if asked == kind else None  # type: ignore[arg-type]
            met = scores is not None and scores.answers >= pulse.min_answers
            points.append(TrendPoint(past.number, scores.figure if met and scores else None))
        trend[index] = points
    return trend
