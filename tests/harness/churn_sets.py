"""The churn detector's labelled sentence sets (tests/churn_labelled_*.tsv,
described in tests/churn_labelled.md) and how it is scored on them: sentence-level
precision and recall per language, and per signal.

Shared by tests/test_churn.py (which asserts the thresholds on the frozen split)
and bench/churn_quality.py (which prints every figure and the misses)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.text import fold

TESTS = Path(__file__).resolve().parents[1]
# Split -> file (tests/churn_labelled_<file>_<lang>.tsv). "frozen" is the test split, written
# by someone else, blind to the detector and to the other sets: never trained or tuned on.
FILES = {"frozen": "holdout", "train": "train", "oldfrozen": "oldfrozen", "stress": "stress", "more": "more",
         "writers": "writers", "later": "later"}
# The frozen split reads "more" and "later" too: written by other blind writers, never trained
# or tuned on (tests/churn_labelled.md).
EXTRA = {"frozen": ("more", "later")}
SPLITS = tuple(split for split in FILES if split not in ("more", "later"))
# What the classifier (bench/churn_train.py) learns from: every set but the frozen one.
TRAIN_SPLITS = ("train", "oldfrozen", "stress", "writers")
# The "writers" file holds blocks of this many sentences, each by another writer, in order:
# the training script holds out one writer at a time to choose the threshold.
WRITER_BLOCK = 350
# The org file's competitor list the sets are labelled against.
COMPETITORS = ("Zendesk", "Freshdesk")
# Those names in folded text: the classifier is trained without them (bench/churn_train.py), as
# an organisation's own names come from its file at run time.
NAMES = re.compile(r"\b(?:" + "|".join(re.escape(fold(n)) for n in COMPETITORS) + r")\b")


@dataclass(frozen=True)
class Row:
    label: int
    signals: frozenset[str]
    text: str


def set_path(split: str, lang: str) -> Path:
    return TESTS / f"churn_labelled_{FILES[split]}_{lang}.tsv"


def read_set(split: str, lang: str) -> list[Row]:
    return [row for part in (split, *EXTRA.get(split, ())) for row in _read_file(set_path(part, lang))]


def writer_blocks(lang: str) -> list[list[Row]]:
    """The "writers" sentences, one list per writer."""
    rows = read_set("writers", lang)
    return [rows[i:i + WRITER_BLOCK] for i in range(0, len(rows), WRITER_BLOCK)]


def _read_file(path: Path) -> list[Row]:
    lines = path.read_text("utf-8").splitlines()
    if lines[0].split("\t") != ["label", "signals", "text"]:
        raise ValueError(f"{path.name}: bad header {lines[0]!r}")
    rows = []
    for line in lines[1:]:
        label, sids, text = line.split("\t")
        rows.append(Row(int(label), frozenset() if sids == "-" else frozenset(sids.split(",")), text))
    return rows


def ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return ratio(self.tp, self.tp + self.fn)


@dataclass
class Score:
    """Sentence level (does anything fire?) and per signal (does this signal fire?)."""

    overall: Counts = field(default_factory=Counts)
    per_signal: dict[str, Counts] = field(default_factory=dict)
    wrong_signal: int = 0  # true positives whose alert names none of the labelled signals
    misses: list[str] = field(default_factory=list)


def score(rows: Iterable[Row], found_by: Callable[[str], dict[str, str]]) -> Score:
    """`found_by(text)` -> {signal id: phrase} for what the detector raised."""
    result = Score()
    for row in rows:
        found = found_by(row.text)
        if row.label and found:
            result.overall.tp += 1
            if not set(found) & row.signals:
                result.wrong_signal += 1
                result.misses.append(f"SIG {row.text}  labelled {sorted(row.signals)} -> {found}")
        elif row.label:
            result.overall.fn += 1
            result.misses.append(f"FN  {row.text}  labelled {sorted(row.signals)}")
        elif found:
            result.overall.fp += 1
            result.misses.append(f"FP  {row.text}  -> {found}")
        # Per signal, strictly: a signal that fires where it is not labelled is a false
        # alarm of that signal, even on a positive sentence.
        for sid in set(found) | row.signals:
            counts = result.per_signal.setdefault(sid, Counts())
            if sid in found and sid in row.signals:
                counts.tp += 1
            elif sid in found:
                counts.fp += 1
            else:
                counts.fn += 1
    return result
