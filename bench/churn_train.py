"""Train the churn classifier and write its weights into the package
(bot/churn/models/<lang>.json), deterministically, from the labelled sentences.

Training data: every sentence of the training sets of tests/churn_labelled.md
(TRAIN_SPLITS), per language. Features: bot.churn.features (words, negated
words, bigrams, letter 3-5-grams; counted, scaled by 1/sqrt(their total), as
bot.churn.model scores them). Pattern hits are not features: the patterns were
written looking at most of these sentences, so the model would learn to trust
them more than they deserve on new text; the detector combines them with the
model instead (bot/churn/detector.py).

- risk model: L2-regularised logistic regression (liblinear, C), label 1/0;
- signal model: one-vs-rest logistic regression per signal over the positive
  sentences (which signal names an alert the patterns did not raise).

The alert threshold is chosen by cross-validation: CV_REPEATS x CV_FOLDS
stratified folds (seeded), each sentence's out-of-fold probability averaged
over the repeats, and the threshold that maximises F1 on those. The file
records the cross-validated precision and recall at that threshold, and how
the final model scores its own training sentences (a test checks the shipped
file still scores them so).

Needs the test extra (scikit-learn, numpy); run time does not.

    .venv/bin/python bench/churn_train.py            # rewrite the shipped weights
    .venv/bin/python bench/churn_train.py --check    # exit 1 if they differ from what training gives
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import diags
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.churn.detector import KNOWN_SIGNALS, LANGUAGES, detect  # noqa: E402
from bot.churn.features import features, words  # noqa: E402
from bot.churn.model import Model, parse_model  # noqa: E402
from bot.text import fold  # noqa: E402
from tests.harness.churn_sets import COMPETITORS, TRAIN_SPLITS, Row, read_set, score, set_path  # noqa: E402

MODELS = ROOT / "bot" / "churn" / "models"
C = 10.0
CV_FOLDS, CV_REPEATS = 5, 5
DIGITS = 3  # weights are rounded: a smaller file, the same decisions
# A signal model's weights below this are left out (they never change which signal wins).
MIN_SIGNAL_WEIGHT = 0.02


def features_of(text: str) -> Counter[str]:
    """A sentence's feature counts (what bot.churn.model.Linear.score sums, scaled)."""
    return Counter(f for f, _ in features(words(fold(text))))


def scaled(counts: list[Counter[str]], vec: DictVectorizer):  # noqa: ANN201
    """The count matrix, each row divided by sqrt(its total count)."""
    matrix = vec.transform(counts).astype(float)
    return diags([1 / math.sqrt(sum(c.values()) or 1) for c in counts]) @ matrix


def fit(matrix, labels: np.ndarray) -> LogisticRegression:  # noqa: ANN001
    return LogisticRegression(C=C, solver="liblinear").fit(matrix, labels)


def linear(clf: LogisticRegression, names: list[str], smallest: float = 10 ** -DIGITS) -> dict:
    coef = clf.coef_[0]
    weights = {names[i]: round(float(coef[i]), DIGITS) for i in np.argsort(names, kind="stable")
               if abs(coef[i]) >= smallest}
    return {"bias": round(float(clf.intercept_[0]), DIGITS), "weights": weights}


def counts(labels: np.ndarray, predicted: np.ndarray) -> dict[str, int]:
    return {"tp": int(((labels == 1) & predicted).sum()), "fp": int(((labels == 0) & predicted).sum()),
            "fn": int(((labels == 1) & ~predicted).sum())}


def precision_recall(c: dict[str, int]) -> tuple[float, float]:
    return (c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0,
            c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0)


def best_threshold(labels: np.ndarray, probs: np.ndarray) -> float:
    """The probability cut (a multiple of 0.01) with the best F1; the lowest of ties."""
    best, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        p, r = precision_recall(counts(labels, probs >= t))
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def fit_models(rows: list[Row], lang: str, threshold: float) -> dict:
    """The risk and signal models trained on `rows`, as the JSON the package ships (less meta)."""
    counted = [features_of(r.text) for r in rows]
    vec = DictVectorizer(sort=True).fit(counted)
    matrix = scaled(counted, vec).tocsr()
    names = list(vec.get_feature_names_out())
    labels = np.array([r.label for r in rows])
    risk = fit(matrix, labels)
    # The signal models read words and bigrams only (letter pieces left at zero, same scaling): a
    # file a fraction of the size, and which signal wins hardly depends on them.
    positive = np.flatnonzero(labels == 1)
    whole_words = matrix[positive] @ diags([0.0 if n.startswith("c:") else 1.0 for n in names])
    signals = {}
    for sid in sorted(KNOWN_SIGNALS):
        target = np.array([int(sid in rows[i].signals) for i in positive])
        if target.any():
            signals[sid] = linear(fit(whole_words, target), names, MIN_SIGNAL_WEIGHT)
    return {"language": lang, "threshold": threshold, "risk": linear(risk, names), "signals": signals,
            "meta": {"features": len(names)}}


