"""A pulse's results as CSV rows: aggregates only, under the same rules as in chat.

One row per round and question for the whole audience, then one per team
shown in the breakdown (hidden groups are left out, not listed empty). A
round under the threshold is one row with its count and nothing else; an open
round one row with how many have answered so far. Text answers and comments
are not aggregates and are never exported: only how many there were.
Every figure comes from bot.pulses.results, so a closed round is read from
the tally written when it closed (bot.pulses.tally), never answer by answer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.pulses import results
from bot.pulses.results import QuestionResult, RoundResults
from bot.pulses.scores import DETRACTORS, PROMOTERS, Scores
from bot.pulses.states import ENPS, SCORES, display_id
from storage.models import Pulse, PulseRound

ALL = "all"
SCORE_COLUMNS = [f"score_{s}" for s in SCORES[ENPS]]
COLUMNS = [
    "pulse", "round", "round_date", "status", "threshold", "audience", "respondents", "response_rate",
    "question", "kind", "question_text", "group", "answers", "average", "enps",
    "promoters", "passives", "detractors", *SCORE_COLUMNS,
]
PASSIVES = range(7, 9)


async def export_rows(session: AsyncSession, pulse: Pulse, round_number: int | None = None) -> list[dict[str, Any]]:
    """Every round of the pulse (or the one numbered), oldest first."""
    stmt = select(PulseRound).where(PulseRound.pulse_id == pulse.id).order_by(col(PulseRound.number))
    if round_number is not None:
        stmt = stmt.where(PulseRound.number == round_number)
    rows: list[dict[str, Any]] = []
    for round_ in (await session.exec(stmt)).all():
        rows += round_rows(await results.round_results(session, pulse, round_, trend_rounds=1))
    return rows


def round_rows(found: RoundResults) -> list[dict[str, Any]]:
    base = {
        "pulse": display_id(found.pulse.id), "round": found.round.number,  # type: ignore[arg-type]
        "round_date": found.round.on_date.isoformat(), "threshold": found.threshold,
        "audience": found.audience, "respondents": found.respondents,
    }
    if found.open:
        return [base | {"status": "open"}]
    if not found.shown:
        return [base | {"status": "below_threshold"}]
    base |= {"status": "shown", "response_rate": _round(found.rate, 4)}
    rows = []
    for question in found.questions:
        rows += _question_rows(base, question, found.threshold)
    return rows


def _question_rows(base: dict[str, Any], q: QuestionResult, threshold: int) -> list[dict[str, Any]]:
    head = base | {"question": q.index + 1, "kind": q.kind, "question_text": q.text, "group": ALL}
    if not q.shown:
        return [head | {"status": "question_below_threshold", "answers": q.answers}]
    if q.scores is None:  # text: how many wrote, never what
        return [head | {"answers": q.answers}]
    rows = [head | _figures(q.scores)]
    for group in q.groups:
        if group.answers is not None:
            name = group.name or "(no team)"
            rows.append(head | {"group": name, "answers": group.answers, _figure_column(q.kind): _round(group.value, 2)})
    return rows


def _figures(scores: Scores) -> dict[str, Any]:
    row: dict[str, Any] = {"answers": scores.answers}
    if scores.kind == ENPS:
        row |= {"enps": _round(scores.enps, 2), "promoters": _round(scores.share(PROMOTERS), 4),
                "passives": _round(scores.share(PASSIVES), 4), "detractors": _round(scores.share(DETRACTORS), 4)}
    else:
        row["average"] = _round(scores.average, 3)
    row |= {f"score_{score}": n for score, n in scores.counts.items()}
    return row


def _figure_column(kind: str) -> str:
    return "enps" if kind == ENPS else "average"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _cell(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (=, +, -, @) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Writes the rows (UTF-8, header first); returns how many."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
            n += 1
    return n
