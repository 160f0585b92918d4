"""What request ids, log lines and metrics cost a command, in this process:
each operation timed alone (microseconds), then a command's share: one
request traced, timed, counted and logged, and four deliveries logged and
counted (the team's card, the requester's copy, a reply, a home page).

    .venv/bin/python bench/observability_cost.py [--rounds 20000]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters import logs  # noqa: E402
from adapters.metrics import PrometheusObserver  # noqa: E402
from bot import tracing  # noqa: E402
from bot.config import Settings  # noqa: E402

DELIVERIES_PER_COMMAND = 4


def per_call(work: Callable[[], object], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        work()
    return (time.perf_counter() - started) / rounds * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()
    observer = PrometheusObserver()
    log = logging.getLogger("bench.observability")
    costs: dict[str, float] = {}
    with open(os.devnull, "w") as devnull:
        for log_format in ("text", "json"):
            logs.configure(Settings(LOG_FORMAT=log_format, SLACK_BOT_TOKEN="xoxb-bench-token",
                                    SLACK_SIGNING_SECRET="bench-signing-secret"), stream=devnull)
            token = tracing.begin()
            costs[f"log line ({log_format})"] = per_call(
                lambda: log.info("%s %s %d in %.1f ms", "POST", "/slack/events", 200, 12.3), args.rounds)
            tracing.end(token)
    costs["trace begin and end"] = per_call(lambda: tracing.end(tracing.begin()), args.rounds)
    costs["request counted and timed"] = per_call(lambda: observer.request("/slack/events", 200, 0.012), args.rounds)
    costs["delivery counted, end to end"] = per_call(
        lambda: (observer.delivered("slack", "sent"), observer.end_to_end(0.3)), args.rounds)
    print(f"observability cost per operation, {args.rounds:,} rounds, "
          f"{'multiprocess' if os.environ.get('PROMETHEUS_MULTIPROC_DIR') else 'single-process'} metrics")
    for name, micros in costs.items():
        print(f"  {name:32} {micros:6.1f} us")
    command = (costs["trace begin and end"] + costs["request counted and timed"] + costs["log line (json)"]
               + DELIVERIES_PER_COMMAND * (costs["log line (json)"] + costs["delivery counted, end to end"]))
    print(f"  a command's share (JSON logs, {DELIVERIES_PER_COMMAND} deliveries): {command:.0f} us, "
          f"{command * 150 / 1e4:.1f} % of a core at 150 commands/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
