"""How well the churn detector does on the labelled sentence sets.

For each split (frozen: the test split never tuned on; train: what the patterns
are tuned on) and language, it prints sentence-level precision and recall (does
any signal fire on a sentence that should raise an alert?), then per signal
(strict: a signal firing where it is not labelled counts against it), then,
with --misses, every false negative, false positive and alert naming none of
the labelled signals. The sets and the scoring are tests/harness/churn_sets.py;
tests/test_churn.py asserts the thresholds on the frozen split. No assertions
here: it prints.

--train-supported measures again with only the patterns and guards that match
at least one sentence of the training split (either language): what is left
when every alternative written from the author's memory rather than from a
training sentence is taken out. The frozen split and the patterns have the same
author, so the plain figures are optimistic; this is a rough lower bound on how
much of them the training split alone explains.

    .venv/bin/python bench/churn_quality.py [--split frozen|train|all] [--misses] [--train-supported]
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.churn.detector import LANGUAGES, Rules, detect, load_rules, parse_rules  # noqa: E402
from bot.churn.phrases import compile_pattern  # noqa: E402
from bot.text import fold  # noqa: E402
from tests.harness.churn_sets import COMPETITORS, SPLITS, read_set, score  # noqa: E402


def train_supported_rules() -> tuple[Rules, int, int]:
    """The shipped rules less every pattern no training sentence matches; (rules, kept, all)."""
    texts = [fold(row.text) for lang in LANGUAGES for row in read_set("train", lang)]
    kept = total = 0
    signals, guards = [], []
    for lang in LANGUAGES:
        raw = tomllib.loads(resources.files("bot.churn").joinpath("signals", f"{lang}.toml").read_text("utf-8"))
        for entry in raw.get("signal", []) + raw.get("guard", []):
            patterns = entry["patterns"]
            entry["patterns"] = [p for p in patterns if any(compile_pattern(p).search(t) for t in texts)]
            kept, total = kept + len(entry["patterns"]), total + len(patterns)
        raw["signal"] = [e for e in raw.get("signal", []) if e["patterns"]]
        raw["guard"] = [e for e in raw.get("guard", []) if e["patterns"]]
        rules = parse_rules(lang, raw)
        signals.extend(rules.signals)
        guards.extend(rules.guards)
    return Rules(tuple(signals), tuple(guards)), kept, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="frozen")
    parser.add_argument("--misses", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--train-supported", action="store_true",
                        help="only the patterns and guards that match some training sentence")
    args = parser.parse_args()
    rules = load_rules()
    if args.train_supported:
        rules, kept, total = train_supported_rules()
        print(f"train-supported rules: {kept} of {total} patterns and guards kept")

    def found_by(text: str) -> dict[str, str]:
        return {h.signal_id: h.phrase for h in detect(text, rules, competitors=COMPETITORS)}

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
