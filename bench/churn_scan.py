"""How long the churn detector takes on one update: target under 2 ms for
1,000 characters.

Updates of --chars characters (default 1,000; cut at a word) are built from the
labelled sentences of tests/churn_labelled_train_*.tsv, five kinds: Spanish and
English with no signal (the common case: sentences labelled 0), Spanish and
English full of signals (labelled 1), and the two languages mixed. Each is
scanned by bot.churn.detector.detect() --runs times, with and without a list of
--competitors made-up competitor names, and the median and 95th percentile are
printed in microseconds; "patterns" is the same scan without the classifier
(bot.churn.model: patterns, guards and negation only, the detector before
issue #16's model), so the classifier's share is the difference. The detector remembers which patterns each word it has
seen can start (bot.churn.index); "cold" is the same scan with that memory
emptied before each run (and the classifier's memory of what each word weighs), as for a text
of words never seen. The baseline, timed in the same run on the same texts,
is bot.text.fold_map() plus one pass of a word regex: what any scan of the text
must pay, whatever it looks for; the ratio says how many such passes the
detector costs. The first call (patterns compiled, files parsed) is timed
apart. No assertions: it prints.

    .venv/bin/python bench/churn_scan.py [--chars 1000] [--runs 2000] [--competitors 20]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.churn import detector  # noqa: E402
from bot.churn.features import forget_stems  # noqa: E402
from bot.text import fold_map  # noqa: E402
from tests.harness.churn_sets import read_set  # noqa: E402

WORD = re.compile(r"[\w'’]+")


def update(sentences: list[str], chars: int) -> str:
    """Sentences joined until `chars`, cut back to the last whole word."""
    text, i = "", 0
    while len(text) < chars:
        text += sentences[i % len(sentences)] + " "
        i += 1
    return text[:chars].rsplit(" ", 1)[0]


def timed(fn, runs: int) -> tuple[float, float]:  # noqa: ANN001
    """Median and 95th percentile of `runs` calls, in microseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def baseline(text: str) -> None:
    folded, _ = fold_map(text)
    WORD.findall(folded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--competitors", type=int, default=20)
    args = parser.parse_args()

    start = time.perf_counter()
    detector.detect("primera llamada")
    print(f"first call (load and compile the signal files, read the classifier's weights): "
          f"{(time.perf_counter() - start) * 1000:.1f} ms")
    rules = detector.load_rules()
    print(f"{len(rules.signals)} signal regexes, {len(rules.guards)} guard regexes, "
          f"{sum(len(s.patterns) for s in (*rules.signals, *rules.guards))} patterns")

    rows = {lang: read_set("train", lang) for lang in detector.LANGUAGES}
    quiet = {lang: [r.text for r in rows[lang] if not r.label] for lang in rows}
    loud = {lang: [r.text for r in rows[lang] if r.label] for lang in rows}
    mixed = [s for pair in zip(quiet["es"], loud["en"], loud["es"], quiet["en"]) for s in pair]
    texts = {
        "es, no signal": update(quiet["es"], args.chars),
        "en, no signal": update(quiet["en"], args.chars),
        "es, signals": update(loud["es"], args.chars),
        "en, signals": update(loud["en"], args.chars),
        "es+en mixed": update(mixed, args.chars),
    }
    names = [f"Rival{n} Desk" for n in range(args.competitors)]
    print(f"{args.runs} runs per figure, texts of {args.chars} characters cut at a word; microseconds")
    print(f"{'text':<15} {'chars':>5} {'hits':>4}  {'baseline':>14}  {'patterns':>14}  {'detect':>14}  "
          f"{'+competitors':>14}  {'cold':>14}  ratio")

    def cold(text: str) -> None:
        rules.index.forget_words()
        forget_stems()
        detector.detect(text, competitors=names)

    for label, text in texts.items():
        base = timed(lambda: baseline(text), args.runs)
        patterns = timed(lambda: detector.detect(text, models={}), args.runs)
        plain = timed(lambda: detector.detect(text), args.runs)
        named = timed(lambda: detector.detect(text, competitors=names), args.runs)
        fresh = timed(lambda: cold(text), args.runs)
        hits = len(detector.detect(text, competitors=names))
        print(f"{label:<15} {len(text):>5} {hits:>4}  {base[0]:>6.0f} p95 {base[1]:>4.0f}  "
              f"{patterns[0]:>6.0f} p95 {patterns[1]:>4.0f}  "
              f"{plain[0]:>6.0f} p95 {plain[1]:>4.0f}  {named[0]:>6.0f} p95 {named[1]:>4.0f}  "
              f"{fresh[0]:>6.0f} p95 {fresh[1]:>4.0f}  {named[0] / base[0]:.0f}x")
    print("ratio: detect with competitors / baseline. Target: detect under 2,000 us per 1,000-character update.\n"
          "p95 moves with the machine's load (other processes on its cores); the median is the figure to compare.")


if __name__ == "__main__":
    main()
