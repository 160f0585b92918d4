"""The churn classifier at run time: linear weights, trained offline, read from
`models/<lang>.json` in this package, and applied in pure Python.

A sentence's words become features (`bot.churn.features`), weighed as
scikit-learn's TfidfTransformer(sublinear_tf=True) does: each feature the
model knows counts 1 + ln(its count) times its idf (stored per feature), and
the vector is scaled to length 1, so a long sentence does not score higher for
being long. Two linear models per language over that vector:

- the risk model: P(the account manager should hear about this sentence)
  = sigmoid(bias + w·x);
- the signal model: one score per signal (one-vs-rest), the highest names
  the alert when no pattern of `signals/<lang>.toml` does.

Which words raised a sentence: each feature's share (weight times value) goes
to the word(s) it came from; the phrase is the heaviest word that is not a
function word ("que", "the", "no"), widened to the neighbours that also pushed
towards risk (at most MAX_PHRASE_WORDS).

The weights are data, rebuilt by bench/churn_train.py from the labelled
sentences (tests/churn_labelled.md), which also records in the file how the
model scored them, so tests can check the file is what the script made.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from itertools import chain

from bot.churn.features import Word, feature_names, features
from bot.churn.scope import FILLERS, is_negator

MAX_PHRASE_WORDS = 5
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
    """bias + w·x."""

    bias: float
    weights: dict[str, float]

    def score(self, vector: dict[str, float]) -> float:
        get = self.weights.get
        total = self.bias
        for f, value in vector.items():
            total += get(f, 0.0) * value
        return total


@dataclass(frozen=True, eq=False)
class Model:
    language: str
    idf: dict[str, float]  # every feature the model knows; the others are not counted
    risk: Linear
    signals: dict[str, Linear]
    threshold: float  # alert at a risk probability at or above it
    meta: dict  # how it was trained and what it scored on its training data

    def vector(self, ws: list[Word], cues: Iterable[str] = ()) -> dict[str, float]:
        """The sentence's features the model knows, tf-idf weighted, of length 1. `cues`: what
        the patterns and guards said in it (`bot.churn.detector.cues`), features too."""
        idf = self.idf
        vector: dict[str, float] = {}
        repeated: dict[str, int] = {}
        for f in chain(feature_names(ws, self.language, idf), cues):
            if f in vector:
                repeated[f] = repeated.get(f, 1) + 1
            elif f in idf:
                vector[f] = idf[f]
        for f, n in repeated.items():  # most features come once: 1 + ln 1 = 1
            vector[f] *= 1.0 + math.log(n)
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {f: v / norm for f, v in vector.items()} if norm else {}

    def probability(self, ws: list[Word], vector: dict[str, float] | None = None) -> float:
        """P(risk) for the sentence; `vector`: its `vector(ws)`, when already at hand."""
        z = self.risk.score(self.vector(ws) if vector is None else vector)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def signal(self, vector: dict[str, float]) -> str:
        """The signal that scores highest for a sentence's vector."""
        scores = {sid: linear.bias for sid, linear in self.signals.items()}
        by_feature = self._signal_weights
        for f, value in vector.items():
            for sid, weight in by_feature.get(f, ()):
                scores[sid] += weight * value
        return max(sorted(scores), key=scores.__getitem__)

    @cached_property
    def _signal_weights(self) -> dict[str, list[tuple[str, float]]]:
        """feature -> (signal, weight) for every signal that weighs it: one pass per sentence."""
        table: dict[str, list[tuple[str, float]]] = {}
        for sid, linear in self.signals.items():
            for f, weight in linear.weights.items():
                table.setdefault(f, []).append((sid, weight))
        return table

    def phrase(self, ws: list[Word], vector: dict[str, float]) -> tuple[int, int]:
        """(first, last) index of the words that raised the risk score most."""
        weight = [0.0] * len(ws)
        for f, where in features(ws, self.language):
            if f in vector:
                # A feature that came twice shares its value between its occurrences.
                share = self.risk.weights.get(f, 0.0) * vector[f] / len(where)
                for i in where:
                    weight[i] += share
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
    """A model from its file: the feature names once, then by position: their idf and risk
    weights (one each), and per signal [position, weight] pairs (the small ones left out)."""
    names = raw["features"]
    if not len(names) == len(raw["idf"]) == len(raw["risk"]["weights"]):
        raise ValueError(f"churn model {raw.get('language')!r}: features, idf and weights differ in length")

    def linear(entry: dict, pairs: bool) -> Linear:
        weights = entry["weights"] if pairs else enumerate(entry["weights"])
        return Linear(float(entry["bias"]), {names[i]: float(w) for i, w in weights if w})

    return Model(raw["language"], dict(zip(names, map(float, raw["idf"]))), linear(raw["risk"], False),
                 {sid: linear(e, True) for sid, e in raw["signals"].items()}, float(raw["threshold"]),
                 raw.get("meta", {}))


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
