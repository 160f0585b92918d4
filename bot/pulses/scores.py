"""A question's answers as counts per score, and the figures read from them.

Pure: the SQL hands over counts (bot.pulses.results), never single answers,
and every figure here is computed from those counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.pulses.states import ENPS, SCALE, SCORES

PROMOTERS = range(9, 11)
DETRACTORS = range(0, 7)


@dataclass(frozen=True)
class Scores:
    """How many answers gave each score; every score of the kind is a key (0 included)."""

    kind: str
    counts: Mapping[int, int]

    @classmethod
    def of(cls, kind: str, counts: Iterable[tuple[int, int]]) -> Scores:
        table = dict.fromkeys(SCORES[kind], 0)
        for score, n in counts:
            if score in table:  # a score outside the kind's range is not an answer to it
                table[score] += n
        return cls(kind, table)

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        if not self.answers:
            return None
        return sum(score * n for score, n in self.counts.items()) / self.answers

    def share(self, scores: range) -> float:
        return sum(self.counts.get(s, 0) for s in scores) / self.answers if self.answers else 0.0

    @property
    def enps(self) -> float | None:
        """% promoters (9–10) minus % detractors (0–6), from −100 to +100."""
        if not self.answers:
            return None
        return 100 * (self.share(PROMOTERS) - self.share(DETRACTORS))

    @property
    def figure(self) -> float | None:
        """The one number a question is summed up by: the average of a scale, the eNPS."""
        return self.enps if self.kind == ENPS else self.average


NUMERIC = (SCALE, ENPS)