def out_of_fold(rows: list[Row]) -> np.ndarray:
    """Each sentence's risk probability from models that did not see it, averaged over the repeats."""
    counted = [features_of(r.text) for r in rows]
    labels = np.array([r.label for r in rows])
    probs = np.zeros(len(rows))
    for repeat in range(CV_REPEATS):
        for train_idx, test_idx in StratifiedKFold(CV_FOLDS, shuffle=True, random_state=repeat).split(rows, labels):
            vec = DictVectorizer().fit([counted[i] for i in train_idx])
            clf = fit(scaled([counted[i] for i in train_idx], vec), labels[train_idx])
            probs[test_idx] += clf.predict_proba(scaled([counted[i] for i in test_idx], vec))[:, 1]
    return probs / CV_REPEATS


def train(lang: str) -> dict:
    rows = [row for split in TRAIN_SPLITS for row in read_set(split, lang)]
    labels = np.array([r.label for r in rows])
    probs = out_of_fold(rows)
    threshold = best_threshold(labels, probs)
    raw = fit_models(rows, lang, threshold)
    model = parse_model(raw)
    own = np.array([model.probability(words(fold(r.text))) >= threshold for r in rows])
    raw["meta"] |= {
        "trained_on": {set_path(split, lang).name: hashlib.sha256(set_path(split, lang).read_bytes()).hexdigest()
                       for split in TRAIN_SPLITS},
        "sentences": len(rows), "positive": int(labels.sum()),
        "C": C, "cv": {"folds": CV_FOLDS, "repeats": CV_REPEATS, **counts(labels, probs >= threshold)},
        "training_score": counts(labels, own),
    }
    return raw


def report(lang: str, threshold: float) -> None:
    """The whole detector (patterns, guards, model) on sentences its model did not see: by
    stratified 5-fold cross-validation over the training sets, and trained on the sets
    written before the stress split, measured on it."""
    rows = [row for split in TRAIN_SPLITS for row in read_set(split, lang)]
    labels = np.array([r.label for r in rows])
    held: list[tuple[Row, dict[str, str]]] = []
    for train_idx, test_idx in StratifiedKFold(CV_FOLDS, shuffle=True, random_state=0).split(rows, labels):
        model = parse_model(fit_models([rows[i] for i in train_idx], lang, threshold))
        held += [(rows[i], found_by(rows[i].text, model)) for i in test_idx]
    print_score(f"[{lang}] detector, {CV_FOLDS}-fold cross-validation", held)
    before = [row for split in TRAIN_SPLITS if split != "stress" for row in read_set(split, lang)]
    model = parse_model(fit_models(before, lang, threshold))
    print_score(f"[{lang}] detector trained without the stress split, on it",
                [(row, found_by(row.text, model)) for row in read_set("stress", lang)])


def found_by(text: str, model: Model) -> dict[str, str]:
    return {h.signal_id: h.phrase for h in detect(text, competitors=COMPETITORS, models={model.language: model})}


def print_score(title: str, found: list[tuple[Row, dict[str, str]]]) -> None:
    by_text = dict((row.text, f) for row, f in found)
    result = score([row for row, _ in found], by_text.__getitem__)
    o = result.overall
    print(f"{title}: precision {o.precision:.3f} recall {o.recall:.3f} (TP {o.tp} FP {o.fp} FN {o.fn}); "
          f"alerts naming no labelled signal: {result.wrong_signal}")


def dump(raw: dict) -> str:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    parser.add_argument("--report", action="store_true",
                        help="also measure the whole detector by cross-validation and on the stress split")
    args = parser.parse_args()
    differ = False
    for lang in LANGUAGES:
        raw = train(lang)
        meta = raw["meta"]
        p, r = precision_recall(meta["cv"])
        tp, tr = precision_recall(meta["training_score"])
        print(f"[{lang}] {meta['sentences']} sentences ({meta['positive']} positive), {meta['features']} features; "
              f"threshold {raw['threshold']:.2f}; cross-validated precision {p:.3f} recall {r:.3f} "
              f"(TP {meta['cv']['tp']} FP {meta['cv']['fp']} FN {meta['cv']['fn']}); "
              f"on its own training sentences precision {tp:.3f} recall {tr:.3f}")
        if args.report:
            report(lang, raw["threshold"])
        path = MODELS / f"{lang}.json"
        text = dump(raw)
        if args.check:
            same = path.exists() and path.read_text("utf-8") == text
            differ |= not same
            print(f"    {path.relative_to(ROOT)}: {'as trained' if same else 'DIFFERS from what training gives'}")
        else:
            MODELS.mkdir(exist_ok=True)
            path.write_text(text, "utf-8")
            print(f"    wrote {path.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
