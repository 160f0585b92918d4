"""The churn classifier at run time: linear weights, trained offline, read from
`models/<lang>.json` in this package, and applied in pure Python.

A sentence's words become features (`bot.churn.features`), counted and
scaled by 1/sqrt(their total count). Two linear models per language:

- the risk model: P(the account manager should hear about this sentence)
  = sigmoid(bias + sum of the features' weights / sqrt(number of features));
- the signal model: one score per signal (one-vs-rest), the highest names
  the alert when no pattern of `signals/<lang>.toml` does.

Which words raised a sentence: each feature's weight goes to the word(s) it
came from; the phrase is the heaviest word that is not a function word ("que",
"the", "no"), widened to the neighbours that also pushed towards risk (at most MAX_PHRASE_WORDS).

What a word weighs (its own feature and its letter pieces) is remembered per
model, so a scan costs a dictionary look-up or two per word.

The weights are data, rebuilt by bench/churn_train.py from the labelled
sentences (tests/churn_labelled.md), which also records in the file how the
model scored them, so tests can check the file is what the script made.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from bot.churn.features import Word, char_grams, features
from bot.churn.scope import FILLERS, is_negator

MAX_PHRASE_WORDS = 5
# Words remembered per model with what they weigh: text repeats its vocabulary.
MAX_REMEMBERED_WORDS = 50_000
# Words that say which language a sentence is in (folded); a tie scores both models.
STOPWORDS = {
    "es": frozenset({"el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "se", "por", "con",
                     "para", "al", "lo", "nos", "les", "su", "sus", "es", "ya", "muy", "pero", "han", "ha",
                     "esta", "estan", "van", "nada", "porque", "como", "mas", "otro", "otra", "le"}),
    "en": frozenset({"the", "to", "and", "of", "in", "is", "it", "they", "we", "our", "their", "for", "with",
                     "on", "that", "this", "was", "have", "has", "be", "are", "will", "if", "but", "by", "at",
                     "from", "them", "us", "they're", "they've", "they'll", "you", "any", "about", "out"}),
}


@dataclass(frozen=True)
class Linear:
    """bias + w·x, x a sentence's feature counts scaled by 1/sqrt(their total)."""

    bias: float
    weights: dict[str, float]
    _words: dict[str, tuple[float, int]] = field(default_factory=dict, compare=False, repr=False)

    def _word(self, text: str) -> tuple[float, int]:
        """What a word not under negation weighs on its own, and how many features it gives."""
        found = self._words.get(text)
        if found is None:
            grams = char_grams(text)
            get = self.weights.get
            found = (get("w:" + text, 0.0) + sum(get(g, 0.0) for g in grams), 1 + len(grams))
            if len(self._words) >= MAX_REMEMBERED_WORDS:
                self._words.clear()
            self._words[text] = found
        return found

    def score(self, ws: list[Word]) -> float:
        """The score of a sentence's words: what summing over `features(ws)` gives, faster."""
        get = self.weights.get
        total, n = 0.0, 0
        prev: Word | None = None
        for word in ws:
            if word.negated:
                total += get("n:" + word.text, 0.0)
                n += 1
            else:
                weight, count = self._word(word.text)
                total += weight
                n += count
            if prev is not None and prev.clause == word.clause:
                total += get(f"b:{prev.text} {word.text}", 0.0)
                n += 1
            prev = word
        return self.bias + total / math.sqrt(n) if n else self.bias


@dataclass(frozen=True)
class Model:
    language: str
    risk: Linear
    signals: dict[str, Linear]
    threshold: float  # alert at a risk probability at or above it
    meta: dict  # how it was trained and what it scored on its training data

    def forget_words(self) -> None:
        """Drop the words remembered (for benchmarks: the cost of a text of new words)."""
        for linear in (self.risk, *self.signals.values()):
            linear._words.clear()

    def probability(self, ws: list[Word]) -> float:
        z = self.risk.score(ws)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def signal(self, ws: list[Word]) -> str:
        """The signal that scores highest for this sentence."""
        return max(sorted(self.signals), key=lambda sid: self.signals[sid].score(ws))

    def phrase(self, ws: list[Word]) -> tuple[int, int]:
        """(first, last) index of the words that raised the risk score most."""
        pairs = features(ws)
        norm = math.sqrt(len(pairs)) or 1.0
        weight = [0.0] * len(ws)
        for f, where in pairs:
            for i in where:
                weight[i] += self.risk.weights.get(f, 0.0) / norm / len(where)
        content = [i for i, w in enumerate(ws) if not _function_word(w.text)] or list(range(len(ws)))
        best = max(content, key=weight.__getitem__)
        first = last = best
        clause = ws[best].clause
        while last - first + 1 < MAX_PHRASE_WORDS:
            left = weight[first - 1] if first > 0 and ws[first - 1].clause == clause else 0.0
            right = weight[last + 1] if last + 1 < len(ws) and ws[last + 1].clause == clause else 0.0
            if max(left, right) <= 0:
                break
            if left >= right:
                first -= 1
            else:
                last += 1
        return first, last


def _function_word(text: str) -> bool:
    return text in FILLERS or is_negator(text) or any(text in stop for stop in STOPWORDS.values())


def languages_of(ws: list[Word]) -> tuple[str, ...]:
    """The language(s) whose model should read these words: the one with more
    stopwords, or both on a tie."""
    counts = {lang: sum(w.text in stop for w in ws) for lang, stop in STOPWORDS.items()}
    top = max(counts.values())
    return tuple(lang for lang, n in counts.items() if n == top)


def parse_model(raw: dict) -> Model:
    def linear(entry: dict) -> Linear:
        return Linear(float(entry["bias"]), {f: float(w) for f, w in entry["weights"].items()})

    return Model(raw["language"], linear(raw["risk"]), {sid: linear(e) for sid, e in raw["signals"].items()},
                 float(raw["threshold"]), raw.get("meta", {}))


@lru_cache(maxsize=1)
def load_models() -> dict[str, Model]:
    """The models shipped in `models/`, one per language (read once)."""
    base = resources.files("bot.churn").joinpath("models")
    found = {}
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            model = parse_model(json.loads(entry.read_text(encoding="utf-8")))
            found[model.language] = model
    return found
