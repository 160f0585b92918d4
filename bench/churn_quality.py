"""How well the churn detector does on the labelled sentence sets.

For each split (frozen: the test split, written blind by someone else and
never trained or tuned on; train, oldfrozen, stress: what the classifier is
trained on and the patterns were tuned on, see tests/churn_labelled.md) and
language, it prints sentence-level precision and recall (does any signal fire
on a sentence that should raise an alert?), then per signal (strict: a signal
firing where it is not labelled counts against it), then, with --misses, every
false negative, false positive and alert naming none of the labelled signals.
The sets and the scoring are tests/harness/churn_sets.py; tests/test_churn.py
asserts the thresholds on the frozen split. No assertions here: it prints.

Figures on the training splits say little (the model has seen those sentences:
bench/churn_train.py prints cross-validated ones). --patterns-only measures the
pattern files alone, without the classifier (the detector before issue #16's
model), for comparison.

    .venv/bin/python bench/churn_quality.py [--split frozen|train|oldfrozen|stress|all] [--misses] [--patterns-only]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.churn.detector import LANGUAGES, detect, load_rules  # noqa: E402
from bot.churn.model import load_models  # noqa: E402
from tests.harness.churn_sets import COMPETITORS, SPLITS, read_set, score  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="frozen")
    parser.add_argument("--misses", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--patterns-only", action="store_true", help="the pattern files alone, no classifier")
    args = parser.parse_args()
    rules = load_rules()
    models = {} if args.patterns_only else load_models()
    if models:
        print("classifier thresholds: " + ", ".join(f"{lang} {m.threshold:.2f}" for lang, m in models.items()))

    def found_by(text: str) -> dict[str, str]:
        return {h.signal_id: h.phrase for h in detect(text, rules, competitors=COMPETITORS, models=models)}

    for split in SPLITS if args.split == "all" else (args.split,):
        for lang in LANGUAGES:
            rows = read_set(split, lang)
            result = score(rows, found_by)
            o = result.overall
            print(f"[{split} {lang}] {len(rows)} sentences ({sum(r.label for r in rows)} positive): "
                  f"precision {o.precision:.3f} recall {o.recall:.3f} (TP {o.tp} FP {o.fp} FN {o.fn}); "
                  f"alerts naming no labelled signal: {result.wrong_signal}")
            for sid, c in sorted(result.per_signal.items()):
                print(f"    {sid:<17} precision {c.precision:.2f} recall {c.recall:.2f}  "
                      f"(TP {c.tp} FP {c.fp} FN {c.fn})")
            if args.misses:
                for miss in result.misses:
                    print(f"    {miss}")


if __name__ == "__main__":
    main()
